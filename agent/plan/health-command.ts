/**
 * One run of the health command, through exec/command.ts: stdin closed, its own process
 * group, killed as a group after the request timeout. stdout is kept apart from stderr
 * (runCommand interleaves them) because with a versionField it must be the JSON document,
 * while stderr only explains a failure to people.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killProcessGroup, processGroupAlive, runCommand, type CommandResult } from '../exec/command.js';
import { formatDuration } from '../../shared/durations.js';
import { messageOf } from '../../shared/errors.js';

/** Read at most this much of the command's stdout. */
const MAX_STDOUT_BYTES = 64 * 1024;
/** A probe must not leave anything running; what it started in the background gets this long after SIGTERM. */
const LEFTOVER_GRACE_MS = 500;

export interface HealthCommandRun {
  /** Shell string (run with /bin/sh -c) or argv list, as the operator wrote it. */
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  onProcessGroup?: (pgid: number) => void;
  onProcessGroupEnded?: (pgid: number) => void;
}

/** How one run ended. */
export interface HealthCommandOutcome {
  /** Exited 0 in time. */
  ok: boolean;
  /** Why not, for operators: "exited 1: <last stderr line>", "did not exit within 5.0s (killed)". */
  detail: string;
  /** What it printed on stdout (up to a limit). */
  stdout: string;
}

/** Runs the command once. Never throws. */
export async function runHealthCommand(run: HealthCommandRun): Promise<HealthCommandOutcome> {
  let dir: string | undefined;
  try {
    dir = await mkdtemp(path.join(os.tmpdir(), 'convoy-health-'));
    const stdoutFile = path.join(dir, 'stdout');
    let pgid: number | undefined;
    const result = await runCommand({
      command: withStdoutTo(run.command, stdoutFile),
      cwd: run.cwd,
      env: run.env,
      timeoutMs: run.timeoutMs,
      signal: run.signal,
      onProcessGroup: (id) => {
        pgid = id;
        run.onProcessGroup?.(id);
      },
    });
    if (pgid !== undefined && processGroupAlive(pgid)) await killProcessGroup(pgid, { graceMs: LEFTOVER_GRACE_MS });
    if (pgid !== undefined && !processGroupAlive(pgid)) run.onProcessGroupEnded?.(pgid);
    return { ok: result.exitCode === 0 && !result.error, detail: describeRun(result, run.timeoutMs), stdout: await readStart(stdoutFile) };
  } catch (err) {
    return { ok: false, detail: `could not run the health command: ${messageOf(err)}`, stdout: '' };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Wraps the command so that its stdout goes to a file and only stderr reaches runCommand's
 * output. `exec` keeps the group leader's exit code the command's own; the operator's text
 * is passed as an argument, never spliced into a shell string.
 */
function withStdoutTo(command: string | string[], file: string): string[] {
  if (typeof command === 'string') return ['/bin/sh', '-c', 'exec /bin/sh -c "$1" >"$2"', 'convoy-health', command, file];
  return ['/bin/sh', '-c', 'out=$1; shift; exec "$@" >"$out"', 'convoy-health', file, ...command];
}

function describeRun(r: CommandResult, timeoutMs: number): string {
  if (r.timedOut) return `did not exit within ${formatDuration(timeoutMs)} (killed)`;
  if (r.cancelled) return 'cancelled';
  const last = r.tail.findLast((line) => line.trim() !== '')?.trim();
  if (r.exitCode === -1 && r.error) return r.error;
  return `exited ${r.exitCode}${last ? `: ${last}` : ''}`;
}

async function readStart(file: string): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buf = Buffer.alloc(MAX_STDOUT_BYTES);
    const { bytesRead } = await handle.read(buf, 0, MAX_STDOUT_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
