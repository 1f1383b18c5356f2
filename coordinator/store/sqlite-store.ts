/**
 * The coordinator's embedded state: SQLite in WAL mode via better-sqlite3 (the only importer).
 * Every rollout change is written in one transaction together with its events, before the
 * controller performs any effect.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { ConvoyError } from '../../shared/errors.js';
import { describeStorageError, isLocked, stateFileInUse, storageFix } from './storage-errors.js';
import type { EventRecord, OutputSize, ScheduleState, Store, StoredAgent, StoredLogLine } from './store.js';
import type { Rollout } from '../rollout/model.js';
import { LogTables } from './log-tables.js';
import { RolloutTables } from './rollout-tables.js';

export type { EventRecord, OutputSize, ScheduleState, StoredAgent, StoredLogLine } from './store.js';

export const MAX_EVENTS_PER_ROLLOUT = 10_000;
/** Rollouts whose event count is remembered (the least recently used is counted again when needed). */
const EVENT_COUNTS_KEPT = 1000;

/**
 * The schema, one migration per version, run in order at start (the file's version is SQLite's
 * user_version). Version 1 is the schema of the first Convoy; version 2 keeps each rollout as
 * one document (the hosts, step_runs and meta tables were written and never read); version 3
 * keeps each host of a rollout in a row of its own (rollout-rows.ts), so a change writes only
 * the hosts it changed.
 */
