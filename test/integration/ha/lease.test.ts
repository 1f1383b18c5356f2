/**
 * The leader lease against a real PostgreSQL: contenders, expiry by the database's clock,
 * fencing of a deposed leader's writes, and a database that stops or restarts under a leader.
 * Each test waits for what the keeper reports (leading / stepped down), never for a fixed time.
 */
import { expect } from 'chai';
import { Lease, NotLeaderError } from '../../../coordinator/ha/lease.js';
import { LeaseKeeper, type LeadershipChange } from '../../../coordinator/ha/lease-keeper.js';
import { heartbeat, listReplicas } from '../../../coordinator/ha/replicas.js';
import { PgDatabase } from '../../../coordinator/store/pg-client.js';
import { migratePostgres } from '../../../coordinator/store/postgres-schema.js';
import { PostgresStore } from '../../../coordinator/store/postgres-store.js';
import type { PostgresStoreConfig } from '../../../coordinator/store/postgres-config.js';
import { FakeClock, systemClock, type Clock } from '../../../shared/clock.js';
import { ConvoyError } from '../../../shared/errors.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { postgresConfig, readTestPassword } from '../../helpers/postgres-config.js';
import { rollout } from '../store/store-contract.js';
import { waitFor } from '../../helpers/wait.js';

/** A keeper's reports, and a way to await the next one of a kind. */
class Reports {
  readonly seen: LeadershipChange[] = [];
  private waiters: { leading: boolean; resolve: (c: LeadershipChange) => void }[] = [];

  readonly onChange = (c: LeadershipChange): void => {
    this.seen.push(c);
    for (const w of this.waiters.filter((x) => x.leading === c.leading)) w.resolve(c);
    this.waiters = this.waiters.filter((x) => x.leading !== c.leading);
  };

  next(leading: boolean): Promise<LeadershipChange> {
    return new Promise((resolve) => this.waiters.push({ leading, resolve }));
  }
}

