/**
 * Child processes for end-to-end tests. Each runs in its own process group (detached) and is
 * stopped as a group; every one is tracked so a hook can stop all that a test started, and
 * an exit hook SIGKILLs any group still alive when the test process ends.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartOptions {
  /** Added to process.env (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Raw stdout and stderr are appended here as they arrive. */
  logFile?: string;
  /** Keep the handle for failure reports after it exits (default true; runCli passes false). */
  record?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A line test: a regular expression, or a function of the line. */
export type LinePattern = RegExp | ((line: string) => boolean);

// An exited process's pipes may stay open (grandchildren): don't wait for them forever.
const CLOSE_AFTER_EXIT_MS = 500;
const DEFAULT_STOP_GRACE_MS = 5000;

const tracked = new Set<ManagedProcess>();
const emergencyHooks = new Set<() => void>();

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is gone
  }
}

function describePattern(pattern: LinePattern): string {
  return pattern instanceof RegExp ? String(pattern) : 'the predicate';
}

/** A started program: its output, its exit, and how to stop it. */
export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private readonly allLines: string[] = [];
  private readonly partial = { stdout: '', stderr: '' };
  private readonly text = { stdout: '', stderr: '' };
  private readonly listeners = new Set<() => void>();
  private exitInfo: ExitInfo | undefined;

  constructor(
    readonly name: string,
    readonly pid: number,
    readonly command: string,
    exited: Promise<ExitInfo>,
  ) {
    this.exited = exited.then((info) => {
      this.flushPartials();
      this.exitInfo = info;
      this.notify();
      return info;
    });
  }

  /** Feeds a chunk of output (called by startProcess). */
  receive(stream: 'stdout' | 'stderr', chunk: string): void {
    this.text[stream] += chunk;
    const parts = (this.partial[stream] + chunk).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.allLines.push(line.replace(/\r$/, ''));
    if (parts.length > 0) this.notify();
  }

  /** Every complete output line so far, stdout and stderr interleaved. */
  get lines(): readonly string[] {
    return this.allLines;
  }

  stdout(): string {
    return this.text.stdout;
  }

  stderr(): string {
    return this.text.stderr;
  }

  output(): string {
    return this.allLines.join('\n');
  }

  /** Output lines that are JSON objects (the daemons log JSON lines). */
  jsonLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.allLines) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON after all
      }
    }
    return out;
  }

  tail(lines = 40): string {
    return this.allLines.slice(-lines).join('\n');
  }

  hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  get exitCode(): number | null | undefined {
    return this.exitInfo?.code;
  }

  /**
   * Resolves with the first line matching `pattern` at index `from` or later (default: from the
   * first line, so a line printed before the call counts). Rejects on timeout or exit.
   */
  waitForLine(pattern: LinePattern, timeoutMs = 15_000, opts: { from?: number } = {}): Promise<string> {
    const test = pattern instanceof RegExp ? (line: string) => pattern.test(line) : pattern;
    let next = opts.from ?? 0;
    return new Promise((resolve, reject) => {
      const finish = (err: Error | undefined, line?: string): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (err) reject(err);
        else resolve(line!);
      };
      const check = (): void => {
        for (; next < this.allLines.length; next++) {
          const line = this.allLines[next]!;
          if (test(line)) return finish(undefined, line);
        }
        if (this.exitInfo) {
          const how = this.exitInfo.signal ?? `code ${this.exitInfo.code}`;
          finish(
            new Error(
              `${this.name} exited (${how}) before printing a line matching ${describePattern(pattern)}; last output:\n${this.tail()}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        finish(
          new Error(
            `${this.name} printed no line matching ${describePattern(pattern)} within ${timeoutMs} ms; last output:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves when the process exits; rejects after `timeoutMs`. */
  async waitForExit(timeoutMs = 15_000): Promise<ExitInfo> {
    const timeout = sleep(timeoutMs, 'timeout' as const, { ref: false });
    const result = await Promise.race([this.exited, timeout]);
    if (result === 'timeout') throw new Error(`${this.name} did not exit within ${timeoutMs} ms; last output:\n${this.tail()}`);
    return result;
  }

  /** Sends a signal to the process itself (not its group): e.g. a second SIGTERM. */
  signal(sig: NodeJS.Signals): void {
    if (this.exitInfo) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // already gone
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; then SIGKILL to what is left of the group. Resolves with the exit code. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<number | null> {
    if (!this.exitInfo) {
      signalGroup(this.pid, 'SIGTERM');
      const timeout = sleep(graceMs, 'timeout' as const, { ref: false });
      if ((await Promise.race([this.exited, timeout])) === 'timeout') signalGroup(this.pid, 'SIGKILL');
    }
    const info = await this.exited;
    signalGroup(this.pid, 'SIGKILL');
    return info.code;
  }

  /** SIGKILL to the whole group at once (a crash); resolves when it is gone. */
  async kill9(): Promise<ExitInfo> {
    signalGroup(this.pid, 'SIGKILL');
    return this.exited;
  }

  /** Used by the exit hook: no waiting possible there. */
  killNow(): void {
    if (!this.exitInfo) signalGroup(this.pid, 'SIGKILL');
  }

  private flushPartials(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.allLines.push(this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Starts `cmd args` in its own process group, tracked until stopped. */
export function startProcess(name: string, cmd: string, args: string[], opts: StartOptions = {}): ManagedProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(cmd, args, { cwd: opts.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  if (child.pid === undefined) throw new Error(`cannot start ${name} (${cmd}): spawn failed`);
  let log = opts.logFile ? fs.openSync(opts.logFile, 'a') : undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    let closeTimer: NodeJS.Timeout | undefined;
    const done = (info: ExitInfo): void => {
      clearTimeout(closeTimer);
      if (log !== undefined) fs.closeSync(log);
      log = undefined;
      resolve(info);
    };
    child.once('exit', (code, signal) => {
      closeTimer = setTimeout(() => done({ code, signal }), CLOSE_AFTER_EXIT_MS);
      child.once('close', () => done({ code, signal }));
    });
    child.once('error', () => {
      if (child.exitCode === null && child.signalCode === null) done({ code: null, signal: null });
    });
  });
  const handle = new ManagedProcess(name, child.pid, [cmd, ...args].join(' '), exited);
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk: string) => {
      if (log !== undefined) fs.writeSync(log, chunk);
      handle.receive(stream, chunk);
    });
  }
  tracked.add(handle);
  void handle.exited.then(() => {
    if (opts.record === false) tracked.delete(handle);
    if (spawnError) handle.receive('stderr', `spawn error: ${spawnError.message}\n`);
  });
  return handle;
}

/** Processes started since the last forgetProcesses(), running or not. */
export function trackedProcesses(): ManagedProcess[] {
  return [...tracked];
}

/** Stops every tracked process that is still running (in parallel). */
export async function stopAllProcesses(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
  await Promise.all([...tracked].map((p) => p.stop(graceMs)));
}

/** Drops exited processes from the registry (after a test's report). */
export function forgetProcesses(): void {
  for (const p of tracked) if (p.hasExited()) tracked.delete(p);
}

/** The last output lines of every tracked process, for a failed test's report. */
export function describeProcesses(lines = 40): string {
  return [...tracked]
    .map((p) => {
      const state = p.hasExited() ? `exited with ${p.exitCode}` : 'running';
      return `--- ${p.name} (pid ${p.pid}, ${state}): ${p.command}\n${p.tail(lines) || '(no output)'}`;
    })
    .join('\n');
}

/** Registers a synchronous last-resort cleanup run when the test process exits or is interrupted. */
export function onEmergencyExit(hook: () => void): () => void {
  emergencyHooks.add(hook);
  return () => emergencyHooks.delete(hook);
}

function killEverything(): void {
  for (const p of tracked) p.killNow();
  for (const hook of emergencyHooks) {
    try {
      hook();
    } catch {
      // best effort while exiting
    }
  }
}

process.on('exit', killEverything);
for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  const onSignal = (): void => {
    killEverything();
    // Alone, this listener replaced the default action: exit as that action would have.
    if (process.listenerCount(sig) === 1) process.exit(code);
  };
  process.on(sig, onSignal);
}
