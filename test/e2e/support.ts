/** Small helpers shared by the end-to-end tests: read rollouts through the real CLI. */
import fs from 'node:fs';
import type { HostView, RolloutView, StepRunView } from '../../coordinator/cli/views.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from '../helpers/index.js';
import type { ServiceEvent } from '../../samples/sample-server.js';

/** What these helpers need of a fleet: its CLI (any kind of server). */
export type CliFleet = Pick<Fleet, 'cli' | 'startCli'>;

/** What `--json` prints: the CLI's own view types (one definition of the wire shape). */
export type StepRunJson = StepRunView;
export type HostJson = HostView;
export type RolloutJson = RolloutView;

/** `convoy rollout status <id> --json`. */
export async function status(fleet: CliFleet, id: string): Promise<RolloutJson> {
  const res = await fleet.cli(['rollout', 'status', id, '--json']);
  if (res.json === undefined) throw new Error(`rollout status ${id} printed no JSON (exit ${res.code}): ${res.stderr}`);
  return res.json as RolloutJson;
}

/** Starts a rollout with the CLI and returns its id. */
export async function start(fleet: CliFleet, args: string[]): Promise<string> {
  const res = await fleet.cli(['rollout', 'start', ...args, '--json']);
  if (res.code !== 0) throw new Error(`rollout start exited ${res.code}: ${res.stderr}`);
  return (res.json as RolloutJson).id;
}

/**
 * Waits until the rollout satisfies `pred`, as an operator following it would see it: one
 * `convoy rollout watch <id> --json` stream, each view it prints tried against `pred` (no
 * polling: a CLI process started every few hundred ms kept both cores of a loaded machine
 * busy). The watch ends by itself at a terminal state, or when it lost the coordinator for
 * longer than it retries, or when the rollout does not exist yet; it is then started again
 * (a rollout may leave a terminal state: a rollback by hand), a moment later.
 */
export async function waitRollout(
  fleet: CliFleet,
  id: string,
  what: string,
  pred: (r: RolloutJson) => boolean,
  timeoutMs = 30_000,
): Promise<RolloutJson> {
  const deadline = Date.now() + timeoutMs;
  let last: RolloutJson | undefined;
  let lastExit = '';
  const matches = (line: string): boolean => {
    if (!line.startsWith('{')) return false;
    try {
      last = JSON.parse(line) as RolloutJson;
    } catch {
      return false;
    }
    return pred(last);
  };
  while (Date.now() < deadline) {
    const watch = fleet.startCli(['rollout', 'watch', id, '--json']);
    try {
      const line = await watch.waitForLine(matches, Math.max(1, deadline - Date.now()));
      return JSON.parse(line) as RolloutJson;
    } catch {
      if (!watch.hasExited()) break; // the deadline passed
      lastExit = `; the last watch exited ${watch.exitCode}: ${watch.stderr().trim().split('\n').pop() ?? ''}`;
    } finally {
      await watch.stop();
    }
    await sleep(Math.min(300, Math.max(0, deadline - Date.now())));
  }
  const seen = last && {
    state: last.state,
    phase: last.phase,
    reason: last.reason,
    hosts: last.hosts.map((h) => [h.agentId, h.state, h.currentStep]),
  };
  throw new Error(`timed out after ${timeoutMs} ms waiting for rollout ${id}: ${what}${lastExit}\n${JSON.stringify(seen)}`);
}

export const TERMINAL = ['succeeded', 'failed', 'aborted'];

/** Waits until `agentId` of the rollout is in its `build` step (the usual place to inject a fault). */
export function waitBuilding(fleet: CliFleet, id: string, agentId: string, timeoutMs?: number): Promise<RolloutJson> {
  const building = (r: RolloutJson): boolean => host(r, agentId).currentStep === 'build' && host(r, agentId).state === 'updating';
  return waitRollout(fleet, id, `${agentId} building`, building, timeoutMs);
}

export function host(r: RolloutJson, id: string): HostJson {
  const h = r.hosts.find((x) => x.agentId === id);
  if (!h) throw new Error(`rollout ${r.id} has no host ${id}`);
  return h;
}

/** Time a service stopped, from its own events log. */
export function eventTimes(events: ServiceEvent[], kind: string, version?: string): number[] {
  return events.filter((e) => e.kind === kind && (version === undefined || e.version === version)).map((e) => e.atMs);
}

/** Down intervals of a service: from its `stop` to the next `healthy` (or start of health). */
export function downIntervals(events: ServiceEvent[]): [number, number][] {
  const out: [number, number][] = [];
  let downSince: number | undefined;
  for (const e of events) {
    if (e.kind === 'stop') downSince = e.atMs;
    if ((e.kind === 'healthy' || e.kind === 'health-regained') && downSince !== undefined) {
      out.push([downSince, e.atMs]);
      downSince = undefined;
    }
  }
  if (downSince !== undefined) out.push([downSince, Number.POSITIVE_INFINITY]);
  return out;
}

/** The largest number of intervals that overlap at one instant. */
export function maxOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap<[number, number]>(([a, b]) => [
    [a, 1],
    [b, -1],
  ]);
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of points) {
    cur += d;
    max = Math.max(max, cur);
  }
  return max;
}

/** The command line of a live process (Linux /proc), '' when it is gone. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** `convoy rollout list --json`: newest first. */
export async function listRollouts(fleet: CliFleet): Promise<RolloutJson[]> {
  const res = await fleet.cli(['rollout', 'list', '--json']);
  if (res.code !== 0 || !Array.isArray(res.json)) throw new Error(`rollout list --json exited ${res.code}: ${res.stderr}`);
  return res.json as RolloutJson[];
}

/** The id of the newest rollout. */
export async function latestRolloutId(fleet: CliFleet): Promise<string> {
  const [r] = await listRollouts(fleet);
  if (!r) throw new Error('no rollout was created');
  return r.id;
}
