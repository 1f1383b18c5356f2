import type { Command } from 'commander';
import { nameArg, versionArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { printJson, printJsonLine } from '../output.js';
import { exitCodeOfRollout, rolloutScope } from '../views.js';
import { scopeOf } from './plan.js';
import { watchCommand } from './rollout-watch.js';

interface StartOptions {
  host?: string;
  to: string;
  ackReleaseNotes?: boolean;
  watch?: boolean;
  json?: boolean;
}

export function registerRolloutStart(rollout: Command, ctx: CliContext): void {
  rollout
    .command('start')
    .description('start a rollout of a cluster (or of one host) to a version; prints its id')
    .argument('[cluster]', 'the cluster to update', nameArg('cluster'))
    .option('--host <agent>', 'update one host instead of a cluster', nameArg('agent', '--host'))
    .requiredOption('--to <version>', 'the target version (a tag, or the tracked branch)', versionArg('--to'))
    .option('--ack-release-notes', 'acknowledge release notes that require manual changes (make them first)')
    .option('--watch', 'then follow it live, like `convoy rollout watch`')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (cluster: string | undefined, opts: StartOptions, cmd: Command) => {
        const scope = scopeOf(cluster, opts.host, 'rollout start');
        const client = clientFor(ctx, cmd);
        const view = await client.startRollout({ ...scope, targetVersion: opts.to, ackReleaseNotes: Boolean(opts.ackReleaseNotes) });
        // stdout carries only the id (or JSON) so scripts can capture it; the story goes to stderr.
        if (opts.json && opts.watch) printJsonLine(ctx.out, view);
        else if (opts.json) printJson(ctx.out, view);
        else ctx.out.line(view.id);
        ctx.err(`started rollout ${view.id}: ${rolloutScope(view)} → ${view.targetVersion} (${view.state})`);
        if (view.state === 'awaiting-ack') {
          ctx.err(
            `It waits until the release notes are acknowledged. Review: convoy rollout status ${view.id}   Then: convoy rollout ack ${view.id}`,
          );
        }
        if (opts.watch) return watchCommand(ctx, client, view.id, Boolean(opts.json));
        if (!opts.json) ctx.err(`Follow it: convoy rollout watch ${view.id}`);
        return exitCodeOfRollout(view);
      }),
    );
}
