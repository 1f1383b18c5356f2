import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** A daemon the demo started (convoyd or an agent), its output going to a log file. */
export interface DaemonChild {
  readonly name: string;
  readonly logFile: string;
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** True until the process has ended. */
  alive(): boolean;
}

const running = new Set<ChildProcess>();

// If the CLI exits without cleaning up (a second Ctrl-C), take the daemons along.
function killLeftovers(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Starts `node <script> --config <file>`, stdout and stderr appended to `logFile`. */
export function startDaemon(name: string, script: string, configFile: string, logFile: string, cwd: string): DaemonChild {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [script, '--config', configFile], { cwd, stdio: ['ignore', fd, fd], env: process.env });
  fs.closeSync(fd);
  if (running.size === 0) process.on('exit', killLeftovers);
  running.add(child);
  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      running.delete(child);
      if (running.size === 0) process.off('exit', killLeftovers);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      ended = true;
      running.delete(child);
      resolve(err.message);
    });
  });
  return { name, logFile, pid: child.pid ?? 0, exited, alive: () => !ended };
}

/** SIGTERM, then SIGKILL after `graceMs` if it is still running. Safe to call twice. */
export async function stopDaemon(child: DaemonChild, graceMs: number): Promise<void> {
  if (!child.alive() || !child.pid) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
  const result = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout' && child.alive()) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // ended in between
    }
    await child.exited;
  }
}

/**
 * Resolves when `signal` aborts (undefined) or when one of `children` exits first (that child).
 * Listens without keeping a reference after it has settled.
 */
export function untilInterruptedOrExited(signal: AbortSignal, children: DaemonChild[]): Promise<DaemonChild | undefined> {
  const gone = children.find((c) => !c.alive());
  if (gone) return Promise.resolve(gone);
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: DaemonChild | undefined): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => settle(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    for (const child of children) void child.exited.then(() => settle(child));
  });
}

/** The error for a daemon that has ended (`when`: "early"), with the end of its log. */
export function exitedError(child: DaemonChild, when: string): Error {
  const tail = tailOf(child.logFile)
    .map((l) => `  ${l}`)
    .join('\n');
  return new Error(`${child.name} exited ${when}; the end of ${child.logFile}:\n${tail}`);
}

/** Throws with the log's last lines when a daemon the demo depends on has exited. */
export function checkAlive(children: (DaemonChild | undefined)[]): void {
  for (const child of children) {
    if (child && !child.alive()) throw exitedError(child, 'early');
  }
}

/** The last lines of a log file, for an error message. */
export function tailOf(file: string, lines = 15): string[] {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}
