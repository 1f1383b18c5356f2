/**
 * convoyd's state in PostgreSQL: the AsyncStore that several replicas share.
 *
 * Every write runs in one transaction that first calls the write guard, when one is given: the
 * leader lease's fence (coordinator/ha/lease.ts), which refuses the transaction in the database
 * itself once a newer leader exists. A rollout and the events of its transition commit together
 * or not at all, exactly as in SQLite. Step output lives in postgres-logs.ts.
 */
import type { AsyncStore } from './async-store.js';
import type { EventRecord, OutputSize, ScheduleState, StoredAgent, StoredLogLine } from './store.js';
import type { Rollout } from '../rollout/model.js';
import { needsWork } from '../rollout/model.js';
import { MAX_EVENTS_PER_ROLLOUT } from './sqlite-store.js';
import { PgDatabase, type PgOpenOptions, type SqlRunner } from './pg-client.js';
import type { PostgresStoreConfig } from './postgres-config.js';
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from './postgres-schema.js';
import { PostgresLogs } from './postgres-logs.js';

/** Runs first in every write transaction; throws to refuse the write (see coordinator/ha/lease.ts). */
export type WriteGuard = (tx: SqlRunner) => Promise<void>;

/** The PostgreSQL store. Open it with `PostgresStore.open` (connects and migrates). */
export class PostgresStore implements AsyncStore {
  readonly schemaVersion = POSTGRES_SCHEMA_VERSION;
  private readonly logs: PostgresLogs;

  private constructor(
    readonly db: PgDatabase,
    /** The schema version the database had before this start (0: it was empty). */
    readonly foundSchemaVersion: number,
    private guard: WriteGuard | undefined,
    private readonly ownsDb: boolean,
  ) {
    this.logs = new PostgresLogs(db, (fn) => this.write(fn));
  }

  /**
   * Connects to the database and brings its schema up to date. `db` may be given to share one
   * pool with the lease; then close() leaves it open for its owner.
   */
  static async open(
    config: PostgresStoreConfig,
    opts: PgOpenOptions & { guard?: WriteGuard; db?: PgDatabase } = {},
  ): Promise<PostgresStore> {
    const db = opts.db ?? new PgDatabase(config, opts);
    try {
      const found = await migratePostgres(db);
      return new PostgresStore(db, found, opts.guard, opts.db === undefined);
    } catch (err) {
      if (opts.db === undefined) await db.close();
      throw err;
    }
  }

