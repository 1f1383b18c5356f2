import type { Command } from 'commander';
import { formatDuration } from '../../../shared/durations.js';
import { rolloutIdArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { formatAgo, formatTable, formatTimestamp, orDash, paint, printJson, type Paint } from '../output.js';
import { ackSummary, colorState, nextCommands, resumeSummary } from '../rollout-text.js';
import { exitCodeOfRollout, type HostView, type RolloutView, type StepRunView } from '../views.js';

/** Output lines kept from a failed step (the agent sends a bounded tail already). */
const TAIL_LINES = 20;

function formatHeader(view: RolloutView, now: number, p: Paint): string[] {
  const rows: [string, string][] = [['Rollout', p.bold(view.id)]];
  if (view.cluster) {
    const auth = view.authHost ? `auth ${view.authHost}, ` : '';
    rows.push(['Cluster', `${view.cluster} (${auth}max parallel ${view.maxParallel || 1})`]);
  } else rows.push(['Host', orDash(view.hosts[0]?.agentId)]);
  rows.push(['Target', view.targetVersion], ['State', colorState(view.state, p)], ['Phase', orDash(view.phase)]);
  rows.push(['Initiator', orDash(view.initiator)]);
  rows.push(['Created', `${formatTimestamp(view.createdAtMs)} (${formatAgo(view.createdAtMs, now)})`]);
  if (view.finishedAtMs) {
    rows.push(['Finished', `${formatTimestamp(view.finishedAtMs)} (took ${formatDuration(view.finishedAtMs - view.createdAtMs)})`]);
  }
  if (view.reason) rows.push(['Reason', view.reason]);
  if (view.failedHost) rows.push(['Failed', `${view.failedHost}${view.failedStep ? `, step ${view.failedStep}` : ''}`]);
  rows.push(['Ack', ackSummary(view)]);
  if ((view.state === 'failed' || view.state === 'aborted') && !view.rollbackPossible && view.rollbackBlocked)
    rows.push(['Rollback', `not possible: ${view.rollbackBlocked}`]);
  if (view.resumeAtMs) rows.push(['Resumes', resumeSummary(view)]);
  return rows.map(([k, v]) => `${k.padEnd(10)} ${v}`);
}

function stepDuration(run: StepRunView, now: number): string {
  if (run.outcome === 'running') return run.startedAtMs ? `${formatDuration(now - run.startedAtMs)}…` : '-';
  if (run.durationMs) return formatDuration(run.durationMs);
  return run.finishedAtMs && run.startedAtMs ? formatDuration(run.finishedAtMs - run.startedAtMs) : '-';
}

/** The step runs of one host as table rows: step, outcome, exit code, duration, reason. */
export function stepRows(host: HostView, now: number, p: Paint): string[][] {
  return host.steps.map((run) => [
    run.attempt > 1 ? `${run.step} (#${run.attempt})` : run.step,
    colorState(run.outcome, p),
    run.outcome === 'running' || run.exitCode < 0 ? '-' : String(run.exitCode),
    stepDuration(run, now),
    orDash(run.reason),
  ]);
}

function formatHostSection(host: HostView, now: number, p: Paint): string[] {
  const step = host.currentStep ? `, at ${host.currentStep}` : '';
  const lines = [`${p.bold(host.agentId)} (${host.role}, ${colorState(host.state, p)}${step}, from ${orDash(host.fromVersion)})`];
  if (host.reason) lines.push(`  reason: ${host.reason}`);
  if (host.steps.length === 0) return [...lines, '  no steps run yet'];
  const table = formatTable(['STEP', 'OUTCOME', 'EXIT', 'DURATION', 'REASON'], stepRows(host, now, p));
  lines.push(...table.map((l) => `  ${l}`));
  for (const run of host.steps) {
    if (run.outcome === 'succeeded' || run.outcome === 'running' || run.outputTail.length === 0) continue;
    lines.push(`  output of ${run.step} (last ${Math.min(TAIL_LINES, run.outputTail.length)} lines):`);
    for (const out of run.outputTail.slice(-TAIL_LINES)) lines.push(`    | ${out}`);
  }
  return lines;
}

/** The host overview: one row per host in rollout order; the auth host is marked with *. */
export function hostRows(view: RolloutView, p: Paint): string[][] {
  return [...view.hosts]
    .sort((a, b) => a.order - b.order)
    .map((h) => [
      `${h.role === 'auth' ? '*' : ' '} ${h.agentId}`,
      h.role,
      colorState(h.state, p),
      orDash(h.currentStep),
      orDash(h.fromVersion),
    ]);
}

/** Release notes: those that require action (until acknowledged), versions none was found for, changes needed by hand. */
export function formatNotesStatus(view: RolloutView, p: Paint): string[] {
  const lines: string[] = [];
  const required = view.releaseNotes.filter((n) => n.requiresAction);
  if (required.length && !view.ackedBy) {
    lines.push('', 'Release notes that require action:');
    for (const n of required) {
      lines.push(`  ${n.version}:`);
      for (const req of n.requiredLines) lines.push(`    ! ${req}`);
    }
  }
  if (view.notesMissing.length) {
    lines.push('', `Release notes: ${p.yellow('none found')} for ${view.notesMissing.join(', ')} (not "no action required")`);
    lines.push(`  looked in: ${view.notesLookedIn.join('; ') || 'nowhere'}`);
  }
  if (view.notesError) lines.push('', `Release notes: ${p.red('could not read')} ${view.notesError}`);
  if (view.requiredChanges.length) {
    lines.push('', `Required changes${view.ackedBy ? ` (acknowledged by ${view.ackedBy})` : ''}:`);
    for (const c of view.requiredChanges) lines.push(`  ! ${c}`);
  }
  return lines;
}

/** `convoy rollout status` as text lines. */
export function formatRolloutStatus(view: RolloutView, now: number, p: Paint): string[] {
  const lines = formatHeader(view, now, p);
  lines.push(...formatNotesStatus(view, p));
  lines.push('', ...formatTable(['  HOST', 'ROLE', 'STATE', 'STEP', 'FROM'], hostRows(view, p)));
  for (const host of [...view.hosts].sort((a, b) => a.order - b.order)) lines.push('', ...formatHostSection(host, now, p));
  const next = nextCommands(view);
  if (next.length) lines.push('', 'Next:', ...next.map((c) => `  ${c}`));
  return lines;
}

export function registerRolloutStatus(rollout: Command, ctx: CliContext): void {
  rollout
    .command('status')
    .description('show a rollout: its state, each host and each step run')
    .argument('<id>', 'the rollout id', rolloutIdArg())
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (id: string, opts: { json?: boolean }, cmd: Command) => {
        const view = await clientFor(ctx, cmd).getRollout(id);
        if (opts.json) printJson(ctx.out, view);
        else for (const line of formatRolloutStatus(view, ctx.now(), paint(ctx.out.color))) ctx.out.line(line);
        return exitCodeOfRollout(view);
      }),
    );
}
