/** Agent records written behind in batches: one transaction per turn of the event loop. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AgentWrites } from '../../../coordinator/fleet/agent-writes.js';
import { SqliteStore } from '../../../coordinator/store/sqlite-store.js';
import type { AgentStore, StoredAgent } from '../../../coordinator/store/store.js';
import { silentLogger } from '../../../shared/logger.js';

/** An AgentStore that remembers each batch it was asked to write. */
function recordingStore(): AgentStore & { batches: StoredAgent[][]; fail?: Error; isOpen: boolean } {
  const s = {
    batches: [] as StoredAgent[][],
    fail: undefined as Error | undefined,
    isOpen: true,
    saveAgents(agents: readonly StoredAgent[]) {
      if (s.fail) throw s.fail;
      s.batches.push([...agents]);
    },
    listAgents: () => [],
  };
  return s;
}

describe('agent record batches', () => {
  let turns: Array<() => void>;
  const defer = (f: () => void): void => {
    turns.push(f);
  };
  const endTurn = (): void => turns.splice(0).forEach((f) => f());
  beforeEach(() => {
    turns = [];
  });

  it('writes every agent that changed during one turn in one batch, each with its latest record', () => {
    const store = recordingStore();
    const writes = new AgentWrites(store, silentLogger(), defer);
    let seen = 1;
    writes.save('a', () => ({ id: 'a', lastSeenMs: seen, data: '{}' }));
    writes.save('b', () => ({ id: 'b', lastSeenMs: 7, data: '{}' }));
    seen = 2;
    writes.save('a', () => ({ id: 'a', lastSeenMs: seen, data: '{"x":1}' }));
    expect(turns).to.have.length(1);
    expect(store.batches).to.deep.equal([]);
    endTurn();
    expect(store.batches).to.deep.equal([
      [
        { id: 'b', lastSeenMs: 7, data: '{}' },
        { id: 'a', lastSeenMs: 2, data: '{"x":1}' },
      ],
    ]);
    writes.save('c', () => ({ id: 'c', lastSeenMs: 3, data: '{}' }));
    endTurn();
    expect(store.batches.map((b) => b.map((a) => a.id))).to.deep.equal([['b', 'a'], ['c']]);
  });

  it('writes nothing once the store is closed (convoyd stopping) and keeps going after a failed write', () => {
    const store = recordingStore();
    const writes = new AgentWrites(store, silentLogger(), defer);
    store.fail = new Error('disk full');
    writes.save('a', () => ({ id: 'a', lastSeenMs: 1, data: '{}' }));
    expect(() => endTurn()).not.to.throw();
    store.fail = undefined;
    writes.save('b', () => ({ id: 'b', lastSeenMs: 1, data: '{}' }));
    endTurn();
    expect(store.batches.map((b) => b.map((a) => a.id))).to.deep.equal([['b']]);
    store.isOpen = false;
    writes.save('c', () => ({ id: 'c', lastSeenMs: 1, data: '{}' }));
    expect(writes.flush()).to.equal(0);
    expect(store.batches).to.have.length(1);
  });

  it('reloads from SQLite what a batch wrote, record for record', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-agent-writes-'));
    try {
      const store = new SqliteStore(path.join(dir, 'state.db'));
      const writes = new AgentWrites(store, silentLogger(), defer);
      const records = Array.from({ length: 50 }, (_, i) => ({
        id: `sim-${String(i).padStart(3, '0')}`,
        lastSeenMs: i,
        data: `{"n":${i}}`,
      }));
      for (const r of records) writes.save(r.id, () => r);
      endTurn();
      expect(store.listAgents()).to.deep.equal(records);
      store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
