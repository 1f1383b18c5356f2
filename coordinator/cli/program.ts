import { Command, CommanderError } from 'commander';
import { messageOf } from '../../shared/errors.js';
import type { CliContext } from './context.js';
import { CliError, EXIT, oneLine } from './errors.js';
import { convoyPackage } from '../../shared/package.js';
import { registerAdmin } from './commands/admin-snapshot.js';
import { registerAgents } from './commands/agents.js';
import { registerBackups } from './commands/backups.js';
import { registerCerts } from './commands/certs.js';
import { registerCompletion } from './commands/completion.js';
import { registerDemo } from './commands/demo-command.js';
import { registerEvents } from './commands/events.js';
import { registerPlan } from './commands/plan.js';
import { registerRolloutActions } from './commands/rollout-act.js';
import { registerRolloutList } from './commands/rollout-list.js';
import { registerRolloutLogs } from './commands/rollout-logs.js';
import { registerRolloutStart } from './commands/rollout-start.js';
import { registerRolloutStatus } from './commands/rollout-status.js';
import { registerRolloutWatch } from './commands/rollout-watch.js';
import { registerSchedules } from './commands/schedules.js';
import { addHelpExamples } from './help.js';

/**
 * Builds the `convoy` program. Commander never exits the process itself (exitOverride): usage
 * errors come back as CommanderError and runCli maps them to exit 2.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('convoy')
    .description('Convoy: safe, ordered, health-gated updates for fleets of self-hosted git + make servers')
    .version(convoyPackage().version, '-V, --version')
    .option('--coordinator <host:port>', 'address of convoyd (default: $CONVOY_COORDINATOR, else 127.0.0.1:7400)')
    .option('--ca <file>', 'CA certificate to verify convoyd (default: $CONVOY_CA); enables TLS')
    .option('--cert <file>', 'client certificate for mutual TLS (default: $CONVOY_CERT)')
    .option('--key <file>', 'private key of the client certificate (default: $CONVOY_KEY)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out.write(s), writeErr: (s) => ctx.err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run with --help for usage)');
  // Settings above are copied into every subcommand created below.
  registerAgents(program, ctx);
  registerPlan(program, ctx);
  const rollout = program.command('rollout').description('start, follow and steer rollouts');
  registerRolloutStart(rollout, ctx);
  registerRolloutStatus(rollout, ctx);
  registerRolloutWatch(rollout, ctx);
  registerRolloutLogs(rollout, ctx);
  registerRolloutList(rollout, ctx);
  registerRolloutActions(rollout, ctx);
  registerEvents(program, ctx);
  registerBackups(program, ctx);
  registerSchedules(program, ctx);
  registerCerts(program, ctx);
  registerAdmin(program, ctx);
  registerDemo(program, ctx);
  registerCompletion(program, ctx);
  addHelpExamples(program);
  return program;
}

/** Runs one command line (without node and script); returns the exit code. Errors are one line on stderr. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    // Commander has printed its own message; help and --version end with 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      ctx.err(`convoy: ${err.message}`);
      return err.exitCode;
    }
    ctx.err(`convoy: unexpected error: ${oneLine(messageOf(err))} (set CONVOY_DEBUG=1 for details)`);
    if (ctx.env.CONVOY_DEBUG && err instanceof Error && err.stack) ctx.err(err.stack);
    return EXIT.rolloutFailed;
  }
}
