/**
 * What every AsyncStore must do, as one suite: run against SQLite (wrapped) and PostgreSQL by
 * store-contract.test.ts. A difference between the two is a bug in one of them; the controller
 * is written against this behaviour, not against either database.
 */
import { expect } from 'chai';
import type { AsyncStore } from '../../../coordinator/store/async-store.js';
import type { EventRecord, ScheduleState } from '../../../coordinator/store/store.js';
import type { Rollout } from '../../../coordinator/rollout/model.js';
import { MAX_EVENTS_PER_ROLLOUT } from '../../../coordinator/store/sqlite-store.js';

/** Opens a store on fresh, empty storage; `reopen` opens a second store on the same storage. */
export interface StoreFactory {
  open(): Promise<{ store: AsyncStore; reopen: () => Promise<AsyncStore> }>;
}

/** A rollout with what the store reads (id, cluster, state, times, hosts) and a payload to round-trip. */
export function rollout(id: string, state: Rollout['state'], extra: Partial<Rollout> = {}): Rollout {
  return {
    id,
    cluster: 'hoss',
    target: '0.2.0',
    state,
    phase: 'members',
    createdAtMs: 1_700_000_000_000,
    updatedAtMs: 1_700_000_000_500,
    reason: 'ünïcode reason — with "quotes"',
    hosts: [],
    ...extra,
  } as unknown as Rollout;
}

function event(rolloutId: string, message: string, atMs = 1): EventRecord {
  return { atMs, rolloutId, agentId: 'hoss-a', step: 'build', actor: 'alice', kind: 'action', message };
}

