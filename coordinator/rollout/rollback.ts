/**
 * Rollback of a failed host: previous commit, config, build, up, restore of the pre-update
 * backup (when the host has a restore command and a backup), then health at the old version.
 * `up` runs before `restore`, so a restore command that waits for the service to start
 * (as `hossadm restore` does) finds it starting.
 */
import type { HostRun } from './model.js';
import { type Work, describeRun, dispatch, latestRun } from './work.js';

/** Whether a host's failure can be rolled back: its checkout moved it off the old commit. */
export function canRollBack(h: HostRun): boolean {
  return h.state === 'failed' && !h.rollback && latestRun(h, 'checkout')?.outcome === 'succeeded' && h.previousCommit !== '';
}

/** The rollback steps for a host, in order. */
export function rollbackSteps(h: HostRun): string[] {
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
