/**
 * Which convoyd replicas run against the database, and which leads: the data of a future
 * `convoy coordinators` (and of its metrics). Each replica writes a heartbeat row; the listing
 * joins it with the lease. Ages are computed by the database, from its own clock.
 */
import type { PgDatabase } from '../store/pg-client.js';

/** One replica as `convoy coordinators` would show it. */
export interface ReplicaView {
  id: string;
  /** Where it serves the CLI and agents (host:port), as it announced itself. */
  address: string;
  /** True for the holder of a live lease. */
  leader: boolean;
  /** The lease's epoch when this replica leads, else null. */
  epoch: number | null;
  /** Leader only: since it took the lease (ms), and since its last renewal (ms). */
  leadingForMs: number | null;
  leaseAgeMs: number | null;
  /** Since its last heartbeat (ms): a replica that stopped long ago is stale, not standing by. */
  seenAgoMs: number;
}

/** Records that `id` runs and listens at `address` (upsert; called with every lease round). */
export async function heartbeat(db: PgDatabase, id: string, address: string): Promise<void> {
  await db.query(
    `INSERT INTO replicas (id, address, started_at, seen_at) VALUES ($1, $2, clock_timestamp(), clock_timestamp())
     ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, seen_at = EXCLUDED.seen_at`,
    [id, address],
  );
}

/** Every replica that has a heartbeat row, leader first, then by id. */
export async function listReplicas(db: PgDatabase, leaseName = 'leader'): Promise<ReplicaView[]> {
  const ms = (expr: string) => `(extract(epoch FROM (${expr})) * 1000)::float8`;
  const { rows } = await db.query<ReplicaView>(
    `SELECT r.id, r.address,
       COALESCE(l.holder = r.id AND l.expires_at > clock_timestamp(), false) AS leader,
       CASE WHEN l.holder = r.id AND l.expires_at > clock_timestamp() THEN l.epoch END AS epoch,
       CASE WHEN l.holder = r.id AND l.expires_at > clock_timestamp() THEN ${ms('clock_timestamp() - l.acquired_at')} END AS "leadingForMs",
       CASE WHEN l.holder = r.id AND l.expires_at > clock_timestamp() THEN ${ms('clock_timestamp() - l.renewed_at')} END AS "leaseAgeMs",
       ${ms('clock_timestamp() - r.seen_at')} AS "seenAgoMs"
     FROM replicas r LEFT JOIN leases l ON l.name = $1
     ORDER BY 3 DESC, r.id`,
    [leaseName],
  );
  return rows;
}

/** Forgets a replica that was decommissioned (its row would otherwise show as stale forever). */
export async function forgetReplica(db: PgDatabase, id: string): Promise<void> {
  await db.query('DELETE FROM replicas WHERE id = $1', [id]);
}
