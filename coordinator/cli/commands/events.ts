import type { Command } from 'commander';
import { rolloutIdArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG, parsePositiveInt } from '../options.js';
import { formatTable, formatTimestamp, orDash, printJson } from '../output.js';
import type { EventView } from '../views.js';

/** `convoy events` as table lines. */
export function formatEvents(events: EventView[]): string[] {
  const rows = events.map((e) => [
    formatTimestamp(e.atMs),
    orDash(e.rolloutId),
    orDash(e.agentId),
    orDash(e.step),
    orDash(e.actor),
    e.kind,
    e.message,
  ]);
  return formatTable(['TIME', 'ROLLOUT', 'HOST', 'STEP', 'ACTOR', 'KIND', 'MESSAGE'], rows);
}

export function registerEvents(program: Command, ctx: CliContext): void {
  program
    .command('events')
    .description("read the coordinator's event journal (who did what, when)")
    .option('--rollout <id>', 'only events of this rollout', rolloutIdArg('--rollout'))
    .option('--limit <n>', 'how many', parsePositiveInt, 50)
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (opts: { rollout?: string; limit: number; json?: boolean }, cmd: Command) => {
        const events = await clientFor(ctx, cmd).listEvents({ rolloutId: opts.rollout ?? '', limit: opts.limit });
        if (opts.json) printJson(ctx.out, events);
        else if (events.length === 0) ctx.out.line('No events yet.');
        else for (const line of formatEvents(events)) ctx.out.line(line);
        return 0;
      }),
    );
}
