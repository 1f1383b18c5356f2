/**
 * Runs one step of the plan and turns whatever happens into a complete StepResult:
 * refuse what does not fit the plan, tee the output into the step log, dispatch to a
 * command or a built-in, then add timestamps and the repo state. Never throws.
 */
import type { StepConfig, StepHooks } from '../types.js';
import { messageOf } from '../../shared/errors.js';
import type { RepoState, StepRequest, StepResult } from '../../shared/wire.js';
import { TAIL_LINES } from '../exec/output-lines.js';
import { runBackupArchiveStep, runBackupStep } from './backup-step.js';
import { runBuiltinStep } from './builtin-steps.js';
import { runCommandStep } from './command-step.js';
import { StepLog, stepLogPath } from './step-log.js';
import type { StepDeps, StepReport } from './step-report.js';
import { BACKUP_STEPS, findStep, isBuiltin } from './steps.js';
import { requestProblem } from './validate.js';

/** Directory name for the logs of requests that carry no rollout id. */
const NO_ROLLOUT = '_no-rollout';

/** Runs a step that validate() accepted; re-checks the cheap parts as a second line of defence. */
export async function runStep(deps: StepDeps, request: StepRequest, hooks: StepHooks): Promise<StepResult> {
  const startedAtMs = deps.clock.now();
  const tail: string[] = [];
  const refusal = requestProblem(deps.config, request);
  const step = findStep(deps.config, request.step);
  if (refusal || !step)
    return complete(deps, request, startedAtMs, tail, { outcome: 'REFUSED', exitCode: -1, reason: refusal ?? 'unknown step' });
  const log = await openLog(deps, request);
  const onOutput = (lines: string[]): void => {
    keepTail(tail, lines);
    log?.write(lines);
    try {
      hooks.onOutput(lines);
    } catch (err) {
      // Output that cannot be forwarded is still in the log and the tail; the step goes on.
      deps.logger.warn(`cannot forward step output: ${messageOf(err)}`, fields(request));
    }
  };
  log?.write([
    `step ${step.name} started: target ${request.targetVersion || '-'}, attempt ${request.attempt}, request ${request.requestId}`,
  ]);
  let report: StepReport;
  try {
    report = await dispatch(deps, step, request, { ...hooks, onOutput });
  } catch (err) {
    report = { outcome: 'FAILED', exitCode: -1, reason: `step ${step.name} failed inside the agent: ${messageOf(err)}` };
  }
  log?.write([`step ${step.name} ${report.outcome}: ${report.reason}`]);
  await log?.close();
  return complete(deps, request, startedAtMs, tail, report);
}

function dispatch(deps: StepDeps, step: StepConfig, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  if (isBuiltin(step)) return runBuiltinStep(deps, step, request, hooks);
  if (BACKUP_STEPS.has(step.name)) return runBackupStep(deps, step, request, hooks);
  if (step.requiresBackup) return runBackupArchiveStep(deps, step, request, hooks);
  return runCommandStep(deps, step, request, hooks);
}

async function complete(
  deps: StepDeps,
  request: StepRequest,
  startedAtMs: number,
  tail: string[],
  report: StepReport,
): Promise<StepResult> {
  return {
    requestId: request.requestId,
    rolloutId: request.rolloutId,
    step: request.step,
    outcome: report.outcome,
    exitCode: report.exitCode,
    reason: report.reason,
    outputTail: [...tail],
    startedAtMs,
    finishedAtMs: deps.clock.now(),
    previousCommit: report.previousCommit ?? '',
    backup: report.backup ?? null,
    releaseNotes: report.releaseNotes ?? null,
    repo: await repoAfter(deps),
    health: report.health ?? null,
    attempt: request.attempt,
  };
}

async function repoAfter(deps: StepDeps): Promise<RepoState | null> {
  try {
    return await deps.git.state(deps.config.trackedBranch);
  } catch (err) {
    deps.logger.warn(`cannot read the repository state of ${deps.config.repo}: ${messageOf(err)}`);
    return null;
  }
}

async function openLog(deps: StepDeps, request: StepRequest): Promise<StepLog | undefined> {
  const file = stepLogPath(deps.config.stateDir, request.rolloutId || NO_ROLLOUT, request.step);
  try {
    return await StepLog.open(file, deps.clock);
  } catch (err) {
    deps.logger.warn(`cannot open the step log ${file}: ${messageOf(err)}`, fields(request));
    return undefined;
  }
}

function keepTail(tail: string[], lines: string[]): void {
  tail.push(...lines);
  if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
}

function fields(request: StepRequest): Record<string, unknown> {
  return { rolloutId: request.rolloutId, step: request.step, requestId: request.requestId, attempt: request.attempt };
}
