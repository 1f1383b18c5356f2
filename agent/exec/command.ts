/**
 * Runs one step command: the only importer of execa.
 *
 * The child leads its own process group (`detached`), so a timeout or an abort signals
 * the whole tree it started. We never rely on execa's own timeout or on the pipes
 * closing: a grandchild (make -> sh -> docker) may keep them open forever, so the result
 * is settled from the leader's exit plus a short drain of what is left in the pipes.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ResultPromise } from 'execa';
import { systemClock, type Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import { LineSplitter, OutputBatcher } from './output-lines.js';
import { killProcessGroup, type GroupKillOutcome } from './process-group.js';

export { killProcessGroup, processGroupAlive, signalProcessGroup, type GroupKillOutcome } from './process-group.js';

/** What to run and whom to tell. */
export interface RunCommandOptions {
  /** A string runs with `/bin/sh -c` (operator-written config); a list runs without a shell. */
  command: string | string[];
  cwd: string;
  /** Added to the agent's own environment (the caller includes the CONVOY_* variables). */
  env?: Record<string, string>;
  /** `env` is the whole environment, not an addition (git: the agent's GIT_* variables must not leak in). */
  replaceEnv?: boolean;
  /** 0 means no timeout. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Output lines, stdout and stderr interleaved, in small batches. */
  onOutput?(lines: string[]): void;
  /** The process group id, as soon as the command started (journal it for cleanup). */
  onProcessGroup?(pgid: number): void;
  /** The group's leader exited and what was left of the group was dealt with. */
  onProcessGroupEnded?(pgid: number): void;
  /** Time between SIGTERM and SIGKILL of the group. */
  killGraceMs?: number;
  /** How long to keep reading the pipes after the leader exited. */
  drainMs?: number;
  clock?: Clock;
}

/** How a command ended. */
export interface CommandResult {
  /** The exit code, or -1 when it was killed by a signal or never started. */
  exitCode: number;
  timedOut: boolean;
  cancelled: boolean;
  /** The last output lines. */
  tail: string[];
  /** Why it did not run or did not exit normally, for operators. */
  error?: string;
  /** The process group id (undefined when the command never started). */
  pgid?: number;
  /** The signal that ended the leader, if any. */
  signal?: string;
  /** What the timeout or abort did to the group. */
  killed?: GroupKillOutcome;
}

const DRAIN_MS = 1000;
/**
 * After the group was signalled, how long to wait for the leader's exit before settling
 * anyway: a process stuck in the kernel (a hung NFS mount) or one we may not signal
 * (sudo) must not hang the agent.
 */
const EXIT_AFTER_KILL_MS = 5000;

/** Runs a command to completion, timeout or cancellation. Never throws. */
export async function runCommand(opts: RunCommandOptions): Promise<CommandResult> {
  const clock = opts.clock ?? systemClock;
  const output = new OutputBatcher({ onOutput: (lines) => opts.onOutput?.(lines), clock });
  const problem = await startProblem(opts);
  if (problem) return { exitCode: problem.exitCode, timedOut: false, cancelled: problem.cancelled, tail: [], error: problem.error };
  const [file, args] = toArgv(opts.command);
  const sub = spawnInGroup(await loadExeca(), file, args, opts);
  const pgid = sub.pid;
  if (pgid !== undefined) opts.onProcessGroup?.(pgid);
  const streams = readStreams(sub, output, clock);
  const watch = watchForKill(pgid, opts, clock);
  const ended = await Promise.race([waitForEnd(sub), watch.gaveUp]);
  watch.stop();
  if (!('spawnError' in ended)) await streams.drain(opts.drainMs ?? DRAIN_MS);
  const killed = await watch.killing;
  output.flush();
  if (pgid !== undefined && !('stuck' in ended)) opts.onProcessGroupEnded?.(pgid);
  return describeEnd(ended, { file, opts, pgid, killed, timedOut: watch.timedOut(), cancelled: watch.cancelled(), tail: output.tail() });
}

interface StartProblem {
  exitCode: number;
  cancelled: boolean;
  error: string;
}

async function startProblem(opts: RunCommandOptions): Promise<StartProblem | undefined> {
  if (opts.signal?.aborted) return { exitCode: -1, cancelled: true, error: 'cancelled before it started' };
  const argv = typeof opts.command === 'string' ? [opts.command] : opts.command;
  if (argv.length === 0 || argv[0]?.trim() === '') return { exitCode: -1, cancelled: false, error: 'the command is empty' };
  try {
    if (!(await stat(opts.cwd)).isDirectory())
      return { exitCode: -1, cancelled: false, error: `working directory ${opts.cwd} is not a directory` };
  } catch {
    return { exitCode: -1, cancelled: false, error: `working directory ${opts.cwd} does not exist` };
  }
  return undefined;
}

function toArgv(command: string | string[]): [string, string[]] {
  if (typeof command === 'string') return ['/bin/sh', ['-c', command]];
  const [file = '', ...args] = command;
  return [file, args];
}

type Execa = (typeof import('execa'))['execa'];
let execaModule: Promise<Execa> | undefined;

/**
 * execa is loaded with the first command, not with the agent: an agent that waits for work
 * does not hold it (several MiB of code an idle agent's memory would carry).
 */
function loadExeca(): Promise<Execa> {
  execaModule ??= import('execa').then((m) => m.execa);
  return execaModule;
}

