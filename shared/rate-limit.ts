/**
 * Token buckets keyed by who asks (an operator, an agent, a kind of log line). A key may spend
 * `burst` at once and earns `perMinute` back each minute. Time comes from the caller's clock.
 */

export interface RatePolicy {
  /** Tokens earned back per minute. */
  perMinute: number;
  /** Most tokens a key can hold (what it may spend at once). */
  burst: number;
}

/** A refusal says when the next token is there. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Keys tracked at most; the least recently used is forgotten first (it restarts full). */
const DEFAULT_MAX_KEYS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly policy: RatePolicy,
    private readonly now: () => number,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /** Spends `cost` tokens of `key` when it has them. */
  take(key: string, cost = 1): RateDecision {
    const bucket = this.refill(key);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    const perMs = this.policy.perMinute / 60_000;
    return { ok: false, retryAfterMs: perMs > 0 ? Math.ceil((cost - bucket.tokens) / perMs) : Number.POSITIVE_INFINITY };
  }

  /** Tokens `key` holds now (a whole bucket for a key never seen). */
  available(key: string): number {
    return this.refill(key).tokens;
  }

  private refill(key: string): Bucket {
    const now = this.now();
    const known = this.buckets.get(key);
    const bucket = known ?? { tokens: this.policy.burst, atMs: now };
    if (known) this.buckets.delete(key); // re-inserted below: Map order is least recently used first
    const earned = (Math.max(0, now - bucket.atMs) * this.policy.perMinute) / 60_000;
    bucket.tokens = Math.min(this.policy.burst, bucket.tokens + earned);
    bucket.atMs = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return bucket;
  }
}
