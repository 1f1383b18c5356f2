import type { Command } from 'commander';
import { REASON_MAX, rolloutIdArg, textArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { paint, printJson } from '../output.js';
import { colorState, nextCommands } from '../rollout-text.js';
import type { RolloutAction } from '../views.js';

const DESCRIPTIONS: Record<RolloutAction, string> = {
  ack: 'acknowledge the release notes of a rollout that waits for it (make the required changes first)',
  pause: 'pause a rollout before its next step',
  resume: 'resume a paused rollout where it stopped',
  abort: 'abort a rollout and cancel the step in flight',
  rollback: 'move the failed host of a rollout back to its previous version',
};

function registerAction(rollout: Command, ctx: CliContext, name: RolloutAction): void {
  rollout
    .command(name)
    .description(DESCRIPTIONS[name])
    .argument('<id>', 'the rollout id', rolloutIdArg())
    .option('--reason <text>', 'why (recorded in the event journal)', textArg('--reason', REASON_MAX))
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (id: string, opts: { reason?: string; json?: boolean }, cmd: Command) => {
        const view = await clientFor(ctx, cmd).actOnRollout({ id, action: name, reason: opts.reason ?? '' });
        if (opts.json) {
          printJson(ctx.out, view);
          return 0;
        }
        ctx.out.line(`rollout ${view.id}: ${colorState(view.state, paint(ctx.out.color))} (phase ${view.phase || '-'})`);
        const next = nextCommands(view);
        if (next.length) ctx.out.line(`Next: ${next.join('   ')}`);
        return 0;
      }),
    );
}

export function registerRolloutActions(rollout: Command, ctx: CliContext): void {
  for (const name of ['ack', 'pause', 'resume', 'abort', 'rollback'] as const) registerAction(rollout, ctx, name);
}
