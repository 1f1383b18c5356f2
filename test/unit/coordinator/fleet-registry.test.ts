/** The fleet registry: duplicate agent ids, silent agents, and what survives a stopping convoyd. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Fleet, type AgentSession } from '../../../coordinator/fleet/registry.js';
import { SqliteStore } from '../../../coordinator/store/sqlite-store.js';
import { FakeClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/logger.js';
import type { Hello } from '../../../shared/wire.js';

const HEARTBEAT_TIMEOUT_MS = 20_000;

function hello(agentId: string): Hello {
  return {
    agentId,
    labels: {},
    serverDir: '/srv/hoss/server',
    agentVersion: '0.1.0',
    repo: { installedVersion: '0.1.0', commit: 'c0ffee', clean: true, tags: ['0.1.0'], branch: '', trackedBranch: '', dirtyDetail: '' },
    health: { healthy: true, version: '0.1.0', detail: '', checkedAtMs: 0, configured: true },
    plan: ['backup', 'build'],
    rerunnableSteps: ['backup', 'build'],
    backups: [],
    undelivered: [],
    inFlight: null,
    hostname: 'host-1',
    hasRestore: false,
    stepTimeoutsMs: { build: 60_000 },
    backupCompatibility: '',
    rollbackPlan: [],
    backupSteps: [],
    profile: '',
    protocolVersion: 1,
    backupKeepPerMinor: 3,
  };
}

/** A session that remembers whether the fleet closed it. */
function session(id: number): AgentSession & { closedWith?: string } {
  const s: AgentSession & { closedWith?: string } = {
    id,
    send: () => true,
    close: (reason) => {
      s.closedWith = reason;
    },
  };
  return s;
}

describe('coordinator fleet registry', () => {
  let dir: string;
  let store: SqliteStore;
  let clock: FakeClock;
  let fleet: Fleet;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-fleet-'));
    store = new SqliteStore(path.join(dir, 'state.db'));
    clock = new FakeClock();
    fleet = new Fleet({ store, clock, logger: silentLogger(), heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
  });

  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second connection with the id of a connected, heartbeating agent, naming the id', () => {
    const first = session(1);
    expect(fleet.register(hello('hoss-a'), first).ok).to.equal(true);
    clock.advance(HEARTBEAT_TIMEOUT_MS - 1);
    const second = fleet.register(hello('hoss-a'), session(2));
    expect(second).to.deep.include({ ok: false, code: 'ALREADY_EXISTS' });
    expect(second.ok ? '' : second.message).to.equal(
      'agent id hoss-a is already connected (from host-1, last heard 20s ago); two agents must not share an id',
    );
    expect(first.closedWith).to.equal(undefined);
    expect(fleet.get('hoss-a')?.session?.id).to.equal(1);
  });

  it('lets the second connection replace the first once the first has been silent for the heartbeat timeout', () => {
    const first = session(1);
    fleet.register(hello('hoss-a'), first);
    clock.advance(HEARTBEAT_TIMEOUT_MS);
    expect(fleet.register(hello('hoss-a'), session(2)).ok).to.equal(true);
    expect(first.closedWith).to.equal('replaced by a new connection of the same agent');
    expect(fleet.get('hoss-a')?.session?.id).to.equal(2);
    // the first session's late disconnect does not disconnect the second
    expect(fleet.disconnect('hoss-a', 1)).to.equal(false);
    expect(fleet.get('hoss-a')?.connected).to.equal(true);
  });

  it('marks an agent silent for longer than the heartbeat timeout disconnected, and not before', () => {
    const s = session(1);
    fleet.register(hello('hoss-a'), s);
    clock.advance(HEARTBEAT_TIMEOUT_MS);
    expect(fleet.sweep()).to.deep.equal([]);
    clock.advance(1);
    expect(fleet.sweep()).to.deep.equal(['hoss-a']);
    expect(fleet.facts('hoss-a')).to.deep.include({ connected: false, disconnectedAtMs: clock.now() - HEARTBEAT_TIMEOUT_MS - 1 });
    expect(s.closedWith).to.equal('no heartbeat');
  });

  it('records a disconnect that arrives after the store closed (convoyd stopping) in memory, without throwing', () => {
    fleet.register(hello('hoss-a'), session(1));
    store.close();
    expect(fleet.disconnect('hoss-a', 1)).to.equal(true);
    expect(fleet.get('hoss-a')?.connected).to.equal(false);
  });

  it('loads every known agent as disconnected since the restart, whenever it was last seen', () => {
    fleet.register(hello('hoss-a'), session(1));
    fleet.flush(); // as convoyd does before it closes the store
    clock.advance(3_600_000);
    const reloaded = new Fleet({ store, clock, logger: silentLogger(), heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    expect(reloaded.get('hoss-a')).to.deep.include({ id: 'hoss-a', connected: false, hostname: 'host-1' });
    expect(reloaded.get('hoss-a')?.stepTimeoutsMs).to.deep.equal({ build: 60_000 });
    expect(reloaded.facts('hoss-a')?.disconnectedAtMs).to.equal(clock.now());
  });

  it('lists agents in id order and pages through them after a given id, whoever joined in between', () => {
    for (const id of ['hoss-c', 'hoss-a', 'hoss-d', 'hoss-b']) fleet.register(hello(id), session(1));
    expect(fleet.list().map((a) => a.id)).to.deep.equal(['hoss-a', 'hoss-b', 'hoss-c', 'hoss-d']);
    const first = fleet.page('', 2);
    expect(first.agents.map((a) => a.id)).to.deep.equal(['hoss-a', 'hoss-b']);
    expect(first.nextAfter).to.equal('hoss-b');
    fleet.register(hello('hoss-bb'), session(2));
    const second = fleet.page(first.nextAfter, 2);
    expect(second.agents.map((a) => a.id)).to.deep.equal(['hoss-bb', 'hoss-c']);
    const last = fleet.page(second.nextAfter, 2);
    expect(last).to.deep.include({ nextAfter: '' });
    expect(last.agents.map((a) => a.id)).to.deep.equal(['hoss-d']);
    expect(fleet.page('hoss-zz', 2)).to.deep.equal({ agents: [], nextAfter: '' });
  });
});
