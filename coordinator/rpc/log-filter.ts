/**
 * What `convoy rollout logs --host/--step` may ask for: a host of the rollout, a step one of its
 * hosts plans or ran. Anything else is NOT_FOUND with the names that exist, instead of an empty
 * answer that reads as "no output yet".
 */
import type { HostRun, Rollout } from '../rollout/model.js';
import { rollbackSteps } from '../rollout/rollback.js';

/** Every step a host of a rollout may log: its backup, update steps, rollback procedure, and what it ran. */
function stepsOf(h: HostRun): string[] {
  return [
    ...(h.hasBackup ? ['backup'] : []),
    ...h.updateSteps,
    ...rollbackSteps(h),
    ...(h.rollback?.steps ?? []),
    ...h.runs.map((r) => r.step),
  ];
}

/** Why `filter` names nothing in `r`, or undefined. */
export function logFilterProblem(r: Rollout, filter: { host: string; step: string }): string | undefined {
  const hosts = r.hosts.map((h) => h.agentId);
  if (filter.host && !hosts.includes(filter.host))
    return `rollout ${r.id} has no host "${filter.host}" (its hosts: ${hosts.join(', ') || 'none'}); run \`convoy rollout status ${r.id}\``;
  if (!filter.step) return undefined;
  const steps = [...new Set(r.hosts.filter((h) => !filter.host || h.agentId === filter.host).flatMap(stepsOf))];
  if (steps.includes(filter.step)) return undefined;
  const where = filter.host ? `${filter.host} in rollout ${r.id}` : `rollout ${r.id}`;
  return `${where} has no step "${filter.step}" (its steps: ${steps.join(', ') || 'none'}); run \`convoy rollout status ${r.id}\``;
}
