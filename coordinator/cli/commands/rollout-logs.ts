import type { Command } from 'commander';
import { nameArg, rolloutIdArg, stepArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { paint, printJsonLine } from '../output.js';
import type { LogLine } from '../views.js';

interface LogsOptions {
  follow?: boolean;
  host?: string;
  step?: string;
  json?: boolean;
}

/** One log line as text: `host step | line`. */
export function formatLogLine(l: LogLine, dim: (s: string) => string = (s) => s): string {
  return `${dim(`${l.agentId} ${l.step} |`)} ${l.line}`;
}

export function registerRolloutLogs(rollout: Command, ctx: CliContext): void {
  rollout
    .command('logs')
    .description('print the output of the steps of a rollout')
    .argument('<id>', 'the rollout id', rolloutIdArg())
    .option('-f, --follow', 'keep printing new output until the rollout ends (Ctrl-C stops)')
    .option('--host <agent>', 'only this host', nameArg('agent', '--host'))
    .option('--step <name>', 'only this step', stepArg('--step'))
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (id: string, opts: LogsOptions, cmd: Command) => {
        ctx.handlesInterrupt = Boolean(opts.follow);
        const req = { id, follow: Boolean(opts.follow), host: opts.host ?? '', step: opts.step ?? '' };
        const { dim } = paint(ctx.out.color);
        let count = 0;
        for await (const line of clientFor(ctx, cmd).rolloutLogs(req, ctx.signal)) {
          count++;
          if (opts.json) printJsonLine(ctx.out, line);
          else ctx.out.line(formatLogLine(line, dim));
        }
        if (count === 0 && !opts.json && !ctx.signal.aborted) {
          ctx.err(
            `convoy: no output recorded for rollout ${id}${opts.host ? ` on ${opts.host}` : ''}${opts.step ? ` in step ${opts.step}` : ''}. See: convoy rollout status ${id}`,
          );
        }
        return 0;
      }),
    );
}
