/** A step that runs an operator-configured command, and the one-line reason it ended with. */
import { runCommand, type CommandResult } from '../exec/command.js';
import type { StepConfig, StepHooks } from '../types.js';
import { formatDuration } from '../../shared/durations.js';
import type { StepRequest } from '../../shared/wire.js';
import { stepEnv } from './step-env.js';
import type { StepDeps, StepReport } from './step-report.js';

const LABEL_CHARS = 60;

/**
 * Runs the step's command with the CONVOY_* environment. Process timers run on real time
 * (the child does), whatever clock the plan was given.
 */
export async function runCommandStep(
  deps: StepDeps,
  step: StepConfig,
  request: StepRequest,
  hooks: StepHooks,
  extraEnv: Record<string, string> = {},
): Promise<StepReport> {
  if (step.command === undefined)
    return { outcome: 'FAILED', exitCode: -1, reason: `step ${step.name} has no command configured in ${deps.config.file}` };
  const result = await runCommand({
    command: step.command,
    cwd: step.cwd,
    env: stepEnv(deps.config, step, request, extraEnv),
    timeoutMs: step.timeoutMs,
    signal: hooks.signal,
    onOutput: (lines) => hooks.onOutput(lines),
    onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
  });
  return commandReport(step, result);
}

/** Maps how a command ended to an outcome and a reason such as "make build exited with code 2". */
export function commandReport(step: StepConfig, r: CommandResult): StepReport {
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
