/**
 * Log lines a peer can cause at will (refused handshakes, dropped output) are rate-limited per
 * kind: an operator still sees the first ones at warn, and a flood neither fills the disk nor
 * drowns the rest of the log. What was held back is counted in the next line let through.
 */
import type { Logger } from './logger.js';
import { RateLimiter, type RatePolicy } from './rate-limit.js';

/** Per kind of line: a burst, then a steady rate. */
export const LOG_RATE: RatePolicy = { perMinute: 10, burst: 5 };

export class LogLimiter {
  private readonly limiter: RateLimiter;
  private readonly held = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    now: () => number,
    policy: RatePolicy = LOG_RATE,
  ) {
    this.limiter = new RateLimiter(policy, now, 1000);
  }

  /** Logs `message` unless lines of `kind` are over their rate; then counts it for the next one. */
  log(kind: string, level: 'warn' | 'error' | 'info', message: string, fields: Record<string, unknown> = {}): void {
    if (!this.limiter.take(kind).ok) {
      if (this.held.size < 1000 || this.held.has(kind)) this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
      return;
    }
    const suppressed = this.held.get(kind) ?? 0;
    this.held.delete(kind);
    const note = suppressed ? ` (${suppressed} more like it not logged since the last one)` : '';
    this.logger.log(level, `${message}${note}`, suppressed ? { ...fields, suppressed } : fields);
  }
}
