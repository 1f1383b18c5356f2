import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { SCHEMA_VERSION, SqliteStore } from '../../../../coordinator/store/sqlite-store.js';
import { ConvoyError } from '../../../../shared/errors.js';

/** A state file as the first Convoy wrote it: user_version 0, the hosts/step_runs/meta tables, one rollout. */
function firstConvoyStateFile(file: string): void {
  const db = new Database(file);
  db.exec(`
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE agents (id TEXT PRIMARY KEY, last_seen_ms INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE rollouts (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, cluster TEXT NOT NULL, target TEXT NOT NULL,
  state TEXT NOT NULL, phase TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
  finished INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE hosts (rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, role TEXT NOT NULL, ord INTEGER NOT NULL, state TEXT NOT NULL,
  from_version TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (rollout_id, agent_id));
CREATE TABLE step_runs (request_id TEXT PRIMARY KEY, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, step TEXT NOT NULL,
  attempt INTEGER NOT NULL, phase TEXT NOT NULL, outcome TEXT NOT NULL, exit_code INTEGER NOT NULL, reason TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL, finished_at_ms INTEGER NOT NULL, output_tail TEXT NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL,
  step TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE log_lines (seq INTEGER PRIMARY KEY AUTOINCREMENT, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, step TEXT NOT NULL,
  request_id TEXT NOT NULL, at_ms INTEGER NOT NULL, line TEXT NOT NULL);
CREATE TABLE schedules (name TEXT PRIMARY KEY, enabled_override INTEGER, last_window_start_ms INTEGER NOT NULL,
  last_window_end_ms INTEGER NOT NULL, last_run_at_ms INTEGER NOT NULL, last_outcome TEXT NOT NULL, last_rollout_id TEXT NOT NULL);`);
  const rollout = { id: 'r-7', cluster: 'hoss', target: '0.2.0', state: 'running', phase: 'members', hosts: [] };
  db.prepare('INSERT INTO rollouts VALUES (?, 7, ?, ?, ?, ?, 1, 2, 0, ?)').run(
    'r-7',
    'hoss',
    '0.2.0',
    'running',
    'members',
    JSON.stringify(rollout),
  );
  db.prepare(
    "INSERT INTO events (at_ms, rollout_id, agent_id, step, actor, kind, message) VALUES (1, 'r-7', '', '', 'alice', 'action', 'started')",
  ).run();
  db.close();
}

describe('coordinator/store: schema versions', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('migrates a state file of the first Convoy, after a copy, keeping every rollout and event', () => {
    const file = path.join(dir, 'state.db');
    firstConvoyStateFile(file);
    const store = new SqliteStore(file);
    expect(store.schemaVersion).to.equal(SCHEMA_VERSION);
    expect(store.unfinishedRollouts().map((r) => r.id)).to.deep.equal(['r-7']);
    expect(store.listEvents({ rolloutId: 'r-7', limit: 10 }).map((e) => e.message)).to.deep.equal(['started']);
    expect(store.nextRolloutId()).to.equal('r-8');
    store.close();
    const copy = `${file}.schema-0.bak`;
    expect(fs.statSync(copy).mode & 0o777).to.equal(0o600);
    const old = new Database(copy, { readonly: true });
    expect((old.prepare('SELECT COUNT(*) AS n FROM hosts').get() as { n: number }).n).to.equal(0);
    old.close();
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).to.not.include.members(['hosts', 'step_runs', 'meta']);
    db.close();
  });

  it('creates a new state file at the current version without a copy', () => {
    const file = path.join(dir, 'new.db');
    new SqliteStore(file).close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.bak'))).to.deep.equal([]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a state file written by a newer Convoy, naming both versions', () => {
    const file = path.join(dir, 'future.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let err: unknown;
    try {
      new SqliteStore(file);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConvoyError);
    expect((err as Error).message).to.equal(
      `state file ${file} was written by a newer Convoy (schema ${SCHEMA_VERSION + 1}; this convoyd knows up to ${SCHEMA_VERSION})`,
    );
  });
});
