/**
 * `convoy demo` as the program registers it. The demo itself (demo.ts: sample servers,
 * certificates, daemons) is imported when the command runs: every other command starts
 * without loading it.
 */
import type { Command } from 'commander';
import { action, type CliContext } from '../context.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run a local sandbox: convoyd, three agents and three linked sample servers, and a real rollout')
    .option(
      '--keep',
      'keep the sandbox running after the rollout (convoyd, agents, servers) and print the environment for convoy commands; Ctrl-C ends it',
    )
    .option('--dir <path>', 'put the sandbox here (a new or empty directory) instead of a temp dir')
    .action(
      action(ctx, async (opts: { keep?: boolean; dir?: string }) => {
        const { runDemo } = await import('./demo.js');
        return runDemo(ctx, opts);
      }),
    );
}
