/**
 * Leadership among convoyd replicas that share one PostgreSQL database: a lease row with an
 * epoch (the `leases` table of coordinator/store/postgres-schema.ts).
 *
 * - Time is the database's: a lease expires at `expires_at`, judged by the database's clock,
 *   the only clock every replica agrees on. No replica compares its own clock with another's.
 * - The epoch grows by one each time the lease changes hands (or its holder takes it again
 *   after letting it expire). It is the fencing token: every write of a leader runs the fence
 *   of the epoch it leads under in the same transaction, which reads the lease row FOR SHARE
 *   and refuses unless that epoch is still current and unexpired. The row lock makes a takeover
 *   wait for a write in progress, so a write commits wholly before a new epoch exists, or not at all.
 * - The holder keeps its own, earlier deadline (`heldEpoch`): measured on its clock from the
 *   moment it *sent* the last successful renewal, minus a margin. The database set expires_at
 *   from a later instant, so the holder stops acting before any other replica can take over
 *   (LeaseKeeper in lease-keeper.ts renews and steps down).
 */
import type { Clock } from '../../shared/clock.js';
import { ConvoyError } from '../../shared/errors.js';
import type { PgDatabase, SqlRunner } from '../store/pg-client.js';
import type { WriteGuard } from '../store/postgres-store.js';

/** The lease row as the database holds it; times are the database's, in ms since the epoch. */
export interface LeaseState {
  name: string;
  holder: string;
  epoch: number;
  acquiredAtMs: number;
  renewedAtMs: number;
  expiresAtMs: number;
  /** The database's clock when it was read: compare expiresAtMs with this, never with a local clock. */
  dbNowMs: number;
}

/** A write (or an act) refused because this replica does not lead under that epoch. */
export class NotLeaderError extends ConvoyError {
  constructor(
    message: string,
    /** The current holder, when one is known ('' when the lease lapsed with no successor). */
    readonly leader: string,
  ) {
    super(
      'FAILED_PRECONDITION',
      message,
      leader
        ? `The leader is ${leader}; send writes there (convoy coordinators lists the replicas).`
        : 'Another replica takes the lease within its length.',
    );
    this.name = 'NotLeaderError';
  }
}

/** What constructing a lease needs. */
export interface LeaseOptions {
  db: PgDatabase;
  /** This replica's id (unique in the fleet, stable across restarts: e.g. the host name). */
  holderId: string;
  /** How long a grant lasts without renewal. */
  lengthMs: number;
  clock: Clock;
  /** The lease row's name; one per fleet database. */
  name?: string;
}

/** A fraction of the lease the holder gives up early, so that its local deadline is always first. */
const LOCAL_MARGIN = 0.2;

const ROW = `name, holder, epoch, (extract(epoch FROM acquired_at) * 1000)::float8 AS "acquiredAtMs",
  (extract(epoch FROM renewed_at) * 1000)::float8 AS "renewedAtMs", (extract(epoch FROM expires_at) * 1000)::float8 AS "expiresAtMs",
  (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS "dbNowMs"`;

/** One replica's handle on the leader lease. */
export class Lease {
  readonly name: string;
  readonly holderId: string;
  readonly lengthMs: number;
  private readonly db: PgDatabase;
  private readonly clock: Clock;
  /** The epoch this replica holds and until when (its own clock), or undefined. */
  private held: { epoch: number; untilMs: number } | undefined;

  constructor(opts: LeaseOptions) {
    this.db = opts.db;
    this.holderId = opts.holderId;
    this.lengthMs = opts.lengthMs;
    this.clock = opts.clock;
    this.name = opts.name ?? 'leader';
  }

  /** The epoch this replica leads under, while its own deadline has not passed; undefined otherwise. */
  heldEpoch(): number | undefined {
    if (this.held && this.clock.now() < this.held.untilMs) return this.held.epoch;
    return undefined;
  }