  /** Sets the guard every later write runs first (the leader's fence once it leads). */
  setWriteGuard(guard: WriteGuard | undefined): void {
    this.guard = guard;
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  async close(): Promise<void> {
    if (this.ownsDb) await this.db.close();
  }

  /** One transaction: the guard, then `fn`. */
  private write<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      if (this.guard) await this.guard(tx);
      return fn(tx);
    });
  }

  async nextRolloutId(): Promise<string> {
    const { rows } = await this.db.query<{ n: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM rollouts');
    return `r-${rows[0]!.n}`;
  }

  async saveRollout(r: Rollout, events: EventRecord[]): Promise<void> {
    const seq = Number(r.id.replace(/^r-/, '')) || 0;
    await this.write(async (tx) => {
      await tx.query(
        `INSERT INTO rollouts (id, seq, cluster, target, state, phase, created_at_ms, updated_at_ms, finished, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, phase = EXCLUDED.phase, updated_at_ms = EXCLUDED.updated_at_ms,
           finished = EXCLUDED.finished, data = EXCLUDED.data`,
        [r.id, seq, r.cluster, r.target, r.state, r.phase, r.createdAtMs, r.updatedAtMs, !needsWork(r), JSON.stringify(r)],
      );
      await insertEvents(tx, events);
    });
  }

  async getRollout(id: string): Promise<Rollout | undefined> {
    const { rows } = await this.db.query<{ data: Rollout }>('SELECT data FROM rollouts WHERE id = $1', [id]);
    return rows[0]?.data;
  }

  async listRollouts(opts: { limit: number; cluster?: string }): Promise<Rollout[]> {
    const { rows } = opts.cluster
      ? await this.db.query<{ data: Rollout }>('SELECT data FROM rollouts WHERE cluster = $1 ORDER BY seq DESC LIMIT $2', [
          opts.cluster,
          opts.limit,
        ])
      : await this.db.query<{ data: Rollout }>('SELECT data FROM rollouts ORDER BY seq DESC LIMIT $1', [opts.limit]);
    return rows.map((r) => r.data);
  }

  async unfinishedRollouts(): Promise<Rollout[]> {
    const { rows } = await this.db.query<{ data: Rollout }>('SELECT data FROM rollouts WHERE NOT finished ORDER BY seq');
    return rows.map((r) => r.data);
  }

  async appendEvents(events: EventRecord[]): Promise<void> {
    if (events.length > 0) await this.write((tx) => insertEvents(tx, events));
  }

  async listEvents(opts: { rolloutId?: string; limit: number }): Promise<EventRecord[]> {
    const cols = 'seq, at_ms AS "atMs", rollout_id AS "rolloutId", agent_id AS "agentId", step, actor, kind, message';
    const { rows } = opts.rolloutId
      ? await this.db.query<EventRecord>(
          `SELECT * FROM (SELECT ${cols} FROM events WHERE rollout_id = $1 ORDER BY seq DESC LIMIT $2) e ORDER BY seq`,
          [opts.rolloutId, opts.limit],
        )
      : await this.db.query<EventRecord>(`SELECT * FROM (SELECT ${cols} FROM events ORDER BY seq DESC LIMIT $1) e ORDER BY seq`, [
          opts.limit,
        ]);
    return rows;
  }

  /** Several agents' records in one transaction (a connect storm's registrations are batched). */
  async saveAgents(agents: readonly StoredAgent[]): Promise<void> {
    if (agents.length === 0) return;
    await this.write(async (tx) => {
      for (const a of agents)
        await tx.query(
          `INSERT INTO agents (id, last_seen_ms, data) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET last_seen_ms = EXCLUDED.last_seen_ms, data = EXCLUDED.data`,
          [a.id, a.lastSeenMs, a.data],
        );
    });
  }

  async listAgents(): Promise<StoredAgent[]> {
    const { rows } = await this.db.query<StoredAgent>('SELECT id, last_seen_ms AS "lastSeenMs", data FROM agents ORDER BY id');
    return rows;
  }

  appendLogLines(
    rolloutId: string,
    agentId: string,
    step: string,
    requestId: string,
    atMs: number,
    lines: string[],
  ): Promise<StoredLogLine[]> {
    return this.logs.append(rolloutId, agentId, step, requestId, atMs, lines);
  }

  listLogLines(rolloutId: string, afterSeq: number, filter: { host?: string; step?: string }): Promise<StoredLogLine[]> {
    return this.logs.list(rolloutId, afterSeq, filter);
  }

  sizeOfRun(requestId: string): Promise<OutputSize> {
    return this.logs.size('WHERE request_id = $1', [requestId]);
  }

  sizeOfRollout(rolloutId: string): Promise<OutputSize> {
    return this.logs.size('WHERE rollout_id = $1', [rolloutId]);
  }

  totalSize(): Promise<OutputSize> {
    return this.logs.size('', []);
  }

  oldestFinishedWithOutput(): Promise<string | undefined> {
    return this.logs.oldestFinishedWithOutput();
  }

  deleteOutputOf(rolloutId: string): Promise<OutputSize> {
    return this.logs.deleteOutputOf(rolloutId);
  }

  deleteFinishedBefore(cutoffMs: number): Promise<{ rollouts: number; lines: number; events: number }> {
    return this.logs.deleteFinishedBefore(cutoffMs);
  }

  async listScheduleStates(): Promise<ScheduleState[]> {
    const { rows } = await this.db.query<ScheduleState>(
      `SELECT name, enabled_override AS "enabledOverride", last_window_start_ms AS "lastWindowStartMs",
         last_window_end_ms AS "lastWindowEndMs", last_run_at_ms AS "lastRunAtMs", last_outcome AS "lastOutcome",
         last_rollout_id AS "lastRolloutId" FROM schedules ORDER BY name`,
    );
    return rows;
  }

  async saveScheduleState(s: ScheduleState): Promise<void> {
    await this.write((tx) =>
      tx.query(
        `INSERT INTO schedules (name, enabled_override, last_window_start_ms, last_window_end_ms, last_run_at_ms, last_outcome, last_rollout_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (name) DO UPDATE SET enabled_override = EXCLUDED.enabled_override, last_window_start_ms = EXCLUDED.last_window_start_ms,
           last_window_end_ms = EXCLUDED.last_window_end_ms, last_run_at_ms = EXCLUDED.last_run_at_ms,
           last_outcome = EXCLUDED.last_outcome, last_rollout_id = EXCLUDED.last_rollout_id`,
        [s.name, s.enabledOverride, s.lastWindowStartMs, s.lastWindowEndMs, s.lastRunAtMs, s.lastOutcome, s.lastRolloutId],
      ),
    );
  }
}

/**
 * Inserts events in order, at most MAX_EVENTS_PER_ROLLOUT per rollout; the last one kept says
 * that later ones are not recorded (the SQLite store's rule, so both read the same).
 */
async function insertEvents(tx: SqlRunner, events: EventRecord[]): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map((e) => e.rolloutId).filter((id) => id !== ''))];
  const { rows } = await tx.query<{ rollout_id: string; n: number }>(
    'SELECT rollout_id, COUNT(*)::bigint AS n FROM events WHERE rollout_id = ANY($1) GROUP BY rollout_id',
    [ids],
  );
  const counts = new Map(rows.map((r) => [r.rollout_id, r.n]));
  const kept: EventRecord[] = [];
  for (const e of events) {
    const count = e.rolloutId ? (counts.get(e.rolloutId) ?? 0) : 0;
    if (count >= MAX_EVENTS_PER_ROLLOUT) continue;
    if (e.rolloutId) counts.set(e.rolloutId, count + 1);
    const last = e.rolloutId !== '' && count === MAX_EVENTS_PER_ROLLOUT - 1;
    kept.push(
      last
        ? {
            ...e,
            actor: 'convoyd',
            kind: 'limit',
            message: `[convoy: rollout ${e.rolloutId} has ${MAX_EVENTS_PER_ROLLOUT} events; later ones are not recorded]`,
          }
        : e,
    );
  }
  if (kept.length === 0) return;
  // one statement for the batch; WITH ORDINALITY + ORDER BY keeps the identity (seq) in event order
  await tx.query(
    `INSERT INTO events (at_ms, rollout_id, agent_id, step, actor, kind, message)
     SELECT a, r, g, s, c, k, m FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       WITH ORDINALITY AS t(a, r, g, s, c, k, m, i) ORDER BY i`,
    [
      kept.map((e) => e.atMs),
      kept.map((e) => e.rolloutId),
      kept.map((e) => e.agentId),
      kept.map((e) => e.step),
      kept.map((e) => e.actor),
      kept.map((e) => e.kind),
      kept.map((e) => e.message),
    ],
  );
}
