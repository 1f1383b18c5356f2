import type { Command } from 'commander';
import { nameArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG, parsePositiveInt } from '../options.js';
import { formatTable, formatTimestamp, orDash, paint, printJson, truncate, type Paint } from '../output.js';
import { colorState } from '../rollout-text.js';
import { rolloutScope, type RolloutView } from '../views.js';

/** `convoy rollout list` as table lines, in the order the coordinator returns (newest first). */
export function formatRolloutList(rollouts: RolloutView[], p: Paint): string[] {
  const rows = rollouts.map((r) => [
    r.id,
    rolloutScope(r),
    r.targetVersion,
    colorState(r.state, p),
    orDash(r.phase),
    formatTimestamp(r.createdAtMs),
    orDash(r.initiator),
    truncate(orDash(r.reason), 60),
  ]);
  return formatTable(['ID', 'SCOPE', 'TARGET', 'STATE', 'PHASE', 'CREATED', 'BY', 'REASON'], rows);
}

export function registerRolloutList(rollout: Command, ctx: CliContext): void {
  rollout
    .command('list')
    .description('list recent rollouts, newest first')
    .option('--limit <n>', 'how many', parsePositiveInt, 20)
    .option('--cluster <name>', 'only this cluster', nameArg('cluster', '--cluster'))
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (opts: { limit: number; cluster?: string; json?: boolean }, cmd: Command) => {
        const rollouts = await clientFor(ctx, cmd).listRollouts({ limit: opts.limit, cluster: opts.cluster ?? '' });
        if (opts.json) printJson(ctx.out, rollouts);
        else if (rollouts.length === 0) ctx.out.line('No rollouts yet. Plan one: convoy plan <cluster> --to <version>');
        else for (const line of formatRolloutList(rollouts, paint(ctx.out.color))) ctx.out.line(line);
        return 0;
      }),
    );
}