  /** When this replica's own deadline passes (its clock), while it holds the lease. */
  heldUntilMs(): number | undefined {
    return this.heldEpoch() === undefined ? undefined : this.held?.untilMs;
  }

  /**
   * Takes the lease when it is free or expired (a new epoch), or renews it when this replica
   * holds it. Returns the epoch held, or undefined when another replica holds a live lease.
   */
  async acquire(): Promise<number | undefined> {
    if (this.held && (await this.renew())) return this.held.epoch;
    const sentAt = this.clock.now();
    const { rows } = await this.db.query<{ epoch: number }>(
      `INSERT INTO leases AS l (name, holder, epoch, acquired_at, renewed_at, expires_at)
       VALUES ($1, $2, 1, clock_timestamp(), clock_timestamp(), clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = l.epoch + 1, acquired_at = EXCLUDED.acquired_at,
         renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at
       WHERE l.expires_at <= clock_timestamp()
       RETURNING epoch`,
      [this.name, this.holderId, this.lengthMs],
    );
    this.held = rows[0] ? { epoch: rows[0].epoch, untilMs: this.localDeadline(sentAt) } : undefined;
    return this.held?.epoch;
  }

  /**
   * Extends the lease this replica holds. False when it no longer holds it (expired or taken):
   * then it has stepped down. A database error is thrown and leaves the local deadline as it was.
   */
  async renew(): Promise<boolean> {
    if (!this.held) return false;
    const sentAt = this.clock.now();
    const { rowCount } = await this.db.query(
      `UPDATE leases SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $4 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp()`,
      [this.name, this.holderId, this.held.epoch, this.lengthMs],
    );
    if (rowCount === 1) this.held.untilMs = this.localDeadline(sentAt);
    else this.held = undefined;
    return rowCount === 1;
  }

  /** Gives the lease up at once (a clean shutdown), so a standby need not wait for it to expire. */
  async release(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    await this.db.query('UPDATE leases SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND epoch = $3', [
      this.name,
      this.holderId,
      held.epoch,
    ]);
  }

  /** Forgets the lease locally without telling the database (the keeper stepping down after failed renewals). */
  stepDown(): void {
    this.held = undefined;
  }

  /** The lease row, or undefined when no replica has ever led. */
  async state(runner: SqlRunner = this.db): Promise<LeaseState | undefined> {
    const { rows } = await runner.query<LeaseState>(`SELECT ${ROW} FROM leases WHERE name = $1`, [this.name]);
    return rows[0];
  }

  /**
   * The write guard of a leader under `epoch` (PostgresStore.setWriteGuard): in the write's own
   * transaction, refuses it unless this replica still holds that epoch, unexpired, in the database.
   */
  fence(epoch: number): WriteGuard {
    return async (tx) => {
      if (this.heldEpoch() !== epoch)
        throw new NotLeaderError(`convoyd ${this.holderId} may not write: it no longer leads under epoch ${epoch}`, '');
      const { rows } = await tx.query<{ holder: string; epoch: number; live: boolean }>(
        'SELECT holder, epoch, expires_at > clock_timestamp() AS live FROM leases WHERE name = $1 FOR SHARE',
        [this.name],
      );
      const row = rows[0];
      if (row && row.holder === this.holderId && row.epoch === epoch && row.live) return;
      if (this.held?.epoch === epoch) this.held = undefined;
      throw new NotLeaderError(
        row && row.epoch !== epoch
          ? `convoyd ${this.holderId} may not write: its leader epoch ${epoch} was superseded by epoch ${row.epoch} (held by ${row.holder})`
          : `convoyd ${this.holderId} may not write: its lease (epoch ${epoch}) expired in the database`,
        row && row.epoch !== epoch ? row.holder : '',
      );
    };
  }

  private localDeadline(sentAtMs: number): number {
    return sentAtMs + this.lengthMs * (1 - LOCAL_MARGIN);
  }
}
