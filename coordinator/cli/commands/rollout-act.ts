import type { Command } from 'commander';
import { REASON_MAX, rolloutIdArg, textArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { paint, printJson } from '../output.js';
import { colorState, nextCommands } from '../rollout-text.js';
import { ROLLOUT_ACTIONS, type RolloutAction, type RolloutView } from '../views.js';
import { watchRollout, EXIT_INTERRUPTED } from './rollout-watch.js';

const DESCRIPTIONS: Record<RolloutAction, string> = {
  ack: 'acknowledge the release notes of a rollout that waits for it (make the required changes first)',
  pause: 'pause a rollout at the next safe point: the host in flight finishes its update and health gate (--now: before the next step)',
  resume: 'resume a paused rollout where it stopped',
  abort: 'abort a rollout and cancel the step in flight',
  rollback: 'move the failed host of a rollout back to its previous version, by its rollback procedure',
};

interface ActOptions {
  reason?: string;
  json?: boolean;
  now?: boolean;
  allowSuperseded?: boolean;
  watch?: boolean;
}

/** What a rollback started, in one line per host: where it goes and by which steps. */
export function describeRollback(view: RolloutView): string[] {
  return view.hosts
    .filter((h) => h.steps.some((s) => s.phase === 'rollback') && h.state !== 'rolled-back')
    .map((h) => {
      const steps = [...new Set(h.steps.filter((s) => s.phase === 'rollback').map((s) => s.step))];
      return `rolling ${h.agentId} back to ${h.fromVersion || 'its previous version'} (started: ${steps.join(', ')})`;
    });
}

function registerAction(rollout: Command, ctx: CliContext, name: RolloutAction): void {
  const cmd = rollout
    .command(name)
    .description(DESCRIPTIONS[name])
    .argument('<id>', 'the rollout id', rolloutIdArg())
    .option('--reason <text>', 'why (recorded in the event log)', textArg('--reason', REASON_MAX));
  if (name === 'pause')
    cmd.option('--now', 'stop before the next step, even in the middle of a host (it may be left checked out, not built)');
  if (name === 'rollback') {
    cmd.option('--watch', 'follow the rollback until it ends (exit 0 when every host was rolled back, 1 when not)');
    cmd.option(
      '--allow-superseded',
      'roll back even though a later rollout changed the host (restores an older backup: docs/operations.md)',
    );
  }
  cmd.option(...JSON_FLAG).action(
    action(ctx, async (id: string, opts: ActOptions, c: Command) => {
      const client = clientFor(ctx, c);
      const view = await client.actOnRollout({
        id,
        action: name,
        reason: opts.reason ?? '',
        now: opts.now === true,
        allowSuperseded: opts.allowSuperseded === true,
      });
      if (opts.json && !opts.watch) {
        printJson(ctx.out, view);
        return 0;
      }
      if (!opts.json) {
        ctx.out.line(`rollout ${view.id}: ${colorState(view.state, paint(ctx.out.color))} (phase ${view.phase || '-'})`);
        if (name === 'rollback') for (const line of describeRollback(view)) ctx.out.line(line);
        if (view.reason && name !== 'rollback') ctx.out.line(view.reason);
      }
      if (name === 'rollback' && opts.watch) {
        ctx.handlesInterrupt = true;
        const last = await watchRollout(ctx, client, id, { json: opts.json === true });
        if (!last) {
          ctx.err(`convoy: stopped watching; the rollback of ${id} goes on. Watch again: convoy rollout watch ${id}`);
          return EXIT_INTERRUPTED;
        }
        const rolledBack = last.hosts.filter((h) => h.steps.some((s) => s.phase === 'rollback'));
        return rolledBack.length > 0 && rolledBack.every((h) => h.state === 'rolled-back') ? 0 : 1;
      }
      if (name === 'rollback' && !opts.json) ctx.out.line(`Follow it: convoy rollout watch ${view.id}`);
      else {
        const next = nextCommands(view);
        if (next.length && !opts.json) ctx.out.line(`Next: ${next.join('   ')}`);
      }
      return 0;
    }),
  );
}

export function registerRolloutActions(rollout: Command, ctx: CliContext): void {
  for (const name of ROLLOUT_ACTIONS) registerAction(rollout, ctx, name);
}
