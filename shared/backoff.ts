/** Capped, jittered exponential backoff ("full jitter" on the upper half of the window). */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0..1: share of the delay that is randomised. */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 };

/**
 * Delay before reconnect attempt number `attempt` (0-based). `random` is injected so the
 * arithmetic is testable: with random=1 the delay is the capped exponential value, with
 * random=0 it is that value reduced by the jitter share.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number = Math.random()): number {
  const exp = policy.initialMs * Math.pow(policy.multiplier, Math.max(0, attempt));
  const capped = Math.min(policy.maxMs, exp);
  const r = Math.min(1, Math.max(0, random));
  return Math.round(capped * (1 - policy.jitter) + capped * policy.jitter * r);
}

/** Tracks attempts; reset after a session that stayed up long enough to count as healthy. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly policy: BackoffPolicy = defaultBackoff,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return backoffDelay(this.policy, this.attempt++, this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
