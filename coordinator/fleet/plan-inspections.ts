/**
 * What `convoy plan` may ask of the agents. Every Plan call makes each member inspect its
 * repository (git processes on its host), so the coordinator sends an agent at most one plan
 * inspection at a time and at most PLAN_INSPECTION_RATE a minute: together with the one
 * inspection a rollout's preflight may have in flight, that stays within what the agent itself
 * allows (agent/inspection-gate.ts), so the agent never has to refuse. Calls for the same agent
 * and target while one is in flight share its answer; a few others wait their turn; the rest
 * are answered at once with the reason. And each operator may call Plan only so often.
 */
import { ConvoyError } from '../../shared/errors.js';
import { RateLimiter, type RatePolicy } from '../../shared/rate-limit.js';
import type { InspectResult } from '../../shared/wire.js';

/** Plan inspections sent to one agent per minute: below what the agent itself allows (AGENT_INSPECTION_LIMITS). */
export const PLAN_INSPECTION_RATE: RatePolicy = { perMinute: 20, burst: 5 };
/** Plan inspections of other targets that may wait for an agent's one in flight. */
export const PLAN_INSPECTIONS_WAITING = 4;
/** Plan calls per operator: a burst, then a steady rate. */
export const PLAN_CALL_RATE: RatePolicy = { perMinute: 10, burst: 5 };

type Inspect = () => Promise<InspectResult>;

interface AgentQueue {
  /** target -> the answer every caller for it shares */
  inFlight: Map<string, Promise<InspectResult>>;
  busy: boolean;
  waiting: Array<() => void>;
}

export class PlanInspections {
  private readonly agents = new Map<string, AgentQueue>();
  private readonly perAgent: RateLimiter;
  private readonly perOperator: RateLimiter;

  constructor(now: () => number) {
    this.perAgent = new RateLimiter(PLAN_INSPECTION_RATE, now);
    this.perOperator = new RateLimiter(PLAN_CALL_RATE, now);
  }

  /** Admits one Plan call of `operator`, or throws RESOURCE_EXHAUSTED with when to try again. */
  admitCall(operator: string): void {
    const decision = this.perOperator.take(operator);
    if (decision.ok) return;
    const { burst, perMinute } = PLAN_CALL_RATE;
    throw new ConvoyError(
      'RESOURCE_EXHAUSTED',
      `too many plans from "${operator}": at most ${burst} at once and ${perMinute} a minute; run convoy plan again in ${Math.ceil(decision.retryAfterMs / 1000)}s`,
    );
  }

  /** Inspects `target` on `agentId` through `inspect`, within the agent's limits; throws RESOURCE_EXHAUSTED beyond them. */
  inspect(agentId: string, target: string, inspect: Inspect): Promise<InspectResult> {
    const q = this.queueOf(agentId);
    const shared = q.inFlight.get(target);
    if (shared) return shared;
    if (q.busy && q.waiting.length >= PLAN_INSPECTIONS_WAITING) {
      throw new ConvoyError(
        'RESOURCE_EXHAUSTED',
        `agent ${agentId} is busy answering other plans (${PLAN_INSPECTIONS_WAITING} waiting); run convoy plan again in a minute`,
      );
    }
    const answer = this.runInTurn(agentId, q, inspect).finally(() => {
      q.inFlight.delete(target);
      if (!q.busy && q.waiting.length === 0 && q.inFlight.size === 0) this.agents.delete(agentId);
    });
    q.inFlight.set(target, answer);
    return answer;
  }

  private async runInTurn(agentId: string, q: AgentQueue, inspect: Inspect): Promise<InspectResult> {
    // The turn is handed from one caller to the next (finally below), so two never run at once.
    if (q.busy) await new Promise<void>((resolve) => q.waiting.push(resolve));
    else q.busy = true;
    try {
      const decision = this.perAgent.take(agentId);
      if (!decision.ok) {
        const { perMinute } = PLAN_INSPECTION_RATE;
        throw new ConvoyError(
          'RESOURCE_EXHAUSTED',
          `agent ${agentId} was asked to inspect its repository too often (at most ${perMinute} a minute); run convoy plan again in ${Math.ceil(decision.retryAfterMs / 1000)}s`,
        );
      }
      return await inspect();
    } finally {
      const next = q.waiting.shift();
      if (next) next();
      else q.busy = false;
    }
  }

  private queueOf(agentId: string): AgentQueue {
    let q = this.agents.get(agentId);
    if (!q) {
      q = { inFlight: new Map(), busy: false, waiting: [] };
      this.agents.set(agentId, q);
    }
    return q;
  }
}
