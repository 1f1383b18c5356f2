/** `convoy`: the operator's CLI. Composition root: process context, signals, exit code. */
import { processContext } from './context.js';
import { runCli } from './program.js';

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

const controller = new AbortController();
const ctx = processContext(controller.signal);
let interrupts = 0;

// First signal: commands that stop cleanly (watch, logs --follow, demo) see the abort;
// any other command, or a second signal, exits at once.
function onSignal(signal: NodeJS.Signals): void {
  interrupts++;
  if (interrupts > 1 || !ctx.handlesInterrupt) process.exit(SIGNAL_EXIT[signal] ?? 1);
  controller.abort(new Error(`interrupted by ${signal}`));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `convoy agents | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

const code = await runCli(process.argv.slice(2), ctx);
ctx.close();
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exitCode = code;
// Nothing should outlive the command; if something does (a stray handle), do not hang the shell.
setTimeout(() => process.exit(code), 1000).unref();