describe('coordinator/ha: the leader lease in PostgreSQL', () => {
  let cluster: PostgresCluster;
  let config: PostgresStoreConfig;
  let password: string | undefined;
  const dbs: PgDatabase[] = [];
  const keepers: LeaseKeeper[] = [];

  before(async () => (cluster = await startPostgres()));
  after(async () => cluster?.destroy());
  beforeEach(async () => {
    config = postgresConfig(cluster, await cluster.createDatabase('lease'));
    password = readTestPassword(config);
  });
  afterEach(async () => {
    for (const k of keepers.splice(0)) await k.stop();
    for (const db of dbs.splice(0)) await db.close();
  });

  /** A replica's own pool (as a separate convoyd process would have), on a migrated database. */
  async function replicaDb(): Promise<PgDatabase> {
    const db = new PgDatabase(config, { password });
    dbs.push(db);
    await migratePostgres(db);
    return db;
  }

  async function contender(id: string, lengthMs: number, clock: Clock = systemClock): Promise<{ db: PgDatabase; lease: Lease }> {
    const db = await replicaDb();
    return { db, lease: new Lease({ db, holderId: id, lengthMs, clock }) };
  }

  function keep(db: PgDatabase, lease: Lease, reports: Reports, renewEveryMs = 100): LeaseKeeper {
    const k = new LeaseKeeper({
      lease,
      db,
      clock: systemClock,
      address: `${lease.holderId}:7000`,
      onChange: reports.onChange,
      renewEveryMs,
    });
    keepers.push(k);
    k.start();
    return k;
  }

  it('lets exactly one of two contenders lead; the other sees who and under which epoch', async () => {
    const a = await contender('convoyd-a', 10_000);
    const b = await contender('convoyd-b', 10_000);
    const first = await Promise.all([a.lease.acquire(), b.lease.acquire()]);
    expect(first.filter((e) => e !== undefined)).to.deep.equal([1]);
    const [leader, standby] = first[0] === 1 ? [a, b] : [b, a];
    // again: the leader renews under the same epoch, the standby is still refused
    expect(await Promise.all([leader.lease.acquire(), standby.lease.acquire()])).to.deep.equal([1, undefined]);
    const state = await standby.lease.state();
    expect(state).to.include({ name: 'leader', holder: leader.lease.holderId, epoch: 1 });
    expect(state!.expiresAtMs).to.be.greaterThan(state!.dbNowMs);

    await heartbeat(a.db, 'convoyd-a', '10.0.0.1:7000');
    await heartbeat(b.db, 'convoyd-b', '10.0.0.2:7000');
    const replicas = await listReplicas(a.db);
    expect(replicas.map((r) => [r.id, r.leader, r.epoch])).to.deep.equal([
      [leader.lease.holderId, true, 1],
      [standby.lease.holderId, false, null],
    ]);
    expect(replicas[0]!.leaseAgeMs).to.be.at.least(0);
    expect(replicas[0]!.leadingForMs).to.be.at.least(replicas[0]!.leaseAgeMs!);
    expect(replicas[1]).to.include({ address: standby === a ? '10.0.0.1:7000' : '10.0.0.2:7000', leaseAgeMs: null });
  });

  it('hands the lease to a standby once a leader stops renewing, after the lease length, under a new epoch', async () => {
    const lengthMs = 1500;
    const a = await contender('convoyd-a', lengthMs);
    const b = await contender('convoyd-b', lengthMs);
    expect(await a.lease.acquire()).to.equal(1);
    const before = (await a.lease.state())!;
    const reports = new Reports();
    const leading = reports.next(true);
    keep(b.db, b.lease, reports);
    expect(await leading).to.deep.equal({ leading: true, epoch: 2 });
    const after = (await b.lease.state())!;
    expect(after).to.include({ holder: 'convoyd-b', epoch: 2 });
    // judged by the database's clock: not before the old lease's expiry
    expect(after.acquiredAtMs).to.be.at.least(before.expiresAtMs);
    expect(after.acquiredAtMs - before.renewedAtMs).to.be.at.least(lengthMs);
    // the old leader's own deadline had passed earlier still, and the database agrees
    expect(a.lease.heldEpoch()).to.equal(undefined);
    expect(await a.lease.renew()).to.equal(false);
  });

  it('hands over at once when the leader stops cleanly (it releases the lease)', async () => {
    const lengthMs = 10_000;
    const a = await contender('convoyd-a', lengthMs);
    const b = await contender('convoyd-b', lengthMs);
    const reportsA = new Reports();
    const aLeads = reportsA.next(true);
    const keeperA = keep(a.db, a.lease, reportsA);
    await aLeads;
    const reportsB = new Reports();
    const bLeads = reportsB.next(true);
    keep(b.db, b.lease, reportsB);
    const aStops = reportsA.next(false);
    const beforeStop = (await a.lease.state())!;
    await keeperA.stop();
    expect(await aStops).to.deep.equal({ leading: false, epoch: 1, reason: 'this replica is stopping' });
    expect(await bLeads).to.deep.equal({ leading: true, epoch: 2 });
    // before A's lease would have run out (renewals only push its expiry later)
    expect((await b.lease.state())!.acquiredAtMs).to.be.lessThan(beforeStop.expiresAtMs);
    const replicas = await listReplicas(b.db);
    expect(replicas.map((r) => [r.id, r.leader])).to.deep.equal([
      ['convoyd-b', true],
      ['convoyd-a', false],
    ]);
  });

  it("refuses a deposed leader's write in the database, in the write's own transaction, naming the new leader", async () => {
    // a frozen clock: the deposed leader believes it still leads (as after a long pause), so
    // only the database's check stands between it and the data
    const a = await contender('convoyd-a', 1000, new FakeClock());
    const b = await contender('convoyd-b', 1000);
    expect(await a.lease.acquire()).to.equal(1);
    const storeA = await PostgresStore.open(config, { db: a.db, guard: a.lease.fence(1) });
    await storeA.saveRollout(rollout('r-1', 'running'), []);

    const reports = new Reports();
    const leading = reports.next(true);
    keep(b.db, b.lease, reports);
    await leading;
    expect(a.lease.heldEpoch(), 'the deposed leader still believes it leads').to.equal(1);

    let refused: unknown;
    await storeA
      .saveRollout(rollout('r-2', 'running'), [{ atMs: 1, rolloutId: 'r-2', agentId: '', step: '', actor: 'a', kind: 'x', message: 'm' }])
      .catch((err) => (refused = err));
    expect(refused).to.be.instanceOf(NotLeaderError);
    expect((refused as NotLeaderError).message).to.equal(
      'convoyd convoyd-a may not write: its leader epoch 1 was superseded by epoch 2 (held by convoyd-b)',
    );
    expect((refused as NotLeaderError).leader).to.equal('convoyd-b');
    expect((refused as NotLeaderError).hint).to.equal(
      'The leader is convoyd-b; send writes there (convoy coordinators lists the replicas).',
    );
    // nothing of the refused transaction is stored; the new leader's fence lets it write
    const storeB = await PostgresStore.open(config, { db: b.db, guard: b.lease.fence(2) });
    expect(await storeB.getRollout('r-2')).to.equal(undefined);
    expect(await storeB.listEvents({ limit: 10 })).to.deep.equal([]);
    await storeB.saveRollout(rollout('r-2', 'running'), []);
    expect((await storeA.getRollout('r-2'))?.state).to.equal('running');
    // and a write under an epoch this replica never held is refused before reaching the database
    storeA.setWriteGuard(a.lease.fence(7));
    let local: unknown;
    await storeA.saveAgents([{ id: 'x', lastSeenMs: 1, data: '{}' }]).catch((err: unknown) => (local = err));
    expect((local as Error).message).to.equal('convoyd convoyd-a may not write: it no longer leads under epoch 7');
  });

  it('makes a takeover wait for a write in progress, so the write commits before the new epoch exists', async () => {
    const a = await contender('convoyd-a', 1000, new FakeClock());
    const b = await contender('convoyd-b', 1000);
    const observer = await replicaDb();
    expect(await a.lease.acquire()).to.equal(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // the leader's write passes its fence, then stays open past the lease's expiry
    const write = a.db.transaction(async (tx) => {
      await a.lease.fence(1)(tx);
      await tx.query("INSERT INTO agents (id, last_seen_ms, data) VALUES ('written-by-a', 1, '{}')");
      await gate;
    });
    const reports = new Reports();
    const leading = reports.next(true);
    keep(b.db, b.lease, reports);
    await waitFor(
      async () => {
        const { rows } = await observer.query<{ expired: boolean; waiting: number }>(
          `SELECT (SELECT expires_at <= clock_timestamp() FROM leases WHERE name = 'leader') AS expired,
             (SELECT COUNT(*)::int FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock') AS waiting`,
          [config.database],
        );
        return rows[0]!.expired && rows[0]!.waiting > 0;
      },
      { what: "the lease to expire with the standby's takeover waiting on the lease row", timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(reports.seen, 'no takeover while the write is open').to.deep.equal([]);
    release();
    await write;
    expect(await leading).to.deep.equal({ leading: true, epoch: 2 });
    const { rows } = await observer.query("SELECT id FROM agents WHERE id = 'written-by-a'");
    expect(rows).to.have.length(1);
  });

  it('steps a leader down when it cannot reach the database, before its lease expires there', async () => {
    const a = await contender('convoyd-a', 1500);
    const reports = new Reports();
    const leading = reports.next(true);
    keep(a.db, a.lease, reports, 200);
    await leading;
    const down = reports.next(false);
    await cluster.stop();
    try {
      const change = await down;
      const steppedDownAtMs = Date.now();
      expect(change).to.include({ leading: false, epoch: 1 });
      expect((change as { reason: string }).reason).to.match(
        /^could not renew the lease before its deadline: PostgreSQL postgres:\/\/convoy@127\.0\.0\.1:\d+\/lease_\d+ \(tls disable\) is unavailable/,
      );
      expect(a.lease.heldEpoch()).to.equal(undefined);
      await cluster.start();
      // the same machine's clocks: the database still counted the lease as live when it stepped down
      const state = (await a.lease.state())!;
      expect(state.expiresAtMs).to.be.greaterThan(steppedDownAtMs);
    } finally {
      if (!(await isUp(cluster))) await cluster.start();
    }
  });

  it("fails a leader's writes with a clear error while PostgreSQL is down, and takes them again once it is back or restarted", async () => {
    const a = await contender('convoyd-a', 10_000);
    const reports = new Reports();
    const leading = reports.next(true);
    keep(a.db, a.lease, reports, 500);
    const { epoch } = await leading;
    const store = await PostgresStore.open(config, { db: a.db, guard: a.lease.fence(epoch) });
    await store.saveRollout(rollout('r-1', 'running'), []);

    await cluster.stop();
    let failure: unknown;
    try {
      await store.saveRollout(rollout('r-2', 'running'), []).catch((err) => (failure = err));
    } finally {
      await cluster.start();
    }
    expect(failure).to.be.instanceOf(ConvoyError);
    expect((failure as ConvoyError).code).to.equal('UNAVAILABLE');
    expect((failure as ConvoyError).message).to.match(
      new RegExp(
        `^PostgreSQL postgres://convoy@127\\.0\\.0\\.1:${cluster.port}/${config.database} \\(tls disable\\) is unavailable: .*ECONNREFUSED`,
      ),
    );
    expect((failure as ConvoyError).hint).to.equal(
      `convoyd retries by itself; check that the database runs and answers (pg_isready -h 127.0.0.1 -p ${cluster.port}).`,
    );

    await store.saveRollout(rollout('r-2', 'running'), []);
    await cluster.restart();
    await store.saveRollout(rollout('r-3', 'running'), []);
    expect((await store.listRollouts({ limit: 10 })).map((r) => r.id)).to.deep.equal(['r-3', 'r-2', 'r-1']);
    // the outage was shorter than the lease: the leader never stepped down
    expect(reports.seen).to.deep.equal([{ leading: true, epoch }]);
    expect(a.lease.heldEpoch()).to.equal(epoch);
  });
});

async function isUp(cluster: PostgresCluster): Promise<boolean> {
  const db = new PgDatabase(postgresConfig(cluster, 'postgres'), { password: cluster.password });
  try {
    await db.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.close();
  }
}