function spawnInGroup(execa: Execa, file: string, args: string[], opts: RunCommandOptions): ResultPromise {
  const sub = execa(file, args, {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: opts.replaceEnv !== true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    detached: true,
    buffer: false,
    reject: false,
    cleanup: false,
    windowsHide: true,
  });
  // We settle from the child's events; execa's own promise may wait on pipes that a
  // grandchild keeps open, so it is only kept from reporting an unhandled rejection.
  sub.catch(() => undefined);
  return sub;
}

interface StreamReader {
  /** Waits until both pipes ended, or `ms` passed; then stops passing lines on. */
  drain(ms: number): Promise<void>;
}

function readStreams(sub: ResultPromise, output: OutputBatcher, clock: Clock): StreamReader {
  let forwarding = true;
  const ends = [sub.stdout, sub.stderr].map((stream) =>
    readLines(stream, (lines) => {
      if (forwarding) output.add(lines);
    }),
  );
  return {
    async drain(ms) {
      let cancel: () => void = () => undefined;
      const timeout = new Promise<void>((resolve) => (cancel = clock.setTimer(ms, resolve)));
      await Promise.race([Promise.all(ends), timeout]);
      cancel();
      forwarding = false;
      // A background service started by the step may still hold the pipes. Keep
      // reading (and dropping) so it never dies of EPIPE, but let the agent exit.
      for (const stream of [sub.stdout, sub.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    },
  };
}

function readLines(stream: Readable | null, deliver: (lines: string[]) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const splitter = new LineSplitter();
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => deliver(splitter.push(chunk)));
    stream.once('error', () => resolve());
    stream.once('close', () => {
      deliver(splitter.end());
      resolve();
    });
  });
}

interface KillWatch {
  stop(): void;
  timedOut(): boolean;
  cancelled(): boolean;
  /** Resolves when a kill that was started has finished (undefined if none was). */
  killing: Promise<GroupKillOutcome | undefined>;
  /** Resolves only when the group could not be killed or its leader outlived the kill. */
  gaveUp: Promise<Ended>;
}

function watchForKill(pgid: number | undefined, opts: RunCommandOptions, clock: Clock): KillWatch {
  let reason: 'timeout' | 'abort' | undefined;
  let resolveKilling: (k: GroupKillOutcome | undefined) => void = () => undefined;
  let giveUp: (e: Ended) => void = () => undefined;
  const killing = new Promise<GroupKillOutcome | undefined>((resolve) => (resolveKilling = resolve));
  const gaveUp = new Promise<Ended>((resolve) => (giveUp = resolve));
  const start = (why: 'timeout' | 'abort'): void => {
    if (reason || pgid === undefined) return;
    reason = why;
    killProcessGroup(pgid, { graceMs: opts.killGraceMs, clock }).then(
      (outcome) => {
        resolveKilling(outcome);
        clock.setTimer(EXIT_AFTER_KILL_MS, () =>
          giveUp({ stuck: `process group ${pgid} was sent ${outcome === 'killed' ? 'SIGKILL' : 'SIGTERM'} but its leader did not exit` }),
        );
      },
      (err: unknown) => {
        resolveKilling(undefined);
        giveUp({ stuck: `process group ${pgid} could not be killed (${messageOf(err)}); it may still be running` });
      },
    );
  };
  const cancelTimer = opts.timeoutMs > 0 ? clock.setTimer(opts.timeoutMs, () => start('timeout')) : () => undefined;
  const onAbort = (): void => start('abort');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    stop() {
      cancelTimer();
      opts.signal?.removeEventListener('abort', onAbort);
      if (!reason) resolveKilling(undefined);
    },
    timedOut: () => reason === 'timeout',
    cancelled: () => reason === 'abort',
    killing,
    gaveUp,
  };
}

type Ended = { code: number | null; signal: NodeJS.Signals | null } | { spawnError: Error } | { stuck: string };

function waitForEnd(sub: ResultPromise): Promise<Ended> {
  return new Promise((resolve) => {
    sub.once('exit', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
    // Before 'spawn' an error means the command never started; afterwards 'exit' follows.
    sub.once('error', (err: Error) => {
      if (sub.pid === undefined) resolve({ spawnError: err });
    });
  });
}

interface EndContext {
  file: string;
  opts: RunCommandOptions;
  pgid: number | undefined;
  killed: GroupKillOutcome | undefined;
  timedOut: boolean;
  cancelled: boolean;
  tail: string[];
}

function describeEnd(ended: Ended, ctx: EndContext): CommandResult {
  const base = { timedOut: ctx.timedOut, cancelled: ctx.cancelled, tail: ctx.tail, pgid: ctx.pgid, killed: ctx.killed };
  if ('spawnError' in ended) return { ...base, ...spawnFailure(ended.spawnError, ctx.file) };
  if ('stuck' in ended) return { ...base, exitCode: -1, error: ended.stuck };
  if (ended.signal !== null) return { ...base, exitCode: -1, signal: ended.signal, error: `killed by ${ended.signal}` };
  const exitCode = ended.code ?? -1;
  if (exitCode === 127 && typeof ctx.opts.command === 'string') {
    return { ...base, exitCode, error: `command not found (the shell exited with 127)${notFoundLine(ctx.tail)}` };
  }
  return { ...base, exitCode };
}

function spawnFailure(err: Error, file: string): { exitCode: number; error: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { exitCode: 127, error: `command not found: ${file}` };
  if (code === 'EACCES') return { exitCode: 126, error: `command is not executable: ${file}` };
  return { exitCode: -1, error: `could not start ${file}: ${messageOf(err)}` };
}

function notFoundLine(tail: string[]): string {
  const line = [...tail].reverse().find((l) => /not found/i.test(l));
  return line ? `: ${line.trim()}` : '';
}
