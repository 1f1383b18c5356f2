/**
 * Lost agents: a step on a disconnected agent waits up to its own timeout (plus a grace) for
 * the agent to come back and report; after that the host fails with "agent disconnected".
 */
import type { HostRun, Rollout, StepRun } from './model.js';
import { type Env, type Work, failRollout } from './work.js';

/**
 * When a running step on a disconnected agent counts as lost. Its own deadline, but never less
 * than the grace after the agent was lost: a coordinator restarted after a long outage cannot
 * know where its agents are and must let them reconnect, since a step that ended meanwhile
 * waits in the agent's journal. E.g. build timeout 2h, convoyd down from 0:10 to 3:00: the
 * build is judged at 3:00 + grace, and only if its agent has not reconnected by then.
 */
export function lostStepDeadline(startedAtMs: number, timeoutMs: number, disconnectedAtMs: number, graceMs: number): number {
  return Math.max(startedAtMs + timeoutMs, disconnectedAtMs) + graceMs;
}

/**
 * When a running step of a host counts as lost: undefined while its agent is connected (or the
 * step has no known timeout). One rule for judging (expireLostSteps) and for waking up to judge.
 */
export function stepLostAtMs(r: Rollout, h: HostRun, run: StepRun, env: Env): number | undefined {
  const facts = env.agent(h.agentId);
  if (facts?.connected || run.outcome !== 'running') return undefined;
  const own = h.stepTimeoutsMs[run.step] ?? 0;
  const timeout = run.step === 'health' && own ? Math.max(own, r.healthDeadlineMs) : own;
  if (!timeout) return undefined;
  return lostStepDeadline(run.startedAtMs, timeout, facts?.disconnectedAtMs ?? 0, env.stepGraceMs);
}

/** Marks running steps of disconnected agents past their deadline `disconnected` and fails their hosts. */
export function expireLostSteps(w: Work, env: Env): void {
  for (const h of w.r.hosts) {
    for (const run of h.runs) {
      const lostAt = stepLostAtMs(w.r, h, run, env);
      if (lostAt === undefined || w.now < lostAt) continue;
      run.outcome = 'disconnected';
      run.reason = `agent disconnected during step ${run.step}`;
      run.finishedAtMs = w.now;
      w.event({ kind: 'step-finished', message: `${run.step} on ${h.agentId}: ${run.reason}`, agentId: h.agentId, step: run.step });
      if (run.phase === 'rollback') continue; // advanceRollback records the failure
      h.state = 'failed';
      h.reason = `${run.step}: ${run.reason}`;
      h.finishedAtMs = w.now;
      failRollout(w, h.agentId, run.step, run.reason);
    }
  }
}
