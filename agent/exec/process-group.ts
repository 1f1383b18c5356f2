/**
 * Process groups: every step command leads its own group so that the whole tree it
 * started (make -> sh -> docker …) can be signalled at once, and a restarted agent can
 * clean up what an interrupted step left behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { systemClock, type Clock } from '../../shared/clock.js';

/** How a group ended up after `killProcessGroup`. */
export type GroupKillOutcome =
  /** nothing was running in the group */
  | 'not-running'
  /** every member exited after SIGTERM */
  | 'terminated'
  /** members remained after the grace period and were sent SIGKILL */
  | 'killed';

export interface KillGroupOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
  clock?: Clock;
}

const DEFAULT_GRACE_MS = 2000;
const POLL_MS = 50;

/**
 * True while a process of group `pgid` is still running. Zombies do not count: an
 * orphaned grandchild that was killed stays a zombie until init reaps it, which on some
 * hosts takes more than a second, yet it holds nothing any more.
 */
export function processGroupAlive(pgid: number): boolean {
  if (!isSafeGroupId(pgid)) return false;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: the group exists but belongs to another user; look closer below.
  }
  const live = liveGroupMembers(pgid);
  return live === undefined ? true : live.length > 0;
}

/**
 * Sends SIGTERM to the whole group, waits up to the grace period for it to go away, then
 * sends SIGKILL to what remains. Safe to call for a group that is already gone.
 */
export async function killProcessGroup(pgid: number, opts: KillGroupOptions = {}): Promise<GroupKillOutcome> {
  const clock = opts.clock ?? systemClock;
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  if (!processGroupAlive(pgid)) return 'not-running';
  signalProcessGroup(pgid, 'SIGTERM');
  const deadline = clock.now() + graceMs;
  while (clock.now() < deadline) {
    if (!processGroupAlive(pgid)) return 'terminated';
    await clock.sleep(Math.min(POLL_MS, Math.max(1, deadline - clock.now())));
  }
  if (!processGroupAlive(pgid)) return 'terminated';
  signalProcessGroup(pgid, 'SIGKILL');
  return 'killed';
}

/** Signals every process of the group; false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!isSafeGroupId(pgid)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Refuses ids that would hit more than one step's group: 0 is our own group, 1 and
 * negatives address every process, and the agent's own group must never be killed
 * (a journalled pgid may have been reused after a reboot).
 */
function isSafeGroupId(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  return pgid !== process.pid && pgid !== ownGroupId();
}

let cachedOwnGroup: number | undefined;

function ownGroupId(): number | undefined {
  if (cachedOwnGroup === undefined) cachedOwnGroup = readStat(process.pid)?.pgrp;
  return cachedOwnGroup;
}

interface ProcStat {
  state: string;
  pgrp: number;
}

/** Pids of non-zombie members, or undefined when /proc cannot be read (not Linux). */
function liveGroupMembers(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const live: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') live.push(Number(name));
  }
  return live;
}

/** Parses /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses. */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text
    .slice(text.lastIndexOf(')') + 1)
    .trim()
    .split(' ');
  const pgrp = Number(fields[2]);
  if (!fields[0] || !Number.isInteger(pgrp)) return undefined;
  return { state: fields[0], pgrp };
}
