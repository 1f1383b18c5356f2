/** The steps the agent implements itself, each under the step's timeout and the daemon's abort signal. */
import type { StepConfig, StepHooks } from '../types.js';
import { formatDuration } from '../../shared/durations.js';
import type { StepRequest } from '../../shared/wire.js';
import { runCheckout, runRollbackCheckout, type MoveOptions } from './checkout.js';
import { runHealthStep } from './health.js';
import { collectReleaseNotesOnce, versionsWithoutNotes } from './release-notes.js';
import { requestedHealthDeadline } from './validate.js';
import { failed, succeeded, type StepDeps, type StepReport } from './step-report.js';

type Builtin = (deps: StepDeps, request: StepRequest, hooks: StepHooks) => Promise<StepReport>;

const BUILTINS: Record<string, Builtin> = {
  checkout: checkoutStep,
  'rollback-checkout': rollbackCheckoutStep,
  health: healthStep,
  'release-notes': releaseNotesStep,
};

/** Runs a built-in step; TIMED_OUT or CANCELLED when it did not succeed before the timer or the abort. */
export async function runBuiltinStep(deps: StepDeps, step: StepConfig, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  const builtin = BUILTINS[step.name];
  if (!builtin) return failed(`step ${step.name} is not a built-in step and has no command configured in ${deps.config.file}`);
  const controller = new AbortController();
  let timedOut = false;
  const onTimeout = (): void => {
    timedOut = true;
    controller.abort();
  };
  const timeoutMs = builtinTimeoutMs(deps, step, request);
  const cancelTimer = timeoutMs > 0 ? deps.clock.setTimer(timeoutMs, onTimeout) : () => undefined;
  const onAbort = (): void => controller.abort();
  if (hooks.signal.aborted) onAbort();
  hooks.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const report = await builtin(deps, request, { ...hooks, signal: controller.signal });
    // A step that got its work done before the abort reports what it did.
    if (report.outcome === 'SUCCEEDED') return report;
    if (timedOut)
      return {
        ...report,
        outcome: 'TIMED_OUT',
        exitCode: -1,
        reason: `${step.name} timed out after ${formatDuration(timeoutMs)}: ${report.reason}`,
      };
    if (hooks.signal.aborted) return { ...report, outcome: 'CANCELLED', exitCode: -1, reason: `${step.name} cancelled: ${report.reason}` };
    return report;
  } finally {
    cancelTimer();
    hooks.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The step's timeout, stretched for a health step whose request carries a longer deadline
 * than the agent's own: the coordinator's cluster deadline must be able to run out first.
 */
function builtinTimeoutMs(deps: StepDeps, step: StepConfig, request: StepRequest): number {
  const deadline = requestedHealthDeadline(request);
  if (step.name !== 'health' || deadline === undefined || step.timeoutMs <= 0) return step.timeoutMs;
  return Math.max(step.timeoutMs, deadline + (deps.config.health?.requestTimeoutMs ?? 0));
}

async function checkoutStep(deps: StepDeps, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  const r = await runCheckout({
    ...moveDeps(deps, request, hooks),
    config: deps.config,
    restorePoints: deps.restorePoints,
    target: request.targetVersion,
  });
  return { ...(r.ok ? succeeded(r.reason) : failed(r.reason)), previousCommit: r.previousCommit };
}

async function rollbackCheckoutStep(deps: StepDeps, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  const r = await runRollbackCheckout({ ...moveDeps(deps, request, hooks), repo: deps.config.repo, restoreCommit: request.restoreCommit });
  return { ...(r.ok ? succeeded(r.reason) : failed(r.reason)), previousCommit: r.previousCommit };
}

/** Every git that changes the tree runs under the step's signal, in a process group journalled like any step command's. */
function moveDeps(deps: StepDeps, request: StepRequest, hooks: StepHooks): MoveOptions {
  return {
    git: deps.git,
    moves: deps.moves,
    clock: deps.clock,
    rolloutId: request.rolloutId,
    run: {
      signal: hooks.signal,
      onOutput: (lines) => hooks.onOutput(lines),
      onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
      onProcessGroupEnded: (pgid) => hooks.onProcessGroupEnded?.(pgid),
    },
  };
}

/**
 * Waits for the service at the target version. A branch has no version a service could
 * report, so on the tracked branch any reported version is accepted.
 */
async function healthStep(deps: StepDeps, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  const onBranch = request.targetVersion === deps.config.trackedBranch;
  if (onBranch && deps.config.health?.versionField) {
    hooks.onOutput([`target ${request.targetVersion} is the tracked branch: any version the service reports is accepted`]);
  }
  const r = await runHealthStep({
    deadlineMs: requestedHealthDeadline(request),
    config: deps.config.health,
    target: onBranch ? undefined : request.targetVersion,
    clock: deps.clock,
    signal: hooks.signal,
    onOutput: (lines) => hooks.onOutput(lines),
    // a health command's process group is journalled like any step's, so a restart cleans it up
    onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
    onProcessGroupEnded: (pgid) => hooks.onProcessGroupEnded?.(pgid),
  });
  return { outcome: r.outcome, exitCode: r.outcome === 'SUCCEEDED' ? 0 : -1, reason: r.reason, health: r.health };
}

/** Collects the notes and always succeeds: whether they need an acknowledgement is the coordinator's call. */
async function releaseNotesStep(deps: StepDeps, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  const from = request.fromVersion || (await deps.git.state(deps.config.trackedBranch)).installedVersion;
  const notes = await collectReleaseNotesOnce(deps.notes, {
    git: deps.git,
    repoDir: deps.config.repo,
    changelog: deps.config.releaseNotes.changelog,
    markers: deps.config.releaseNotes.markers,
    fromVersion: from,
    toVersion: request.targetVersion,
  });
  const lines = notes.notes.flatMap((n) => n.requiredLines.map((l) => `required (${n.version}, ${n.source}): ${l}`));
  const missing = versionsWithoutNotes(notes);
  const range = `release notes ${from} -> ${request.targetVersion}`;
  const noneFor = missing.length ? `; none found for ${missing.join(', ')} (looked in: ${(notes.lookedIn ?? []).join('; ')})` : '';
  hooks.onOutput([
    `${range}: ${notes.notes.length} note(s) for ${new Set(notes.notes.map((n) => n.version)).size} of ${notes.versions?.length ?? 0} version(s)${noneFor}`,
    ...lines,
  ]);
  // "no notes found" is not "no action required": say which it is
  const reason = notes.requiresAction
    ? `${range} require action (${lines.length} lines)`
    : notes.notes.length === 0
      ? `${range}: none found on this host${noneFor.replace(/^; none found/, '')}`
      : `${range}: no required changes declared in the notes found${noneFor}`;
  return { ...succeeded(reason), releaseNotes: notes };
}
