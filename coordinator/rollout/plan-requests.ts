/**
 * `convoy plan`'s inspections in flight: which agent each was sent to (only that agent may
 * answer it), and the caller waiting for the answer or a timeout.
 */
import type { Clock } from '../../shared/clock.js';
import { ConvoyError } from '../../shared/errors.js';
import type { InspectResult } from '../../shared/wire.js';

export class PlanRequests {
  private readonly waiting = new Map<string, { agentId: string; resolve: (r: InspectResult) => void }>();

  constructor(private readonly clock: Clock) {}

  /** Sends with `send` (false: not connected) and resolves with the agent's answer, or rejects after `timeoutMs`. */
  ask(agentId: string, requestId: string, timeoutMs: number, send: () => boolean): Promise<InspectResult> {
    return new Promise((resolve, reject) => {
      const cancel = this.clock.setTimer(timeoutMs, () => {
        this.waiting.delete(requestId);
        reject(new ConvoyError('UNAVAILABLE', `agent ${agentId} did not answer within ${Math.round(timeoutMs / 1000)}s`));
      });
      this.waiting.set(requestId, {
        agentId,
        resolve: (res) => {
          cancel();
          resolve(res);
        },
      });
      if (!send()) {
        cancel();
        this.waiting.delete(requestId);
        reject(new ConvoyError('FAILED_PRECONDITION', `agent ${agentId} is not connected`));
      }
    });
  }

  /** Hands an answer to its caller; true when it was one of ours (whatever the answering agent). */
  answer(agentId: string, result: InspectResult): boolean {
    const w = this.waiting.get(result.requestId);
    if (!w) return false;
    // only the agent the inspection was sent to may answer it
    if (w.agentId === agentId) {
      this.waiting.delete(result.requestId);
      w.resolve(result);
    }
    return true;
  }

  /** The agent a pending inspection was sent to. */
  ownerOf(requestId: string): string | undefined {
    return this.waiting.get(requestId)?.agentId;
  }
}