const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY, last_seen_ms INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rollouts (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, cluster TEXT NOT NULL, target TEXT NOT NULL,
  state TEXT NOT NULL, phase TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
  finished INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rollouts_unfinished ON rollouts (finished, seq);
CREATE TABLE IF NOT EXISTS hosts (
  rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, role TEXT NOT NULL, ord INTEGER NOT NULL, state TEXT NOT NULL,
  from_version TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (rollout_id, agent_id));
CREATE TABLE IF NOT EXISTS step_runs (
  request_id TEXT PRIMARY KEY, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, step TEXT NOT NULL,
  attempt INTEGER NOT NULL, phase TEXT NOT NULL, outcome TEXT NOT NULL, exit_code INTEGER NOT NULL, reason TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL, finished_at_ms INTEGER NOT NULL, output_tail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS step_runs_rollout ON step_runs (rollout_id);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL,
  step TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_rollout ON events (rollout_id, seq);
CREATE TABLE IF NOT EXISTS log_lines (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, step TEXT NOT NULL,
  request_id TEXT NOT NULL, at_ms INTEGER NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS log_lines_rollout ON log_lines (rollout_id, seq);
CREATE TABLE IF NOT EXISTS schedules (
  name TEXT PRIMARY KEY, enabled_override INTEGER, last_window_start_ms INTEGER NOT NULL, last_window_end_ms INTEGER NOT NULL,
  last_run_at_ms INTEGER NOT NULL, last_outcome TEXT NOT NULL, last_rollout_id TEXT NOT NULL);
`,
  },
  { version: 2, sql: 'DROP TABLE IF EXISTS hosts; DROP TABLE IF EXISTS step_runs; DROP TABLE IF EXISTS meta;' },
  {
    version: 3,
    sql: `
CREATE TABLE IF NOT EXISTS rollout_hosts (
  rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, ord INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (rollout_id, agent_id));`,
  },
];

/** How long opening the state file waits for another process to let go of it. */
const OPEN_WAIT_MS = 5000;

/** The schema version this convoyd writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** The SQLite store. Synchronous on purpose: a transition is load -> transform -> persist without interleaving. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  readonly schemaVersion: number;
  /** Set when this start migrated a file that held data: the version it had and where its copy is kept. */
  readonly migrated: { fromVersion: number; copy: string } | undefined;
  /** Step output (log_lines): sizes and retention deletions. */
  readonly logs: LogTables;
  private readonly eventCounts = new Map<string, number>();
  /** Rollouts: documents and host rows. */
  private readonly rollouts: RolloutTables;

  /** `openWaitMs`: how long to wait for another process to let go of the file (default OPEN_WAIT_MS). */
  constructor(file: string, opts: { openWaitMs?: number } = {}) {
    const existed = fs.existsSync(file);
    if (existed && fs.statSync(file).isDirectory())
      throw new ConvoyError(
        'FAILED_PRECONDITION',
        `state file ${file} is a directory`,
        'Set stateFile to a file path (e.g. /var/lib/convoyd/state.db).',
      );
    try {
      this.db = new Database(file, { timeout: opts.openWaitMs ?? OPEN_WAIT_MS });
      if (!existed) fs.chmodSync(file, 0o600);
      // Held until close: a second convoyd (or `convoy admin snapshot restore`) on this file is
      // refused instead of sharing it, and the WAL index lives in memory (no -shm file).
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      // the lock is taken by the first read: now, so that an open file fails here with its reason
      this.db.pragma('schema_version');
    } catch (err) {
      if (isLocked(err)) throw stateFileInUse(file);
      const why = describeStorageError(err);
      throw new ConvoyError(
        'FAILED_PRECONDITION',
        `cannot open the state file ${file}: ${why}`,
        `${storageFix(why)[0]?.toUpperCase()}${storageFix(why).slice(1)}, then start convoyd again.`,
      );
    }
    const found = Number(this.db.pragma('user_version', { simple: true }));
    const copy = migrate(this.db, file);
    this.schemaVersion = SCHEMA_VERSION;
    this.migrated = copy === undefined ? undefined : { fromVersion: found, copy };
    this.logs = new LogTables(this.db);
    this.rollouts = new RolloutTables(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Writes an online, consistent copy of the whole state into `file` (which must exist, empty:
   * the caller creates it with its mode) with SQLite's backup API, through this connection: the
   * writes convoyd makes meanwhile are part of the copy, which is as of the moment it ends.
   */
  async backupTo(file: string): Promise<void> {
    await this.db.backup(file);
  }

  /** False once closed: while convoyd stops, late agent disconnects must not write (see Fleet). */
  get isOpen(): boolean {
    return this.db.open;
  }

  /** Allocates the next rollout id ("r-1", "r-2", …), stable across restarts. */
  nextRolloutId(): string {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM rollouts').get() as { n: number };
    return `r-${row.n}`;
  }

  /** Persists a rollout (its document and the host rows that changed) and the events of its transition, atomically. */
  saveRollout(r: Rollout, events: EventRecord[]): void {
    this.rollouts.save(r, () => this.insertEvents(events));
  }

  getRollout(id: string): Rollout | undefined {
    return this.rollouts.get(id);
  }

  listRollouts(opts: { limit: number; cluster?: string }): Rollout[] {
    return this.rollouts.list(opts);
  }

  unfinishedRollouts(): Rollout[] {
    return this.rollouts.unfinished();
  }

  appendEvents(events: EventRecord[]): void {
    this.db.transaction(() => this.insertEvents(events))();
  }

  /** Inserts events, at most MAX_EVENTS_PER_ROLLOUT per rollout (the last one kept says so). */
  private insertEvents(events: EventRecord[]): void {
    const stmt = this.db.prepare(
      'INSERT INTO events (at_ms, rollout_id, agent_id, step, actor, kind, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of events) {
      const count = e.rolloutId ? this.eventCount(e.rolloutId) : 0;
      if (count >= MAX_EVENTS_PER_ROLLOUT) continue;
      const last = count === MAX_EVENTS_PER_ROLLOUT - 1;
      const message = last
        ? `[convoy: rollout ${e.rolloutId} has ${MAX_EVENTS_PER_ROLLOUT} events; later ones are not recorded]`
        : e.message;
      stmt.run(e.atMs, e.rolloutId, e.agentId, e.step, last ? 'convoyd' : e.actor, last ? 'limit' : e.kind, message);
      if (e.rolloutId) this.eventCounts.set(e.rolloutId, count + 1);
    }
  }

  /** Events stored for a rollout; remembered for the most recent EVENT_COUNTS_KEPT rollouts. */
  private eventCount(rolloutId: string): number {
    let count = this.eventCounts.get(rolloutId);
    if (count === undefined) {
      count = (this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE rollout_id = ?').get(rolloutId) as { n: number }).n;
    } else this.eventCounts.delete(rolloutId); // re-inserted below: Map order is least recently used first
    this.eventCounts.set(rolloutId, count);
    if (this.eventCounts.size > EVENT_COUNTS_KEPT) this.eventCounts.delete(this.eventCounts.keys().next().value as string);
    return count;
  }

  /** Forgets remembered event counts (after retention deleted events). */
  forgetEventCounts(): void {
    this.eventCounts.clear();
  }

  listEvents(opts: { rolloutId?: string; limit: number }): EventRecord[] {
    const rows = opts.rolloutId
      ? this.db
          .prepare('SELECT * FROM (SELECT * FROM events WHERE rollout_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq')
          .all(opts.rolloutId, opts.limit)
      : this.db.prepare('SELECT * FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(opts.limit);
    return (rows as Record<string, unknown>[]).map((row) => ({
      seq: row.seq as number,
      atMs: row.at_ms as number,
      rolloutId: row.rollout_id as string,
      agentId: row.agent_id as string,
      step: row.step as string,
      actor: row.actor as string,
      kind: row.kind as string,
      message: row.message as string,
    }));
  }

  saveAgents(agents: readonly StoredAgent[]): void {
    const stmt = this.db.prepare(
      'INSERT INTO agents (id, last_seen_ms, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET last_seen_ms=excluded.last_seen_ms, data=excluded.data',
    );
    this.db.transaction(() => {
      for (const a of agents) stmt.run(a.id, a.lastSeenMs, a.data);
    })();
  }

  listAgents(): StoredAgent[] {
    const rows = this.db.prepare('SELECT id, last_seen_ms, data FROM agents ORDER BY id').all() as {
      id: string;
      last_seen_ms: number;
      data: string;
    }[];
    return rows.map((r) => ({ id: r.id, lastSeenMs: r.last_seen_ms, data: r.data }));
  }

  /** Appends output lines of one step run (already within the limits of coordinator/logs/); returns them as stored. */
  appendLogLines(rolloutId: string, agentId: string, step: string, requestId: string, atMs: number, lines: string[]): StoredLogLine[] {
    return this.logs.append(rolloutId, agentId, step, requestId, atMs, lines);
  }

  listLogLines(rolloutId: string, afterSeq: number, filter: { host?: string; step?: string }): StoredLogLine[] {
    return this.logs.list(rolloutId, afterSeq, filter);
  }

  sizeOfRun(requestId: string): OutputSize {
    return this.logs.sizeOfRun(requestId);
  }

  sizeOfRollout(rolloutId: string): OutputSize {
    return this.logs.sizeOfRollout(rolloutId);
  }

  totalSize(): OutputSize {
    return this.logs.totalSize();
  }

  oldestFinishedWithOutput(): string | undefined {
    return this.logs.oldestFinishedWithOutput();
  }

  deleteOutputOf(rolloutId: string): OutputSize {
    return this.logs.deleteOutputOf(rolloutId);
  }

  deleteFinishedBefore(cutoffMs: number): { rollouts: number; lines: number; events: number } {
    const gone = this.logs.deleteFinishedBefore(cutoffMs);
    if (gone.events > 0) this.eventCounts.clear();
    return gone;
  }

  /** What convoyd remembers of each schedule (enabled overrides, the last window and its outcome). */
  listScheduleStates(): ScheduleState[] {
    const rows = this.db.prepare('SELECT * FROM schedules ORDER BY name').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      name: r.name as string,
      enabledOverride: r.enabled_override === null ? null : r.enabled_override === 1,
      lastWindowStartMs: r.last_window_start_ms as number,
      lastWindowEndMs: r.last_window_end_ms as number,
      lastRunAtMs: r.last_run_at_ms as number,
      lastOutcome: r.last_outcome as string,
      lastRolloutId: r.last_rollout_id as string,
    }));
  }

  saveScheduleState(s: ScheduleState): void {
    this.db
      .prepare(
        `INSERT INTO schedules (name, enabled_override, last_window_start_ms, last_window_end_ms, last_run_at_ms, last_outcome, last_rollout_id)
         VALUES (@name, @enabled, @start, @end, @runAt, @outcome, @rolloutId)
         ON CONFLICT(name) DO UPDATE SET enabled_override=@enabled, last_window_start_ms=@start, last_window_end_ms=@end,
           last_run_at_ms=@runAt, last_outcome=@outcome, last_rollout_id=@rolloutId`,
      )
      .run({
        name: s.name,
        enabled: s.enabledOverride === null ? null : s.enabledOverride ? 1 : 0,
        start: s.lastWindowStartMs,
        end: s.lastWindowEndMs,
        runAt: s.lastRunAtMs,
        outcome: s.lastOutcome,
        rolloutId: s.lastRolloutId,
      });
  }
}

/**
 * Brings the state file to SCHEMA_VERSION: refuses a file a newer Convoy wrote, copies an
 * existing file aside (`<file>.schema-<n>.bak`, a consistent copy) before changing it, then runs
 * each missing migration in a transaction. Returns the copy's path when one was taken.
 */
function migrate(db: Database.Database, file: string): string | undefined {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > SCHEMA_VERSION) {
    throw new ConvoyError(
      'FAILED_PRECONDITION',
      `state file ${file} was written by a newer Convoy (schema ${current}; this convoyd knows up to ${SCHEMA_VERSION})`,
      'Run the Convoy version that wrote it, or start this one with a state file from a snapshot it wrote (docs/upgrading.md).',
    );
  }
  if (current === SCHEMA_VERSION) return undefined;
  const hasData =
    (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'rollouts'").get() as { n: number }).n > 0;
  let copy: string | undefined;
  if (hasData) {
    copy = `${file}.schema-${current}.bak`;
    fs.rmSync(copy, { force: true });
    db.prepare('VACUUM INTO ?').run(copy);
    fs.chmodSync(copy, 0o600);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return copy;
}
