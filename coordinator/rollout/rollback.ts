/**
 * Rollback of a failed host, by the agent's own rollback procedure (reported in its Hello):
 * by default previous commit, config, build, up, restore of the pre-update backup, health at
 * the old version; with `profile: hoss` Hoss's documented restore (down, a reset that keeps
 * the object data, the restore with `make up` alongside, restarts, health).
 * Agents that report no procedure get the default of older agents.
 */
import type { HostRun } from './model.js';
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

/** The rollback steps for a host, in order. */
export function rollbackSteps(h: HostRun): string[] {
  if (h.rollbackPlan?.length) return [...h.rollbackPlan];
  // agents that report no procedure: the default they ran before procedures existed
  const steps = ['rollback-checkout', 'config', 'build', 'up'];
  if (h.hasRestore && h.preBackupId) steps.push('restore');
  steps.push('health');
  return steps;
}

/** Starts rolling a failed host back; the reconcile loop then runs its steps. */
export function beginRollback(w: Work, h: HostRun, requestedBy: string): void {
  h.rollback = { reason: h.reason, requestedBy, steps: rollbackSteps(h), done: false, failure: '' };
  w.event({
    kind: 'rollback',
    message: `rolling ${h.agentId} back to ${h.fromVersion} (${h.rollback.steps.join(', ')}), requested by ${requestedBy}`,
    agentId: h.agentId,
    actor: requestedBy,
  });
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
      noteOnRollout(w, `; rollback of ${h.agentId} failed at ${step}`);
      return;
    }
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
  noteOnRollout(w, `; ${h.agentId} rolled back to ${h.fromVersion}`);
}

function noteOnRollout(w: Work, note: string): void {
  if (!w.r.reason.endsWith(note)) w.r.reason += note;
  w.progress();
}
