/**
 * Keeps a replica's side of the leader lease: a standby tries to take it, a leader renews it,
 * and a leader that cannot renew steps down at its own deadline (see lease.ts), which comes
 * before the database lets another replica take over. Each round also writes the replica's
 * heartbeat for `convoy coordinators`.
 *
 * Lifecycle: start() -> rounds every `renewEveryMs` -> stop() (releases a held lease, so a
 * standby takes over at once instead of after the lease length). stop() is safe to call twice.
 */
import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { PgDatabase } from '../store/pg-client.js';
import type { Lease } from './lease.js';
import { heartbeat } from './replicas.js';

/** What the keeper reports: this replica began to lead under an epoch, or stopped leading and why. */
export type LeadershipChange = { leading: true; epoch: number } | { leading: false; epoch: number; reason: string };

/** The few log calls the keeper makes (a winston logger fits). */
export interface KeeperLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface LeaseKeeperOptions {
  lease: Lease;
  db: PgDatabase;
  clock: Clock;
  /** Announced in the heartbeat (host:port of this replica's CLI and agent listener). */
  address: string;
  onChange: (change: LeadershipChange) => void;
  log?: KeeperLog;
  /**
   * Between rounds (default: a quarter of the lease). Several renewals fit in the holder's own
   * deadline, so one slow or failed statement does not depose a healthy leader.
   */
  renewEveryMs?: number;
}

export class LeaseKeeper {
  private readonly o: LeaseKeeperOptions;
  private readonly abort = new AbortController();
  private epoch: number | undefined;
  private lastError = '';
  private cancelDeadline: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(opts: LeaseKeeperOptions) {
    this.o = opts;
  }

  /** The epoch this replica leads under, or undefined while it stands by. */
  get leading(): number | undefined {
    return this.epoch;
  }

  /** Starts the rounds in the background; the first runs at once. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the rounds and releases a held lease (its errors are logged: the lease then expires by itself). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.cancelDeadline?.();
    await this.loop;
    if (this.epoch === undefined) return;
    const epoch = this.epoch;
    this.epoch = undefined;
    await this.o.lease.release().catch((err) => this.o.log?.warn('could not release the leader lease', { error: messageOf(err) }));
    this.o.onChange({ leading: false, epoch, reason: 'this replica is stopping' });
  }

  private async run(): Promise<void> {
    const every = this.o.renewEveryMs ?? Math.max(1, Math.floor(this.o.lease.lengthMs / 4));
    while (!this.abort.signal.aborted) {
      await this.round();
      await this.o.clock.sleep(every, this.abort.signal).catch(() => undefined);
    }
  }

  /** One round: heartbeat, then renew (leader) or try to take the lease (standby). */
  private async round(): Promise<void> {
    // a heartbeat is for display only: its failure is not a reason to step down
    await heartbeat(this.o.db, this.o.lease.holderId, this.o.address).catch(() => undefined);
    try {
      if (this.epoch !== undefined) {
        if (!(await this.o.lease.renew())) this.stepDown('the lease expired or was taken in the database');
      } else {
        const epoch = await this.o.lease.acquire();
        if (epoch !== undefined && !this.abort.signal.aborted) this.becomeLeader(epoch);
      }
      this.lastError = '';
    } catch (err) {
      // The database is unreachable: a leader keeps leading until its own deadline, no longer.
      this.lastError = messageOf(err);
      this.o.log?.warn('leader lease round failed', { error: this.lastError, leading: this.epoch !== undefined });
    }
    this.checkDeadline();
    if (this.epoch !== undefined) this.armDeadline();
  }

  private becomeLeader(epoch: number): void {
    this.epoch = epoch;
    this.o.log?.info('leading', { epoch, holder: this.o.lease.holderId });
    this.o.onChange({ leading: true, epoch });
  }

  /** A timer at the holder's own deadline: stepping down must not wait for a renewal that hangs. */
  private armDeadline(): void {
    this.cancelDeadline?.();
    const until = this.o.lease.heldUntilMs();
    if (until === undefined) return;
    this.cancelDeadline = this.o.clock.setTimer(Math.max(0, until - this.o.clock.now()), () => this.checkDeadline());
  }

  private checkDeadline(): void {
    if (this.epoch !== undefined && this.o.lease.heldEpoch() === undefined)
      this.stepDown(`could not renew the lease before its deadline${this.lastError ? `: ${this.lastError}` : ''}`);
  }

  private stepDown(reason: string): void {
    if (this.epoch === undefined) return;
    const epoch = this.epoch;
    this.epoch = undefined;
    this.cancelDeadline?.();
    this.o.lease.stepDown();
    this.o.log?.warn('stepped down', { epoch, reason });
    this.o.onChange({ leading: false, epoch, reason });
  }
}
