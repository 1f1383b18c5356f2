import type { Command } from 'commander';
import { nameArg, versionArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { EXIT, usageError } from '../errors.js';
import { JSON_FLAG } from '../options.js';
import { paint, printJson, type Paint } from '../output.js';
import type { PlanHost, PlanResponse } from '../views.js';

/** Every problem of a plan: the response's list plus host problems it does not already mention. */
export function planProblems(plan: PlanResponse): string[] {
  const problems = [...plan.problems];
  for (const h of plan.hosts) {
    if (h.problem && !problems.some((p) => p.includes(h.problem))) problems.push(`${h.agentId}: ${h.problem}`);
  }
  return problems;
}

function formatHost(h: PlanHost, p: Paint, showDiff: boolean): string[] {
  const name = h.role === 'auth' ? `${h.agentId} (auth)` : h.agentId;
  const served = h.servedVersion && h.servedVersion !== h.installedVersion ? `, serves ${h.servedVersion}` : '';
  const status = [h.connected ? 'connected' : p.red('not connected'), h.healthy ? 'healthy' : p.red('unhealthy')].join(', ');
  const lines = [`${String(h.order).padStart(2)}  ${p.bold(name)}  ${h.installedVersion || '?'} → ${h.targetVersion}${served}  ${status}`];
  if (h.verdict === 'update')
    lines.push(`    update: ${h.steps.length ? h.steps.join(', ') : '-'}${h.verdictReason ? ` (${h.verdictReason})` : ''}`);
  else if (h.verdict === 'skip') lines.push(`    skip: ${h.verdictReason}`);
  else lines.push(`    ${p.red('refused:')} ${h.problem || h.verdictReason}`);
  lines.push(...formatDrift(h, p, showDiff));
  return lines;
}

function formatDrift(h: PlanHost, p: Paint, showDiff: boolean): string[] {
  const d = h.drift;
  if (!d) return [];
  const lines: string[] = [];
  if (d.error) lines.push(`    ${p.yellow('configuration drift unknown:')} ${d.error}`);
  if (d.files.length) {
    const hint = showDiff ? '' : ' (convoy plan --diff shows them)';
    lines.push(`    configuration files that change on the way${hint}:`);
    for (const f of d.files) lines.push(`      ${f}`);
  }
  for (const c of d.requiredChanges) lines.push(`    ${p.yellow('required change:')} ${c}`);
  if (showDiff && d.diffLines.length) {
    lines.push('    diff:');
    for (const l of d.diffLines) lines.push(`      ${l}`);
    if (d.diffTruncated) lines.push('      … (diff cut; run git diff on the host for all of it)');
  }
  return lines;
}

/** The release notes of every version on the way, and the versions without any. */
function formatNotes(plan: PlanResponse, p: Paint): string[] {
  if (plan.versions.length === 0 && plan.releaseNotes.length === 0) return [];
  const lines = [`Release notes (${plan.versions.join(', ') || 'versions unknown'}):`];
  for (const n of plan.releaseNotes) {
    const flag = n.requiresAction ? `  ${p.yellow(p.bold('REQUIRES ACTION'))}` : '';
    lines.push(`  ${n.version} (${n.source || 'notes'})${flag}`);
    for (const req of n.requiredLines) lines.push(`    ! ${req}`);
  }
  if (plan.notesMissing.length) {
    lines.push(`  ${p.yellow('none found')} for ${plan.notesMissing.join(', ')}: not "no action required", only that Convoy found none`);
    lines.push(`  looked in: ${plan.notesLookedIn.join('; ') || 'nowhere'}`);
  }
  if (plan.notesError) lines.push(`  ${p.red('could not read:')} ${plan.notesError}`);
  return lines;
}

/** `convoy plan` as text lines; `startCommand` is the command that would start this rollout. */
export function formatPlan(plan: PlanResponse, startCommand: string, p: Paint, showDiff = false): string[] {
  const scope = plan.cluster ? `cluster ${plan.cluster}` : `host ${plan.hosts[0]?.agentId ?? '?'}`;
  const lines = [`Plan: ${scope} → ${plan.targetVersion}`];
  if (plan.phases.length) lines.push(`Phases: ${plan.phases.join(' → ')}`);
  lines.push('');
  const hosts = [...plan.hosts].sort((a, b) => a.order - b.order);
  for (const h of hosts) lines.push(...formatHost(h, p, showDiff));
  const notes = formatNotes(plan, p);
  if (notes.length) lines.push('', ...notes);
  lines.push('');
  const problems = planProblems(plan);
  if (problems.length) {
    lines.push(p.red('Problems (a rollout would stop at preflight):'));
    for (const problem of problems) lines.push(`  - ${problem}`);
    lines.push('Fix them, then run the plan again.');
    return lines;
  }
  if (hosts.every((h) => h.verdict === 'skip')) {
    lines.push(`Nothing to do: every host already runs ${plan.targetVersion}.`);
    return lines;
  }
  if (plan.requiresAction) {
    lines.push(p.yellow('The rollout would wait for an acknowledgement:'));
    for (const r of plan.ackReasons) lines.push(`  - ${r}`);
    lines.push('Make the changes, then start it acknowledged:');
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
  diff?: boolean;
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
    .argument('[cluster]', 'the cluster to plan for', nameArg('cluster'))
    .option('--host <agent>', 'plan for one host instead of a cluster', nameArg('agent', '--host'))
    .requiredOption('--to <version>', 'the target version (a tag, or the tracked branch)', versionArg('--to'))
    .option('--diff', 'show the configuration drift on the way as a diff (templates, compose files)')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (cluster: string | undefined, opts: PlanOptions, cmd: Command) => {
        const scope = scopeOf(cluster, opts.host, 'plan');
        const plan = await clientFor(ctx, cmd).plan({ ...scope, targetVersion: opts.to, includeDiff: opts.diff === true });
        const start = `convoy rollout start ${scope.cluster || `--host ${scope.host}`} --to ${opts.to}`;
        if (opts.json) printJson(ctx.out, plan);
        else for (const line of formatPlan(plan, start, paint(ctx.out.color), opts.diff === true)) ctx.out.line(line);
        return planProblems(plan).length ? EXIT.usage : EXIT.ok;
      }),
    );
}
