import type { Command } from 'commander';
import { GrpcControlClient, resolveConnection, type ControlApi, type GlobalOptions } from './client.js';
import { streamErr, streamOutput, type Output } from './output.js';
import { terminalClient } from './terminal-client.js';

/** What every command works with; tests pass their own (captured output, a fake client). */
export interface CliContext {
  out: Output;
  /** Writes one line to stderr (notices, errors); a real process shows its control characters inert. */
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  now(): number;
  /** Opens a ControlService client for the global options (--coordinator, --ca, ...). */
  connect(globals: GlobalOptions): ControlApi;
  /** Aborted on SIGINT/SIGTERM: streams stop and the demo cleans up. */
  signal: AbortSignal;
  /** Set by commands that stop cleanly when `signal` aborts; otherwise an interrupt exits at once. */
  handlesInterrupt: boolean;
  /** The exit code of the command that ran. */
  exitCode: number;
}

/** The context of a real `convoy` process; `close()` closes every client it opened. */
export function processContext(signal: AbortSignal): CliContext & { close(): void } {
  const clients: ControlApi[] = [];
  return {
    out: streamOutput(process.stdout),
    err: streamErr(process.stderr),
    env: process.env,
    now: () => Date.now(),
    connect(globals) {
      const client = new GrpcControlClient(resolveConnection(globals, process.env));
      clients.push(client);
      return client;
    },
    signal,
    handlesInterrupt: false,
    exitCode: 0,
    close() {
      for (const c of clients.splice(0)) c.close();
    },
  };
}

/**
 * The client for a command, from its options and its parents' (global) options. A command
 * that prints text gets answers whose strings are inert for a terminal (terminal-client.ts);
 * with --json it gets the exact values, which the JSON printer escapes.
 */
export function clientFor(ctx: CliContext, cmd: Command): ControlApi {
  const client = ctx.connect(cmd.optsWithGlobals<GlobalOptions>());
  return cmd.opts<{ json?: boolean }>().json ? client : terminalClient(client);
}

/** Wraps a command body: its result becomes the process exit code. */
export function action<A extends unknown[]>(ctx: CliContext, body: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    ctx.exitCode = await body(...args);
  };
}
