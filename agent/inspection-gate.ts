/**
 * How many inspections an agent runs, whatever a coordinator asks. An inspection runs git
 * commands (a fetch among them) and a health probe; without a bound, a flood of `convoy plan`
 * calls (or a hostile coordinator) starts git processes until the host runs out. At most
 * `concurrent` run at once and `perMinute` start per minute; up to `queued` more wait their
 * turn; anything beyond is refused at once with the reason.
 */
import type { Clock } from '../shared/clock.js';
import { RateLimiter } from '../shared/rate-limit.js';

export interface InspectionLimits {
  concurrent: number;
  queued: number;
  perMinute: number;
  burst: number;
}

/** The agent's own limits (docs/security.md, "Bounds"); the coordinator stays below them. */
export const AGENT_INSPECTION_LIMITS: InspectionLimits = { concurrent: 2, queued: 8, perMinute: 30, burst: 10 };

export type GateOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export class InspectionGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly rate: RateLimiter;

  constructor(
    private readonly clock: Clock,
    readonly limits: InspectionLimits = AGENT_INSPECTION_LIMITS,
  ) {
    this.rate = new RateLimiter({ perMinute: limits.perMinute, burst: limits.burst }, () => clock.now());
  }

  /** Runs `inspect` when a slot and the rate allow; refuses when the queue is full. */
  async run<T>(inspect: () => Promise<T>): Promise<GateOutcome<T>> {
    const { concurrent, queued, perMinute } = this.limits;
    if (this.active >= concurrent && this.waiting.length >= queued) {
      return {
        ok: false,
        reason: `the agent is busy: ${this.active} inspections running and ${this.waiting.length} waiting (its limit: ${concurrent} at once, ${queued} waiting, ${perMinute} a minute); try again later`,
      };
    }
    if (this.active >= concurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      for (;;) {
        const decision = this.rate.take('inspect');
        if (decision.ok) break;
        await this.clock.sleep(decision.retryAfterMs);
      }
      return { ok: true, value: await inspect() };
    } finally {
      // The slot passes straight to the next in line, so `active` never exceeds `concurrent`.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
