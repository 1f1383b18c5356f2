/** What agents report, applied to a rollout: step results and preflight inspections. */
import { isHealthy } from '../../shared/health.js';
import type { InspectResult, StepResult } from '../../shared/wire.js';
import { type Rollout, type RunOutcome, isTerminal } from './model.js';
import { addRemoteNotes, notesOf, type RemoteNotes } from './notes.js';
import { beginRollback, rollbackProblem } from './rollback.js';
import { type Transition, Work, describeRun, failRollout, findHost, latestRun } from './work.js';

const OUTCOMES: Record<string, RunOutcome> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed-out',
  CANCELLED: 'cancelled',
  REFUSED: 'refused',
  INTERRUPTED: 'interrupted',
};

/** Records a step result. A result for an unknown or already finished attempt changes nothing. */
export function applyStepResult(rollout: Rollout, agentId: string, result: StepResult, now: number): Transition {
  const w = new Work(rollout, now);
  const h = findHost(w, agentId);
  const run = h?.runs.find((x) => x.requestId === result.requestId);
  if (!h || !run || run.outcome !== 'running') return { rollout, effects: [] };
  run.outcome = OUTCOMES[result.outcome] ?? 'failed';
  run.exitCode = result.exitCode;
  run.reason = result.reason;
  // our own clock decides; the agent's times are kept for display (an agent's clock may be off)
  run.finishedAtMs = now;
  run.agentStartedAtMs = result.startedAtMs || undefined;
  run.agentFinishedAtMs = result.finishedAtMs || undefined;
  run.outputTail = result.outputTail.slice(-40);
  w.progress();
  const label = `${run.phase === 'rollback' ? 'rollback ' : ''}${run.step}`;
  w.event({
    kind: 'step-finished',
    message: `${label} on ${agentId} ${run.outcome}${run.reason ? `: ${run.reason}` : ''}`,
    agentId,
    step: run.step,
  });
  if (run.phase === 'rollback') return w.result(); // advanceRollback reads the outcome
  // the rollback target is where the rollout's FIRST checkout started: a re-run of a checkout
  // that had already moved the tree would report the target as its "previous" commit
  if (run.step === 'checkout' && result.previousCommit && !h.previousCommit) {
    // a checkout interrupted without a report may have moved the tree: preflight saw where it was
    h.previousCommit = run.attempt > 1 && h.inspection?.commit ? h.inspection.commit : result.previousCommit;
  }
  if (run.step === 'backup' && result.backup?.id) {
    h.preBackupId = result.backup.id;
    h.preBackupVersion = result.backup.version;
  }
  if (run.outcome === 'succeeded') {
    if (run.step === 'backup') h.state = 'backed-up';
    return w.result();
  }
  if (run.outcome === 'interrupted' && h.rerunnable.includes(run.step) && !isTerminal(w.r.state)) {
    w.event({ kind: 'step-finished', message: `${run.step} on ${agentId} was interrupted and will be re-run`, agentId, step: run.step });
    return w.result();
  }
  h.state = 'failed';
  h.reason = `${run.step}: ${describeRun(run)}`;
  h.finishedAtMs = now;
  const aborted = w.r.state === 'aborted';
  const problem = rollbackProblem(h);
  if (w.r.autoRollback && !aborted && !isTerminal(w.r.state) && !problem) {
    // the rollout stays running until the rollback has ended, then ends failed naming both
    w.r.failedHost = agentId;
    w.r.failedStep = run.step;
    beginRollback(w, h, 'autoRollback');
    return w.result();
  }
  failRollout(w, agentId, run.step, describeRun(run));
  if (w.r.autoRollback && !aborted && problem && latestRun(h, 'checkout')?.outcome === 'succeeded') {
    w.event({ kind: 'rollback', message: `autoRollback: cannot roll back: ${problem}`, agentId: h.agentId });
  }
  return w.result();
}

/** Records what preflight learned from one agent. */
export function applyInspectResult(rollout: Rollout, agentId: string, result: InspectResult, now: number): Transition {
  const w = new Work(rollout, now);
  const h = findHost(w, agentId);
  if (!h?.inspection || h.inspection.requestId !== result.requestId || h.inspection.done) return { rollout, effects: [] };
  h.inspection = {
    requestId: result.requestId,
    done: true,
    installedVersion: result.repo?.installedVersion ?? '',
    commit: result.repo?.commit ?? '',
    clean: result.repo?.clean ?? false,
    dirtyDetail: result.repo?.dirtyDetail ?? '',
    targetExists: result.targetExists,
    error: result.error,
    healthy: isHealthy(result.health),
    healthDetail: result.health?.detail ?? '',
    healthVersion: result.health?.version ?? '',
    notes: result.releaseNotes?.notes ?? [],
    notesVersions: result.releaseNotes?.versions,
    notesLookedIn: result.releaseNotes?.lookedIn?.map((l) => `${agentId}: ${l}`),
    driftFiles: result.drift?.files ?? [],
    requiredChanges: result.drift?.requiredChanges ?? [],
    driftError: result.drift?.error ?? '',
  };
  return w.result();
}

/** Records what the coordinator's release-notes source answered (preflight waits for it). */
export function applyRemoteNotes(rollout: Rollout, remote: RemoteNotes, now: number): Transition {
  const status = rollout.notes;
  if (!status || status.remote !== 'asked' || rollout.phase !== 'preflight') return { rollout, effects: [] };
  const w = new Work(rollout, now);
  addRemoteNotes(w.r, remote);
  const found = new Set(remote.notes.map((n) => n.version)).size;
  w.event({
    kind: 'preflight',
    message: `release notes from ${remote.source}: ${found} found${remote.notPublished.length ? `, none published for ${remote.notPublished.join(', ')}` : ''}${notesOf(w.r).remoteError ? `; ${notesOf(w.r).remoteError}` : ''}`,
  });
  return w.result();
}
