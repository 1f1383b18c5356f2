import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Retention } from '../../../../coordinator/logs/retention.js';
import type { Rollout } from '../../../../coordinator/rollout/model.js';
import { MAX_EVENTS_PER_ROLLOUT, SqliteStore } from '../../../../coordinator/store/sqlite-store.js';
import { FakeClock } from '../../../../shared/clock.js';
import { silentLogger } from '../../../../shared/logger.js';

const DAY = 86_400_000;

function rollout(id: string, state: Rollout['state'], updatedAtMs: number): Rollout {
  return {
    id,
    cluster: 'hoss',
    target: '0.2.0',
    state,
    phase: 'done',
    createdAtMs: updatedAtMs,
    updatedAtMs,
    hosts: [],
  } as unknown as Rollout;
}

describe('retention of step output and events (coordinator/logs/retention.ts, store/log-tables.ts)', () => {
  let dir: string;
  let store: SqliteStore;
  let clock: FakeClock;
  const output = (id: string, n: number, chars = 1000): void =>
    void store.appendLogLines(
      id,
      'hoss-a',
      'build',
      `${id}.hoss-a.build.1`,
      clock.now(),
      Array.from({ length: n }, () => 'x'.repeat(chars)),
    );
  const event = (rolloutId: string, message = 'something happened'): void =>
    store.appendEvents([{ atMs: clock.now(), rolloutId, agentId: '', step: '', actor: 'convoyd', kind: 'transition', message }]);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-retention-'));
    store = new SqliteStore(path.join(dir, 'state.db'));
    clock = new FakeClock();
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deletes the output and events of rollouts finished more than maxAge ago, and keeps the rest', () => {
    store.saveRollout(rollout('r-1', 'succeeded', clock.now()), []);
    store.saveRollout(rollout('r-2', 'running', clock.now()), []);
    output('r-1', 10);
    output('r-2', 10);
    event('r-1');
    event('r-2');
    event('');
    clock.advance(31 * DAY);
    store.saveRollout(rollout('r-3', 'failed', clock.now()), []);
    output('r-3', 10);
    new Retention({ store, config: { maxAgeMs: 30 * DAY, maxLogBytes: 1024 ** 3 }, clock, logger: silentLogger() }).sweep();
    expect(store.listLogLines('r-1', 0, {})).to.deep.equal([]);
    expect(store.listLogLines('r-2', 0, {}), 'an unfinished rollout is never pruned').to.have.length(10);
    expect(store.listLogLines('r-3', 0, {})).to.have.length(10);
    expect(store.listEvents({ limit: 100 }).map((e) => e.rolloutId)).to.deep.equal(['r-2']);
    expect(store.getRollout('r-1')?.state, 'its status stays').to.equal('succeeded');
  });

  it('makes room under maxLogSize by deleting the oldest finished rollouts first, saying so in their events', () => {
    for (const [id, state] of [
      ['r-1', 'succeeded'],
      ['r-2', 'failed'],
      ['r-3', 'running'],
    ] as const) {
      store.saveRollout(rollout(id, state, clock.now()), []);
      clock.advance(1000);
      output(id, 100); // 100 kB each
    }
    const retention = new Retention({ store, config: { maxAgeMs: 30 * DAY, maxLogBytes: 350_000 }, clock, logger: silentLogger() });
    expect(retention.storedBytes).to.equal(300_000);
    expect(retention.reserve(100_000)).to.equal(100_000);
    expect(store.listLogLines('r-1', 0, {}), 'the oldest finished goes').to.deep.equal([]);
    expect(store.listLogLines('r-2', 0, {})).to.have.length(100);
    expect(store.listEvents({ rolloutId: 'r-1', limit: 10 })[0]?.message).to.match(
      /^step output deleted \(100 line\(s\), 97\.7 KiB\): the stored output of all rollouts reached 341\.8 KiB \(retention\.maxLogSize\)/,
    );
    expect(retention.reserve(200_000), 'only r-2 can go; the running rollout stays').to.equal(150_000);
    expect(store.listLogLines('r-3', 0, {})).to.have.length(100);
    expect(retention.reserve(1)).to.equal(0);
  });

  it(`records at most ${MAX_EVENTS_PER_ROLLOUT} events per rollout, the last one saying so`, () => {
    const many = Array.from({ length: MAX_EVENTS_PER_ROLLOUT + 50 }, (_, i) => ({
      atMs: clock.now(),
      rolloutId: 'r-1',
      agentId: 'hoss-a',
      step: '',
      actor: 'convoyd',
      kind: 'transition',
      message: `event ${i}`,
    }));
    store.appendEvents(many.slice(0, 100));
    store.appendEvents(many.slice(100));
    event('r-2');
    const events = store.listEvents({ rolloutId: 'r-1', limit: 1000 });
    expect(events.at(-1)?.message).to.equal(`[convoy: rollout r-1 has ${MAX_EVENTS_PER_ROLLOUT} events; later ones are not recorded]`);
    expect(events.at(-2)?.message).to.equal(`event ${MAX_EVENTS_PER_ROLLOUT - 2}`);
    expect(store.listEvents({ rolloutId: 'r-2', limit: 10 })).to.have.length(1);
  });
});
