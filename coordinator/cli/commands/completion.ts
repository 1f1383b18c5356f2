/** `convoy completion bash|zsh|fish`: prints the completion script for the shell. */
import { Argument, type Command } from 'commander';
import { action, type CliContext } from '../context.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import { EXIT } from '../errors.js';

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print the shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action(
      action(ctx, async (shell: Shell) => {
        ctx.out.write(completionScript(shell, program));
        return EXIT.ok;
      }),
    );
}
