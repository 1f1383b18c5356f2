/**
 * Which steps this agent will run: the enabled steps of its plan, in order, with the
 * optional maintenance steps around them, plus the rollback steps it is configured for.
 */
import type { AgentConfig, StepConfig } from '../types.js';
import { printable } from '../../shared/versions.js';

export const ROLLBACK_CHECKOUT = 'rollback-checkout';
export const RESTORE = 'restore';
/** Steps implemented by the agent itself (unless the config gives them a command). */
export const BUILTIN_STEPS: ReadonlySet<string> = new Set(['checkout', 'release-notes', 'health', ROLLBACK_CHECKOUT]);
/** Steps whose archive goes into the backup catalogue. */
export const BACKUP_STEPS: ReadonlySet<string> = new Set(['backup', 'backup-after']);
/** Fallback timeout of the rollback checkout when the plan has no checkout step. */
const ROLLBACK_CHECKOUT_TIMEOUT_MS = 5 * 60_000;

/** Enabled steps in the order of a rollout: maintenance-on first, maintenance-off last. */
export function planSteps(config: AgentConfig): StepConfig[] {
  const main = config.steps.filter((s) => s.enabled);
  const names = new Set(main.map((s) => s.name));
  const extra = (s: StepConfig | undefined): StepConfig[] => (s && s.enabled && !names.has(s.name) ? [s] : []);
  return [...extra(config.maintenanceOn), ...main, ...extra(config.maintenanceOff)];
}

/** Every step a request may name: the plan plus rollback-checkout and a configured restore. */
export function runnableSteps(config: AgentConfig): StepConfig[] {
  const steps = [...planSteps(config), rollbackCheckoutStep(config)];
  if (config.restore?.enabled) steps.push(config.restore);
  return steps;
}

/** The enabled step called `name`, or undefined. */
export function findStep(config: AgentConfig, name: string): StepConfig | undefined {
  return runnableSteps(config).find((s) => s.name === name);
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
  return `step ${shown} is not in the plan of agent ${config.id} (plan: ${plan})`;
}

/** True when `step` runs agent code rather than a command. */
export function isBuiltin(step: StepConfig): boolean {
  return BUILTIN_STEPS.has(step.name) && (step.builtin || step.command === undefined);
}

/** The rollback checkout is always available; it borrows the checkout step's timeout. */
function rollbackCheckoutStep(config: AgentConfig): StepConfig {
  const checkout = config.steps.find((s) => s.name === 'checkout');
  return {
    name: ROLLBACK_CHECKOUT,
    timeoutMs: checkout?.timeoutMs ?? ROLLBACK_CHECKOUT_TIMEOUT_MS,
    env: {},
    cwd: config.serverDir,
    enabled: true,
    rerunnable: true,
    builtin: true,
  };
}
