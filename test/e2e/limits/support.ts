/** What the limits suite reads: convoyd's JSON log lines, its metrics, and TLS material for raw clients. */
import fs from 'node:fs';
import type { Fleet, ManagedProcess } from '../../helpers/index.js';

/** One JSON log line of a daemon. */
export interface LogEntry {
  level: string;
  message: string;
  [field: string]: unknown;
}

export function parseLog(line: string): LogEntry | undefined {
  try {
    const v = JSON.parse(line) as Partial<LogEntry>;
    return typeof v.message === 'string' && typeof v.level === 'string' ? (v as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves with the first log entry whose message matches `re`, from output line `from` on. */
export async function logged(proc: ManagedProcess | undefined, re: RegExp, from = 0, timeoutMs = 30_000): Promise<LogEntry> {
  if (!proc) throw new Error('the process is not running');
  const line = await proc.waitForLine((l) => re.test(parseLog(l)?.message ?? ''), timeoutMs, { from });
  return parseLog(line)!;
}

/** The entries logged so far whose message matches `re`. */
export function entries(proc: ManagedProcess | undefined, re: RegExp): LogEntry[] {
  return (proc?.lines ?? []).map(parseLog).filter((e): e is LogEntry => e !== undefined && re.test(e.message));
}

/** The value of one series in convoyd's /metrics (0 when absent). */
export async function metric(fleet: Fleet, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(fleet.metricsUrl)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** PEM files of a fleet for a raw client. */
export function pem(file: string): Buffer {
  return fs.readFileSync(file);
}
