/**
 * A step that runs an operator-configured command: its cleanup first when it is run again
 * after an interruption, the command (with another step started alongside it when configured),
 * then its checks (output patterns, verify command). Every command runs in its own process
 * group, journalled through the hooks.
 */
import { runCommand, type CommandResult } from '../exec/command.js';
import type { StepConfig, StepHooks } from '../types.js';
import { formatDuration } from '../../shared/durations.js';
import type { StepRequest } from '../../shared/wire.js';
import { AlongsideRun } from './alongside.js';
import { stepEnv } from './step-env.js';
import { lastWords, OutputWatch } from './step-checks.js';
import { alongsideStep } from './steps.js';
import { failed, type StepDeps, type StepReport } from './step-report.js';

const LABEL_CHARS = 60;

/** Runs the step's command with the CONVOY_* environment; process timers run on real time (the child does). */
export async function runCommandStep(
  deps: StepDeps,
  step: StepConfig,
  request: StepRequest,
  hooks: StepHooks,
  extraEnv: Record<string, string> = {},
): Promise<StepReport> {
  if (step.command === undefined)
    return { outcome: 'FAILED', exitCode: -1, reason: `step ${step.name} has no command configured in ${deps.config.file}` };
  const env = stepEnv(deps.config, step, request, extraEnv);
  const cleanup = await runCleanup(step, request, hooks, env);
  if (cleanup) return cleanup;
  const along = startAlongside(deps, step, request, hooks, extraEnv);
  if ('report' in along) return along.report;
  const watch = new OutputWatch(step, step.alongside?.after);
  const main = linkedAbort(hooks.signal);
  along.run?.onFailure(() => main.abort());
  const result = await runCommand({
    command: step.command,
    cwd: step.cwd,
    env,
    timeoutMs: step.timeoutMs,
    signal: main.signal,
    onOutput: (lines) => {
      watch.see(lines);
      hooks.onOutput(lines);
      if (watch.triggered) along.run?.start();
    },
    onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
    onProcessGroupEnded: (pgid) => hooks.onProcessGroupEnded?.(pgid),
  });
  main.dispose();
  const report = commandReport(step, result);
  const alongside = along.run ? await along.run.finish(report.outcome === 'SUCCEEDED') : undefined;
  if (alongside) return alongside;
  if (report.outcome !== 'SUCCEEDED') return report;
  const label = commandLabel(step.command);
  const problem = watch.problem(label);
  if (problem) return { outcome: 'FAILED', exitCode: 0, reason: problem };
  if (along.run && !along.run.started) {
    return failed(
      `${label} exited 0 but never printed "${step.alongside?.after?.written}", so ${step.alongside?.step} was not started alongside it`,
    );
  }
  return runVerify(step, hooks, env, report);
}

/** A failed command's reason with its last words, when the exit code alone says little. */
function withWords(report: StepReport, result: CommandResult): StepReport {
  if (report.outcome !== 'FAILED' || result.tail.length === 0) return report;
  return { ...report, reason: `${report.reason}: ${lastWords(result.tail)}` };
}

/** The cleanup command runs before a re-run after an interruption (attempt 2 or later). */
async function runCleanup(
  step: StepConfig,
  request: StepRequest,
  hooks: StepHooks,
  env: Record<string, string>,
): Promise<StepReport | undefined> {
  if (!step.cleanup || Number(request.attempt) <= 1) return undefined;
  const label = commandLabel(step.cleanup);
  hooks.onOutput([`[cleanup] ${step.name} is run again after an interruption: running ${label} first`]);
  const r = await runCommand({
    command: step.cleanup,
    cwd: step.cwd,
    env,
    timeoutMs: step.timeoutMs,
    signal: hooks.signal,
    onOutput: (lines) => hooks.onOutput(lines.map((l) => `[cleanup] ${l}`)),
    onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
    onProcessGroupEnded: (pgid) => hooks.onProcessGroupEnded?.(pgid),
  });
  const report = commandReport({ ...step, command: step.cleanup }, r);
  if (report.outcome === 'SUCCEEDED') return undefined;
  return { ...report, reason: `cleanup before re-running ${step.name} failed: ${withWords(report, r).reason}` };
}

function startAlongside(
  deps: StepDeps,
  step: StepConfig,
  request: StepRequest,
  hooks: StepHooks,
  extraEnv: Record<string, string>,
): { run?: AlongsideRun } | { report: StepReport } {
  if (!step.alongside) return {};
  const other = alongsideStep(deps.config, step.alongside.step);
  if (!other?.command) return { report: failed(`step ${step.alongside.step}, which ${step.name} starts alongside, has no command`) };
  const run = new AlongsideRun({
    step: other,
    env: stepEnv(deps.config, other, request, extraEnv),
    hooks,
    describe: (r) => commandReport(other, r),
    label: commandLabel(other.command),
  });
  if (!step.alongside.after) run.start();
  return { run };
}

async function runVerify(step: StepConfig, hooks: StepHooks, env: Record<string, string>, passed: StepReport): Promise<StepReport> {
  if (!step.verify) return passed;
  const label = commandLabel(step.verify);
  const r = await runCommand({
    command: step.verify,
    cwd: step.cwd,
    env,
    timeoutMs: step.timeoutMs,
    signal: hooks.signal,
    onOutput: (lines) => hooks.onOutput(lines.map((l) => `[verify] ${l}`)),
    onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
    onProcessGroupEnded: (pgid) => hooks.onProcessGroupEnded?.(pgid),
  });
  const report = commandReport({ ...step, command: step.verify }, r);
  if (report.outcome === 'SUCCEEDED') return { ...passed, reason: `${passed.reason}; verify ${label} exited with code 0` };
  return {
    ...withWords(report, r),
    exitCode: 0,
    reason: `${commandLabel(step.command ?? step.name)} exited 0 but its verify command failed: ${withWords(report, r).reason}`,
  };
}

/** An AbortController that follows `parent` until disposed. */
function linkedAbort(parent: AbortSignal): { signal: AbortSignal; abort(): void; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (parent.aborted) controller.abort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, abort: () => controller.abort(), dispose: () => parent.removeEventListener('abort', onAbort) };
}

/** Maps how a command ended to an outcome and a reason such as "make build exited with code 2". */
export function commandReport(step: Pick<StepConfig, 'name' | 'command' | 'timeoutMs'>, r: CommandResult): StepReport {
  const label = commandLabel(step.command ?? step.name);
  const killedGroup = r.pgid !== undefined && r.killed !== undefined && r.killed !== 'not-running';
  const group = killedGroup ? `; process group ${r.pgid} killed` : r.error ? `; ${r.error}` : '';
  if (r.timedOut)
    return { outcome: 'TIMED_OUT', exitCode: -1, reason: `${label} timed out after ${formatDuration(step.timeoutMs)}${group}` };
  if (r.cancelled) return { outcome: 'CANCELLED', exitCode: -1, reason: `${label} cancelled${group}` };
  if (r.exitCode === 0 && !r.error) return { outcome: 'SUCCEEDED', exitCode: 0, reason: `${label} exited with code 0` };
  if (r.error && r.exitCode === -1) return { outcome: 'FAILED', exitCode: -1, reason: `${label}: ${r.error}` };
  return { outcome: 'FAILED', exitCode: r.exitCode, reason: `${label} exited with code ${r.exitCode}${r.error ? ` (${r.error})` : ''}` };
}

/** The command as an operator wrote it, shortened for a one-line reason. */
export function commandLabel(command: string | string[]): string {
  const text = (Array.isArray(command) ? command.join(' ') : command).replace(/\s+/g, ' ').trim();
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
}
