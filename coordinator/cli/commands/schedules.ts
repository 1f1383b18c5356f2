/** `convoy schedules [--json]`, `convoy schedules run|enable|disable <name>`: maintenance windows. */
import type { Command } from 'commander';
import { nameArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { formatAgo, formatTimestamp, paint, printJson, type Paint } from '../output.js';
import type { ScheduleView, ScheduleWindowView } from '../views.js';

/** "3h", "1h30m", "6s": a window length as operators write it in coordinator.yaml. */
export function formatLength(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || `${ms}ms`;
}

/** "2026-11-29 01:00 UTC" (seconds only when not :00). */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(17, 19) === '00' ? '' : iso.slice(16, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds} UTC`;
}

function windowLine(w: ScheduleWindowView): string {
  return `${w.startLocal} – ${w.endLocal}   (${formatUtc(w.startMs)} – ${formatUtc(w.endMs)})`;
}

function targetLine(s: ScheduleView): string {
  if (s.resolveProblem) return `${s.target}: cannot resolve now: ${s.resolveProblem}`;
  return s.resolvedTarget === s.target ? s.target : `${s.target}, now ${s.resolvedTarget}`;
}

/** One schedule as text: what it does, its next windows, its last outcome. */
export function formatSchedule(s: ScheduleView, now: number, p: Paint): string[] {
  const state = s.enabled ? p.green('enabled') : p.yellow('disabled');
  const lines = [`${p.bold(s.name)}  cluster ${s.cluster}  ${state}`];
  const row = (k: string, v: string): number => lines.push(`  ${k.padEnd(9)} ${v}`);
  row('when', `"${s.cron}" in ${s.timezone}, open for ${formatLength(s.windowMs)}`);
  row('target', targetLine(s));
  row(
    'notes',
    s.ackReleaseNotes ? 'required changes acknowledged automatically' : 'a release that declares required changes waits in awaiting-ack',
  );
  if (s.windowOpen) row('open', p.cyan(`a window is open until ${formatUtc(s.windowEndMs)}`));
  if (!s.enabled) row('next', `no window opens; run \`convoy schedules enable ${s.name}\``);
  s.nextWindows.forEach((w, i) => row(i === 0 ? 'next' : '', windowLine(w)));
  if (s.lastRunAtMs) row('last', `${s.lastOutcome}  (${formatTimestamp(s.lastRunAtMs)}, ${formatAgo(s.lastRunAtMs, now)})`);
  else row('last', 'no window opened yet');
  return lines;
}

/** `convoy schedules` as text lines. */
export function formatSchedules(list: ScheduleView[], now: number, p: Paint): string[] {
  if (list.length === 0) return ['No schedules. Add schedules: to coordinator.yaml (see docs/schedules.md) and restart convoyd.'];
  return list.flatMap((s, i) => [...(i ? [''] : []), ...formatSchedule(s, now, p)]);
}

function registerList(schedules: Command, ctx: CliContext): void {
  schedules
    .command('list', { isDefault: true })
    .description('each schedule: its next windows (local and UTC), the target it resolves to now, its last outcome')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (opts: { json?: boolean }, cmd: Command) => {
        const list = await clientFor(ctx, cmd).listSchedules();
        if (opts.json) printJson(ctx.out, list);
        else for (const line of formatSchedules(list, ctx.now(), paint(ctx.out.color))) ctx.out.line(line);
        return 0;
      }),
    );
}

function registerRun(schedules: Command, ctx: CliContext): void {
  schedules
    .command('run')
    .description("open a window of the schedule's length now (to try a schedule out)")
    .argument('<name>', 'the schedule', nameArg('schedule'))
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (name: string, opts: { json?: boolean }, cmd: Command) => {
        const s = await clientFor(ctx, cmd).runSchedule(name);
        if (opts.json) {
          printJson(ctx.out, s);
          return 0;
        }
        ctx.out.line(`schedule ${s.name}: window open until ${formatUtc(s.windowEndMs)}: ${s.lastOutcome}`);
        if (s.lastRolloutId) ctx.out.line(`Next: convoy rollout watch ${s.lastRolloutId}`);
        return 0;
      }),
    );
}

function registerToggle(schedules: Command, ctx: CliContext, enabled: boolean): void {
  const verb = enabled ? 'enable' : 'disable';
  schedules
    .command(verb)
    .description(
      enabled
        ? 'let the schedule open its windows again (kept in the state file)'
        : 'open no more windows of the schedule until enabled (kept in the state file; a window already open goes on)',
    )
    .argument('<name>', 'the schedule', nameArg('schedule'))
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (name: string, opts: { json?: boolean }, cmd: Command) => {
        const s = await clientFor(ctx, cmd).setScheduleEnabled(name, enabled);
        if (opts.json) {
          printJson(ctx.out, s);
          return 0;
        }
        const next = s.nextWindows[0];
        const when = next ? `next window ${next.startLocal} (${formatUtc(next.startMs)})` : 'no window opens';
        ctx.out.line(`schedule ${s.name}: ${s.enabled ? 'enabled' : 'disabled'}; ${when}`);
        return 0;
      }),
    );
}

export function registerSchedules(program: Command, ctx: CliContext): void {
  const schedules = program.command('schedules').description('maintenance windows: list, run now, enable, disable');
  registerList(schedules, ctx);
  registerRun(schedules, ctx);
  registerToggle(schedules, ctx, true);
  registerToggle(schedules, ctx, false);
}