/** Registers the contract tests; call inside a describe(). */
export function storeContract(factory: StoreFactory): void {
  let store: AsyncStore;
  let reopen: () => Promise<AsyncStore>;
  const opened: AsyncStore[] = [];
  beforeEach(async () => {
    ({ store, reopen } = await factory.open());
    opened.push(store);
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('numbers rollouts r-1, r-2, … and continues after a restart', async () => {
    expect(await store.nextRolloutId()).to.equal('r-1');
    expect(await store.nextRolloutId()).to.equal('r-1'); // allocating is saving, not asking
    await store.saveRollout(rollout('r-1', 'succeeded'), []);
    await store.saveRollout(rollout('r-2', 'running'), []);
    const again = await reopen();
    opened.push(again);
    expect(await again.nextRolloutId()).to.equal('r-3');
    expect(again.schemaVersion).to.be.a('number').greaterThan(0);
  });

  it('keeps a rollout whole and replaces it on each save', async () => {
    const r = rollout('r-1', 'running', { maxParallel: 2, autoRollback: true });
    await store.saveRollout(r, []);
    expect(await store.getRollout('r-1')).to.deep.equal(r);
    const paused = { ...r, state: 'paused' as const, updatedAtMs: r.updatedAtMs + 1, reason: 'window closed' };
    await store.saveRollout(paused, []);
    expect(await store.getRollout('r-1')).to.deep.equal(paused);
    expect(await store.getRollout('r-9')).to.equal(undefined);
  });

  it('lists rollouts newest first, by cluster, and the unfinished ones oldest first', async () => {
    await store.saveRollout(rollout('r-1', 'succeeded'), []);
    await store.saveRollout(rollout('r-2', 'running', { cluster: 'other' }), []);
    await store.saveRollout(rollout('r-3', 'paused'), []);
    const rolledBack = { agentId: 'hoss-a', rollback: { done: false } };
    await store.saveRollout(rollout('r-4', 'failed', { hosts: [rolledBack] } as unknown as Partial<Rollout>), []);
    expect((await store.listRollouts({ limit: 10 })).map((r) => r.id)).to.deep.equal(['r-4', 'r-3', 'r-2', 'r-1']);
    expect((await store.listRollouts({ limit: 2 })).map((r) => r.id)).to.deep.equal(['r-4', 'r-3']);
    expect((await store.listRollouts({ limit: 10, cluster: 'hoss' })).map((r) => r.id)).to.deep.equal(['r-4', 'r-3', 'r-1']);
    // a failed rollout whose rollback is still running has work left
    expect((await store.unfinishedRollouts()).map((r) => r.id)).to.deep.equal(['r-2', 'r-3', 'r-4']);
  });

  it('writes a rollout and the events of its transition together, or neither', async () => {
    await store.saveRollout(rollout('r-1', 'pending'), [event('r-1', 'created')]);
    const bad = { ...event('r-1', 'never stored'), message: null } as unknown as EventRecord;
    let failed = false;
    try {
      await store.saveRollout(rollout('r-1', 'running'), [event('r-1', 'started'), bad]);
    } catch {
      failed = true;
    }
    expect(failed, 'an event that cannot be stored fails the save').to.equal(true);
    expect((await store.getRollout('r-1'))?.state).to.equal('pending');
    expect((await store.listEvents({ rolloutId: 'r-1', limit: 10 })).map((e) => e.message)).to.deep.equal(['created']);
  });

  it('lists the newest events oldest first, per rollout or all, with increasing sequence numbers', async () => {
    await store.saveRollout(rollout('r-1', 'running'), [event('r-1', 'a'), event('r-1', 'b')]);
    await store.appendEvents([event('', 'agent hoss-b connected'), event('r-1', 'c')]);
    const all = await store.listEvents({ limit: 10 });
    expect(all.map((e) => e.message)).to.deep.equal(['a', 'b', 'agent hoss-b connected', 'c']);
    expect(all[0]).to.include({ atMs: 1, rolloutId: 'r-1', agentId: 'hoss-a', step: 'build', actor: 'alice', kind: 'action' });
    const seqs = all.map((e) => e.seq!);
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    expect((await store.listEvents({ rolloutId: 'r-1', limit: 2 })).map((e) => e.message)).to.deep.equal(['b', 'c']);
  });

  it(`keeps at most ${MAX_EVENTS_PER_ROLLOUT} events of a rollout, the last one saying so`, async () => {
    const many = Array.from({ length: MAX_EVENTS_PER_ROLLOUT + 5 }, (_, i) => event('r-1', `e${i}`));
    await store.appendEvents(many);
    await store.appendEvents([event('r-1', 'later')]);
    const last = await store.listEvents({ rolloutId: 'r-1', limit: 2 });
    expect(last.map((e) => e.message)).to.deep.equal([
      `e${MAX_EVENTS_PER_ROLLOUT - 2}`,
      `[convoy: rollout r-1 has ${MAX_EVENTS_PER_ROLLOUT} events; later ones are not recorded]`,
    ]);
    expect(last[1]).to.include({ actor: 'convoyd', kind: 'limit' });
    expect(await store.listEvents({ rolloutId: 'r-1', limit: MAX_EVENTS_PER_ROLLOUT + 10 })).to.have.length(MAX_EVENTS_PER_ROLLOUT);
  });

  it('remembers agents by id, the last save winning, within a batch and across batches', async () => {
    await store.saveAgents([{ id: 'hoss-b', lastSeenMs: 5, data: '{"v":"0.1.0"}' }]);
    await store.saveAgents([
      { id: 'hoss-a', lastSeenMs: 6, data: '{"v":"0.0.9"}' },
      { id: 'hoss-a', lastSeenMs: 6, data: '{}' },
      { id: 'hoss-b', lastSeenMs: 7, data: '{"v":"0.2.0"}' },
    ]);
    await store.saveAgents([]);
    expect(await store.listAgents()).to.deep.equal([
      { id: 'hoss-a', lastSeenMs: 6, data: '{}' },
      { id: 'hoss-b', lastSeenMs: 7, data: '{"v":"0.2.0"}' },
    ]);
    expect(store.isOpen).to.equal(true);
  });

  it('stores step output in order, reads it after a sequence number with filters, and measures it in UTF-8 bytes', async () => {
    const first = await store.appendLogLines('r-1', 'hoss-a', 'build', 'q-1', 10, ['compiling', 'héllo']);
    expect(first.map((l) => l.line)).to.deep.equal(['compiling', 'héllo']);
    expect(first[1]!.seq).to.be.greaterThan(first[0]!.seq);
    await store.appendLogLines('r-1', 'hoss-b', 'up', 'q-2', 11, ['started']);
    await store.appendLogLines('r-2', 'hoss-a', 'build', 'q-3', 12, ['other rollout']);
    expect((await store.listLogLines('r-1', 0, {})).map((l) => l.line)).to.deep.equal(['compiling', 'héllo', 'started']);
    expect((await store.listLogLines('r-1', first[0]!.seq, {})).map((l) => l.line)).to.deep.equal(['héllo', 'started']);
    expect((await store.listLogLines('r-1', 0, { host: 'hoss-b' })).map((l) => l.line)).to.deep.equal(['started']);
    expect((await store.listLogLines('r-1', 0, { step: 'build' }))[1]).to.deep.equal({ ...first[1] });
    expect(await store.sizeOfRun('q-1')).to.deep.equal({ lines: 2, bytes: 'compiling'.length + 6 });
    expect(await store.sizeOfRollout('r-1')).to.deep.equal({ lines: 3, bytes: 15 + 'started'.length });
    expect(await store.totalSize()).to.deep.equal({ lines: 4, bytes: 22 + 'other rollout'.length });
  });

  it('deletes output and events of finished rollouts for retention, oldest finished first', async () => {
    await store.saveRollout(rollout('r-1', 'succeeded', { updatedAtMs: 100 }), [event('r-1', 'done')]);
    await store.saveRollout(rollout('r-2', 'failed', { updatedAtMs: 50 }), [event('r-2', 'failed')]);
    await store.saveRollout(rollout('r-3', 'running', { updatedAtMs: 10 }), [event('r-3', 'running')]);
    for (const id of ['r-1', 'r-2', 'r-3']) await store.appendLogLines(id, 'hoss-a', 'build', `q-${id}`, 5, ['x', 'yy']);
    await store.appendLogLines('r-gone', 'hoss-a', 'build', 'q-gone', 5, ['orphan']);
    await store.appendEvents([event('', 'fleet event', 5)]);
    expect(await store.oldestFinishedWithOutput()).to.equal('r-2');
    expect(await store.deleteOutputOf('r-2')).to.deep.equal({ lines: 2, bytes: 3 });
    expect(await store.oldestFinishedWithOutput()).to.equal('r-1');
    expect(await store.deleteFinishedBefore(101)).to.deep.equal({ rollouts: 2, lines: 3, events: 3 });
    expect(await store.totalSize()).to.deep.equal({ lines: 2, bytes: 3 });
    expect((await store.listEvents({ limit: 10 })).map((e) => e.message)).to.deep.equal(['running']);
    expect(await store.oldestFinishedWithOutput()).to.equal(undefined);
  });

  it('remembers schedule state, including "as the config says" (null)', async () => {
    const s: ScheduleState = {
      name: 'nightly',
      enabledOverride: null,
      lastWindowStartMs: 1000,
      lastWindowEndMs: 2000,
      lastRunAtMs: 1500,
      lastOutcome: 'started r-4 to 0.2.0',
      lastRolloutId: 'r-4',
    };
    await store.saveScheduleState(s);
    await store.saveScheduleState({ ...s, name: 'adhoc', enabledOverride: false });
    await store.saveScheduleState({ ...s, enabledOverride: true, lastOutcome: 'up to date' });
    expect(await store.listScheduleStates()).to.deep.equal([
      { ...s, name: 'adhoc', enabledOverride: false },
      { ...s, enabledOverride: true, lastOutcome: 'up to date' },
    ]);
  });

  it('says it is closed once closed, and closing twice is harmless', async () => {
    await store.close();
    expect(store.isOpen).to.equal(false);
    await store.close();
  });
}
