/**
 * Rollback of a failed host, by the agent's own rollback procedure (reported in its Hello):
 * by default previous commit, config, build, up, restore of the pre-update backup, health at
 * the old version; with `profile: hoss` Hoss's documented restore (down, a reset that keeps
 * the object data, the restore with `make up` alongside, restarts, health).
 * Agents that report no procedure get the default of older agents.
 */
import type { HostRun, Rollout } from './model.js';
import { type Work, describeRun, dispatch, latestRun, needsBackup } from './work.js';

/** Why a host cannot be rolled back, or undefined when it can. */
export function rollbackProblem(h: HostRun): string | undefined {
  if (h.rollback) return h.rollback.done ? `${h.agentId} was already rolled back` : `${h.agentId} is already being rolled back`;
  if (h.state !== 'failed') return `${h.agentId} did not fail (it is ${h.state})`;
  if (latestRun(h, 'checkout')?.outcome !== 'succeeded' || h.previousCommit === '')
    return `${h.agentId} failed before its checkout (nothing was changed that a rollback would undo)`;
  const needs = rollbackSteps(h).filter((s) => needsBackup(h, s));
  if (needs.length && !h.preBackupId)
    return `${h.agentId}'s rollback procedure needs the pre-update backup (${needs.join(', ')}) and none was taken; restore it by hand`;
  return undefined;
}

/** Whether a host's failure can be rolled back: its checkout moved it off the old commit, and what the procedure needs exists. */
export function canRollBack(h: HostRun): boolean {
  return rollbackProblem(h) === undefined;
}

/**
 * The newer rollout that changed `h` after `r` (moved its work tree: a checkout or a rollback
 * checkout that succeeded, or is running), if any: a rollback of `r` would move the host back
 * past it and restore a backup older than it.
 */
export function supersededBy(r: Rollout, h: HostRun, later: Rollout[]): Rollout | undefined {
  const seq = (x: Rollout): number => Number(x.id.replace(/^r-/, '')) || 0;
  const moved = (x: Rollout): boolean => {
    const host = x.hosts.find((o) => o.agentId === h.agentId);
    return !!host?.runs.some(
      (run) => (run.step === 'checkout' || run.step === 'rollback-checkout') && (run.outcome === 'succeeded' || run.outcome === 'running'),
    );
  };
  return later.filter((x) => seq(x) > seq(r) && moved(x)).sort((a, b) => seq(b) - seq(a))[0];
}

/** The rollback steps for a host, in order. */
export function rollbackSteps(h: HostRun): string[] {
  if (h.rollbackPlan?.length) return [...h.rollbackPlan];
  // agents that report no procedure: the default they ran before procedures existed
  const steps = ['rollback-checkout', 'config', 'build', 'up'];
  if (h.hasRestore && h.preBackupId) steps.push('restore');
  steps.push('health');
  return steps;
}

/**
 * Starts rolling a failed host back; the reconcile loop then runs its steps. The rollout is
 * `running` (phase rollback) until every rollback of it has ended, then returns to the state
 * it ends in (failed, or aborted when an operator rolls back an aborted rollout): a rollout
 * is never "failed" while Convoy is still changing one of its hosts.
 */
export function beginRollback(w: Work, h: HostRun, requestedBy: string): void {
  const { r } = w;
  h.rollback = { reason: h.reason, requestedBy, steps: rollbackSteps(h), done: false, failure: '' };
  if (!r.rollbackEndState) r.rollbackEndState = r.state === 'aborted' ? 'aborted' : 'failed';
  const failure = `${h.agentId}: ${h.reason}`;
  w.event({
    kind: 'rollback',
    message: `rolling ${h.agentId} back to ${h.fromVersion} (${h.rollback.steps.join(', ')}), requested by ${requestedBy}`,
    agentId: h.agentId,
    actor: requestedBy,
  });
  w.setPhase('rollback');
  w.setState('running', `${r.state === 'running' ? failure : r.reason}; rolling ${h.agentId} back to ${h.fromVersion}`, requestedBy);
}

/** Advances a host's rollback by one step, or finishes it. */
export function advanceRollback(w: Work, h: HostRun): void {
  const rb = h.rollback;
  if (!rb || rb.done) return;
  for (const step of rb.steps) {
    const run = latestRun(h, step, true);
    if (run?.outcome === 'succeeded') continue;
    if (run?.outcome === 'running') return;
    if (run && !(run.outcome === 'interrupted' && h.rerunnable.includes(step))) {
      rb.done = true;
      rb.failure = `rollback ${step}: ${describeRun(run)}`;
      h.reason = `${rb.reason}; ${rb.failure}`;
      w.event({
        kind: 'rollback',
        message: `rollback of ${h.agentId} failed at ${step}: ${describeRun(run)}; the host stays failed`,
        agentId: h.agentId,
        step,
      });
      return endRollbackPhase(w, `rollback of ${h.agentId} failed at ${step}`);
    }
    // a rollback stopped by an abort dispatches nothing more; the step in flight ends as cancelled
    if (w.r.state === 'aborted') return;
    dispatch(w, h, step, 'rollback');
    return;
  }
  rb.done = true;
  h.state = 'rolled-back';
  h.finishedAtMs = w.now;
  const restored = rb.steps.includes('restore')
    ? ` and restored backup ${h.preBackupId} (taken at ${h.preBackupVersion || h.fromVersion})`
    : '';
  w.event({ kind: 'rollback', message: `${h.agentId} rolled back to ${h.fromVersion}${restored}`, agentId: h.agentId });
  endRollbackPhase(w, `${h.agentId} rolled back to ${h.fromVersion}`);
}

/** Once no rollback of the rollout is left running, it ends in the state it returns to, naming both. */
function endRollbackPhase(w: Work, note: string): void {
  const { r } = w;
  const base = r.reason.replace(/; rolling \S+ back to \S+$/, '');
  const reason = base.endsWith(note) ? base : `${base}; ${note}`;
  w.progress();
  if (r.hosts.some((h) => h.rollback && !h.rollback.done)) {
    r.reason = reason;
    return;
  }
  if (r.state === 'aborted') {
    r.reason = reason;
    return;
  }
  w.setState(r.rollbackEndState ?? 'failed', reason);
}
