/**
 * Which steps this agent will run: the enabled steps of its update procedure, in order,
 * with the optional maintenance steps around them, and the steps of its rollback procedure.
 */
import type { AgentConfig, StepConfig } from '../types.js';
import { printable } from '../../shared/versions.js';

export const ROLLBACK_CHECKOUT = 'rollback-checkout';
export const RESTORE = 'restore';
/** Steps implemented by the agent itself (unless the config gives them a command). */
export const BUILTIN_STEPS: ReadonlySet<string> = new Set(['checkout', 'release-notes', 'health', ROLLBACK_CHECKOUT]);
/** Steps whose archive goes into the backup catalogue. */
export const BACKUP_STEPS: ReadonlySet<string> = new Set(['backup', 'backup-after']);

/** Enabled steps of the update, in order: maintenance-on first, maintenance-off last. */
export function planSteps(config: AgentConfig): StepConfig[] {
  const main = config.steps.filter((s) => s.enabled);
  const names = new Set(main.map((s) => s.name));
  const extra = (s: StepConfig | undefined): StepConfig[] => (s && s.enabled && !names.has(s.name) ? [s] : []);
  return [...extra(config.maintenanceOn), ...main, ...extra(config.maintenanceOff)];
}

/** The rollback procedure, in order (the agent reports it; the coordinator follows it). */
export function rollbackSteps(config: AgentConfig): StepConfig[] {
  return config.rollback.filter((s) => s.enabled);
}

/** Every step a request may name: the update and rollback procedures, plus a configured restore. */
export function runnableSteps(config: AgentConfig): StepConfig[] {
  const all = [...planSteps(config), ...rollbackSteps(config), ...(config.restore?.enabled ? [config.restore] : [])];
  const seen = new Set<string>();
  return all.filter((s) => !seen.has(s.name) && seen.add(s.name));
}

/** The enabled step called `name`, or undefined. */
export function findStep(config: AgentConfig, name: string): StepConfig | undefined {
  return runnableSteps(config).find((s) => s.name === name);
}

/** A step another one starts alongside itself (e.g. `up` during Hoss's restore), resolved from any procedure. */
export function alongsideStep(config: AgentConfig, name: string): StepConfig | undefined {
  return [...config.steps, ...config.rollback, ...config.extraSteps].find((s) => s.name === name);
}

/** Why this agent will not run a step called `name`, or undefined when it will. */
export function stepProblem(config: AgentConfig, name: string): string | undefined {
  if (findStep(config, name)) return undefined;
  const plan = planSteps(config)
    .map((s) => s.name)
    .join(', ');
  const shown = `"${printable(name)}"`;
  if (name === RESTORE) return `step ${shown} is not configured on agent ${config.id}: add steps.restore to ${config.file} (plan: ${plan})`;
  const disabled = [...config.steps, config.maintenanceOn, config.maintenanceOff].some((s) => s?.name === name && !s.enabled);
  if (disabled) return `step ${shown} is disabled in ${config.file} of agent ${config.id} (plan: ${plan})`;
  const rollback = rollbackSteps(config)
    .map((s) => s.name)
    .join(', ');
  return `step ${shown} is not in the plan of agent ${config.id} (plan: ${plan}; rollback: ${rollback})`;
}

/** True when `step` runs agent code rather than a command. */
export function isBuiltin(step: StepConfig): boolean {
  return BUILTIN_STEPS.has(step.name) && (step.builtin || step.command === undefined);
}

/**
 * How long each runnable step may take, as the Hello tells the coordinator: the health step
 * lasts up to its deadline, and a step with a cleanup, a verify or an alongside step may run
 * those too.
 */
export function stepTimeoutsMs(config: AgentConfig): Record<string, number> {
  const longest = (s: StepConfig): number => {
    if (s.name === 'health') return Math.max(s.timeoutMs, config.health?.deadlineMs ?? 0);
    const along = s.alongside ? alongsideStep(config, s.alongside.step) : undefined;
    const parts = [s.cleanup ? s.timeoutMs : 0, Math.max(s.timeoutMs, along?.timeoutMs ?? 0), s.verify ? s.timeoutMs : 0];
    return parts.reduce((a, b) => a + b, 0);
  };
  return Object.fromEntries(runnableSteps(config).map((s) => [s.name, longest(s)]));
}
