/** Rollouts stored as a document and one row per host: only changed hosts are written, and what is saved reloads identically. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { Rollout } from '../../../../coordinator/rollout/model.js';
import { createRollout } from '../../../../coordinator/rollout/planner.js';
import { rolloutChanges } from '../../../../coordinator/store/rollout-rows.js';
import { SqliteStore } from '../../../../coordinator/store/sqlite-store.js';

function rollout(id: string, hosts: number): Rollout {
  return createRollout({
    id,
    cluster: 'big',
    target: '0.2.0',
    initiator: 'test',
    now: 1000,
    ackPreapproved: false,
    maxParallel: 1,
    authHost: 'h-000',
    allowDowngrade: false,
    autoRollback: false,
    healthDeadlineMs: 60_000,
    hosts: Array.from({ length: hosts }, (_, i) => ({
      agentId: `h-${String(i).padStart(3, '0')}`,
      plan: ['backup', 'build'],
      rerunnable: [],
    })),
  });
}

/** The rollout after one step finished on host `i`. */
function stepOn(r: Rollout, i: number, at: number): Rollout {
  const next = structuredClone(r);
  next.updatedAtMs = at;
  next.hosts[i]!.state = 'updating';
  next.hosts[i]!.runs.push({
    requestId: `${r.id}.${i}.build.${at}`,
    step: 'build',
    phase: 'members',
    attempt: 1,
    outcome: 'succeeded',
    exitCode: 0,
    reason: '',
    startedAtMs: at - 5,
    finishedAtMs: at,
    outputTail: ['ok'],
  });
  return next;
}

describe('coordinator/store: rollout host rows', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-rollout-rows-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every host the first time, then only the hosts that changed', () => {
    const r = rollout('r-1', 4);
    const first = rolloutChanges(r, undefined);
    expect(first.replaceAll).to.equal(true);
    expect(first.hosts.map((h) => h.agentId)).to.deep.equal(['h-000', 'h-001', 'h-002', 'h-003']);
    const second = rolloutChanges(stepOn(r, 2, 2000), first.written);
    expect(second.replaceAll).to.equal(false);
    expect(second.hosts.map((h) => [h.agentId, h.ord])).to.deep.equal([['h-002', 2]]);
    expect(JSON.parse(second.doc)).to.deep.include({ id: 'r-1', updatedAtMs: 2000, hosts: [] });
  });

  it('reloads every saved rollout identically, across a restart and across a hundred single-host changes', () => {
    const file = path.join(dir, 'state.db');
    let store = new SqliteStore(file);
    let r = rollout('r-1', 120);
    store.saveRollout(r, []);
    for (let i = 0; i < 120; i++) {
      r = stepOn(r, i, 2000 + i);
      store.saveRollout(r, []);
    }
    expect(store.getRollout('r-1')).to.deep.equal(r);
    store.close();
    store = new SqliteStore(file);
    expect(store.unfinishedRollouts()).to.deep.equal([r]);
    r = stepOn(r, 7, 9000);
    store.saveRollout(r, []); // the first save after a start writes every host again
    expect(store.listRollouts({ limit: 5 })).to.deep.equal([r]);
    store.close();
  });

  it('writes one host row for a one-host change of a large rollout, not the whole rollout', () => {
    const file = path.join(dir, 'state.db');
    const store = new SqliteStore(file);
    let r = rollout('r-1', 500);
    store.saveRollout(r, []);
    r = stepOn(r, 250, 3000);
    store.saveRollout(r, []);
    store.close();
    const db = new Database(file, { readonly: true });
    const doc = db.prepare("SELECT length(data) AS n FROM rollouts WHERE id = 'r-1'").get() as { n: number };
    const rows = db.prepare("SELECT COUNT(*) AS n FROM rollout_hosts WHERE rollout_id = 'r-1'").get() as { n: number };
    db.close();
    expect(rows.n).to.equal(500);
    expect(doc.n).to.be.below(4000); // the document holds no host
  });

  it('reads a rollout written before hosts had rows (schema 2: hosts inside the document)', () => {
    const file = path.join(dir, 'state.db');
    new SqliteStore(file).close();
    const r = rollout('r-4', 3);
    const db = new Database(file);
    db.prepare(
      "INSERT INTO rollouts (id, seq, cluster, target, state, phase, created_at_ms, updated_at_ms, finished, data) VALUES ('r-4', 4, 'big', '0.2.0', 'pending', 'preflight', 1, 1, 0, ?)",
    ).run(JSON.stringify(r));
    db.close();
    const store = new SqliteStore(file);
    expect(store.getRollout('r-4')).to.deep.equal(r);
    store.close();
  });
});
