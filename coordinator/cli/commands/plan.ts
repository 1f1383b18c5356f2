import type { Command } from 'commander';
import { action, clientFor, type CliContext } from '../context.js';
import { EXIT, usageError } from '../errors.js';
import { JSON_FLAG } from '../options.js';
import { paint, printJson, type Paint } from '../output.js';
import type { PlanHost, PlanResponse } from '../views.js';
import type { ReleaseNotes } from '../../../shared/wire.js';

/** Every problem of a plan: the response's list plus host problems it does not already mention. */
export function planProblems(plan: PlanResponse): string[] {
  const problems = [...plan.problems];
  for (const h of plan.hosts) {
    if (h.problem && !problems.some((p) => p.includes(h.problem))) problems.push(`${h.agentId}: ${h.problem}`);
  }
  return problems;
}

function sameNotes(a: ReleaseNotes | null | undefined, b: ReleaseNotes | null | undefined): boolean {
  return Boolean(a && b && a.fromVersion === b.fromVersion && a.toVersion === b.toVersion);
}

function formatNotes(notes: ReleaseNotes | null | undefined, p: Paint): string[] {
  if (!notes || notes.notes.length === 0) return ['    release notes: none'];
  const lines = ['    release notes:'];
  for (const n of notes.notes) {
    const flag = n.requiresAction ? `  ${p.yellow(p.bold('REQUIRES ACTION'))}` : '';
    lines.push(`      ${n.version} (${n.source || 'notes'})${flag}`);
    for (const req of n.requiredLines) lines.push(`        ! ${req}`);
  }
  return lines;
}

function formatHost(h: PlanHost, previous: PlanHost | undefined, p: Paint): string[] {
  const name = h.role === 'auth' ? `${h.agentId} (auth)` : h.agentId;
  const status = [h.connected ? 'connected' : p.red('not connected'), h.healthy ? 'healthy' : p.red('unhealthy')].join(', ');
  const lines = [
    `${String(h.order).padStart(2)}  ${p.bold(name)}  ${h.installedVersion || '?'} → ${h.targetVersion}  ${status}`,
    `    steps: ${h.steps.length ? h.steps.join(', ') : '-'}`,
  ];
  if (previous && sameNotes(previous.releaseNotes, h.releaseNotes)) lines.push(`    release notes: same as ${previous.agentId}`);
  else lines.push(...formatNotes(h.releaseNotes, p));
  if (h.problem) lines.push(`    ${p.red('problem:')} ${h.problem}`);
  return lines;
}

/** `convoy plan` as text lines; `startCommand` is the command that would start this rollout. */
export function formatPlan(plan: PlanResponse, startCommand: string, p: Paint): string[] {
  const scope = plan.cluster ? `cluster ${plan.cluster}` : `host ${plan.hosts[0]?.agentId ?? '?'}`;
  const lines = [`Plan: ${scope} → ${plan.targetVersion}`];
  if (plan.phases.length) lines.push(`Phases: ${plan.phases.join(' → ')}`);
  lines.push('');
  const hosts = [...plan.hosts].sort((a, b) => a.order - b.order);
  hosts.forEach((h, i) => lines.push(...formatHost(h, hosts[i - 1], p)));
  lines.push('');
  const problems = planProblems(plan);
  if (problems.length) {
    lines.push(p.red('Problems (a rollout would stop at preflight):'));
    for (const problem of problems) lines.push(`  - ${problem}`);
    lines.push('Fix them, then run the plan again.');
    return lines;
  }
  if (plan.requiresAction) {
    lines.push(p.yellow('The release notes require manual changes: make them, then acknowledge when starting:'));
    lines.push(`  ${startCommand} --ack-release-notes`);
  } else {
    lines.push('Ready. Start it with:');
    lines.push(`  ${startCommand}`);
  }
  return lines;
}

interface PlanOptions {
  to: string;
  host?: string;
  json?: boolean;
}

/** Checks "a cluster or --host, not both" (shared with `rollout start`). */
export function scopeOf(cluster: string | undefined, host: string | undefined, verb: string): { cluster: string; host: string } {
  if (cluster && host) throw usageError(`give a cluster or --host, not both. Example: convoy ${verb} ${cluster} --to <version>`);
  if (!cluster && !host)
    throw usageError(
      `name a cluster or a host. Example: convoy ${verb} <cluster> --to <version>, or convoy ${verb} --host <agent> --to <version>`,
    );
  return { cluster: cluster ?? '', host: host ?? '' };
}

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('show what a rollout to a version would do, host by host, and what would stop it')
    .argument('[cluster]', 'the cluster to plan for')
    .option('--host <agent>', 'plan for one host instead of a cluster')
    .requiredOption('--to <version>', 'the target version (a tag, or the tracked branch)')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (cluster: string | undefined, opts: PlanOptions, cmd: Command) => {
        const scope = scopeOf(cluster, opts.host, 'plan');
        const plan = await clientFor(ctx, cmd).plan({ ...scope, targetVersion: opts.to });
        const start = `convoy rollout start ${scope.cluster || `--host ${scope.host}`} --to ${opts.to}`;
        if (opts.json) printJson(ctx.out, plan);
        else for (const line of formatPlan(plan, start, paint(ctx.out.color))) ctx.out.line(line);
        return planProblems(plan).length ? EXIT.usage : EXIT.ok;
      }),
    );
}
