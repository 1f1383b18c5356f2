/**
 * convoyd's schema in PostgreSQL, one numbered migration per version, run in order at start.
 *
 * The tables hold what the SQLite store holds (rollouts as one JSON document each, the event
 * log, agents, step output, schedules) plus what only a shared database needs: the leader lease
 * and the replicas' heartbeats (coordinator/ha/lease.ts). The version lives in a one-row
 * `schema_version` table. Its numbers are PostgreSQL's own series: the SQLite file keeps its
 * version in user_version, and the two evolve in step through the Store interface, not by number.
 *
 * Several replicas may start at once: migrations run under a transaction-scoped advisory lock,
 * so one migrates and the others find the schema current.
 */
import { ConvoyError } from '../../shared/errors.js';
import type { PgDatabase } from './pg-client.js';

/** A constant key for pg_advisory_xact_lock: "convoy" in ASCII; any fixed number would do. */
const MIGRATION_LOCK = 0x636f6e766f79;

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE agents (id TEXT PRIMARY KEY, last_seen_ms BIGINT NOT NULL, data TEXT NOT NULL);
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, cluster TEXT NOT NULL, target TEXT NOT NULL,
  state TEXT NOT NULL, phase TEXT NOT NULL, created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL,
  finished BOOLEAN NOT NULL, data JSONB NOT NULL);
CREATE INDEX rollouts_unfinished ON rollouts (finished, seq);
CREATE INDEX rollouts_cluster ON rollouts (cluster, seq);
CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at_ms BIGINT NOT NULL, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL,
  step TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX events_rollout ON events (rollout_id, seq);
CREATE TABLE log_lines (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, rollout_id TEXT NOT NULL, agent_id TEXT NOT NULL, step TEXT NOT NULL,
  request_id TEXT NOT NULL, at_ms BIGINT NOT NULL, line TEXT NOT NULL);
CREATE INDEX log_lines_rollout ON log_lines (rollout_id, seq);
CREATE INDEX log_lines_request ON log_lines (request_id);
CREATE TABLE schedules (
  name TEXT PRIMARY KEY, enabled_override BOOLEAN, last_window_start_ms BIGINT NOT NULL, last_window_end_ms BIGINT NOT NULL,
  last_run_at_ms BIGINT NOT NULL, last_outcome TEXT NOT NULL, last_rollout_id TEXT NOT NULL);
-- One row per lease (convoyd uses one, "leader"). Times are the database's: the only clock
-- every replica agrees on. epoch grows by one at each change of holder and fences writes.
CREATE TABLE leases (
  name TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch BIGINT NOT NULL,
  acquired_at TIMESTAMPTZ NOT NULL, renewed_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
-- Every replica's heartbeat, for \`convoy coordinators\`: who runs, where it listens.
CREATE TABLE replicas (id TEXT PRIMARY KEY, address TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL, seen_at TIMESTAMPTZ NOT NULL);
`,
  },
];

/** The schema version this convoyd writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Tables convoyd owns in its database, for tests and for a future `convoy admin` export. */
export const POSTGRES_TABLES = ['agents', 'rollouts', 'events', 'log_lines', 'schedules', 'leases', 'replicas', 'schema_version'] as const;

/**
 * Brings the database to POSTGRES_SCHEMA_VERSION; returns the version it found (0: empty).
 * Refuses a database a newer Convoy migrated: its replicas may still be running against it.
 */
export async function migratePostgres(db: PgDatabase): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_version (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), version INTEGER NOT NULL)',
    );
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_version');
    const found = rows[0]?.version ?? 0;
    if (found > POSTGRES_SCHEMA_VERSION)
      throw new ConvoyError(
        'FAILED_PRECONDITION',
        `PostgreSQL ${db.target} holds schema ${found}, written by a newer Convoy (this convoyd knows up to ${POSTGRES_SCHEMA_VERSION})`,
        'Run the Convoy version of the other replicas (every replica of a fleet runs the same version; docs/upgrading.md).',
      );
    // DDL is transactional in PostgreSQL: a migration that fails leaves the previous version whole
    for (const m of MIGRATIONS) if (m.version > found) await tx.query(m.sql);
    await tx.query(
      'INSERT INTO schema_version (one, version) VALUES (true, $1) ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version',
      [POSTGRES_SCHEMA_VERSION],
    );
    return found;
  });
}
