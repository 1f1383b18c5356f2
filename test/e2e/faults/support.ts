/**
 * What the fault suite observes and controls: gates that hold a step until the test lets it
 * go, the agent's journal on disk, the final state of every host, and processes left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  createFleet,
  trackedProcesses,
  waitFor,
  type Fleet,
  type FleetHost,
  type FleetOptions,
  type FleetServerSpec,
  type Sandbox,
} from '../../helpers/index.js';
import { commandOf, host, start, status, type HostJson, type RolloutJson } from '../support.js';
import type { FaultRecorder, FaultDeclaration } from './matrix.js';

/** What each group of fault tests gets from the suite: the per-test sandbox and the matrix row. */
export interface FaultSuite {
  sandbox: Sandbox;
  declare: (d: FaultDeclaration) => FaultRecorder;
}

/** The three hosts of the default fleet. */
export const EVERY = ['hoss-auth', 'hoss-a', 'hoss-b'];
/** A fleet of one server (single-host rollouts: the quickest way to break an agent). */
export const ONE: FleetServerSpec[] = [{ name: 'hoss-a', role: 'member' }];
/** A backup-after that fails: the host has been checked out, built, started and found healthy. */
export const FAILING_BACKUP_AFTER = { 'backup-after': { command: "echo 'backup-after: error: the backup volume is full' >&2; exit 3" } };

/** The outcomes of a step's forward runs on a host, in order: "interrupted,succeeded". */
export function outcomes(r: RolloutJson, agent: string, step: string): string {
  return runsOf(host(r, agent), step)
    .map((s) => s.outcome)
    .join(',');
}

export async function putObject(port: number, key: string, body: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/objects/${key}`, { method: 'PUT', body });
  expect(res.status, `PUT /objects/${key}`).to.be.within(200, 299);
}

/** The object's content, undefined when the service has no such object. */
export async function getObject(port: number, key: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/objects/${key}`);
  if (res.status === 404) return undefined;
  expect(res.status, `GET /objects/${key}`).to.equal(200);
  return res.text();
}

/**
 * A step held at a gate: its command first marks that it started, then waits for the test to
 * open the gate, then runs the real command. Deterministic where a sleep would be a race.
 */
export interface Gate {
  /** The shell command to configure as the step (the real one runs once the gate opens). */
  wrap(command: string): string;
  /** Resolves once `count` steps (or attempts) have arrived at the gate: they started on their agents. */
  reached(count?: number, timeoutMs?: number): Promise<void>;
  open(): void;
  /** How many times a step reached the gate (each attempt counts). */
  arrivals(): number;
}

export function gate(dir: string, name: string): Gate {
  const gates = path.join(dir, 'gates');
  fs.mkdirSync(gates, { recursive: true });
  const arrived = path.join(gates, `${name}.arrived`);
  const opened = path.join(gates, `${name}.open`);
  const arrivals = (): number => (fs.existsSync(arrived) ? fs.readFileSync(arrived, 'utf8').split('\n').filter(Boolean).length : 0);
  return {
    // paths are the test's own temp dir (no quotes in them): nothing here comes from the network
    wrap: (command) => `echo at-gate >> '${arrived}'; until [ -e '${opened}' ]; do sleep 0.05; done; ${command}`,
    reached: async (count = 1, timeoutMs = 60_000) => {
      await waitFor(() => arrivals() >= count, { what: `${count} step(s) to reach gate ${name}`, timeoutMs });
    },
    open: () => fs.writeFileSync(opened, ''),
    arrivals,
  };
}

/** The agent's journal (<stateDir>/journal.json) as an operator would read it. */
export interface JournalJson {
  inFlight: { requestId: string; step: string; pgid?: number } | null;
  undelivered: { requestId: string; step: string; outcome: string; reason: string; startedAtMs: number }[];
}

export function readJournal(h: FleetHost): JournalJson {
  const file = path.join(h.stateDir, 'journal.json');
  if (!fs.existsSync(file)) return { inFlight: null, undelivered: [] };
  return JSON.parse(fs.readFileSync(file, 'utf8')) as JournalJson;
}

/** When the journalled result of `step` says the step started (ms since the epoch). */
export function readJournalStart(h: FleetHost, step: string): number {
  const r = readJournal(h).undelivered.find((x) => x.step === step);
  if (!r) throw new Error(`${h.name}'s journal holds no result of ${step}`);
  return r.startedAtMs;
}

/** Waits until the agent's journal holds an undelivered result of `step`, and returns it. */
export async function waitJournalled(h: FleetHost, step: string, timeoutMs = 60_000): Promise<JournalJson['undelivered'][number]> {
  return waitFor(() => readJournal(h).undelivered.find((r) => r.step === step), {
    what: `${h.name}'s journal to hold the result of ${step}`,
    timeoutMs,
    describe: () => JSON.stringify(readJournal(h)),
  });
}

/** Processes working in a host's server/ other than the service it serves: leftovers of steps. */
export function strayProcesses(fleet: Fleet): string[] {
  return fleet.hosts.flatMap((h) =>
    h.server
      .processes()
      .map(commandOf)
      .filter((cmd) => cmd !== '' && !/build\/service-[^ ]+\.mjs/.test(cmd))
      .map((cmd) => `${h.name}: ${cmd}`),
  );
}

/** What a host ends up as: version served, work tree, backups. */
export interface HostFinal {
  served: string;
  head: string;
  clean: boolean;
  backups: number;
}

export async function finalState(fleet: Fleet): Promise<Record<string, HostFinal>> {
  const out: Record<string, HostFinal> = {};
  for (const h of fleet.hosts) {
    const archives = fs.existsSync(h.server.backupsDir) ? fs.readdirSync(h.server.backupsDir).filter((f) => f.endsWith('.tar.gz')) : [];
    out[h.name] = {
      served: (await h.server.servedVersion()) ?? 'nothing',
      head: h.server.headTag() || 'untagged',
      clean: h.server.isClean(),
      backups: archives.length,
    };
  }
  return out;
}

/** "hoss-a 0.2.0 (tree 0.2.0, clean, 2 backups)" per host, for the matrix. */
export function describeFinal(state: Record<string, HostFinal>): string {
  return Object.entries(state)
    .map(
      ([name, s]) =>
        `${name} serves ${s.served} (tree ${s.head}${s.clean ? '' : ', DIRTY'}, ${s.backups} backup${s.backups === 1 ? '' : 's'})`,
    )
    .join(', ');
}

/** One line of `convoy events --json`. */
export interface EventJson {
  agentId: string;
  step: string;
  kind: string;
  message: string;
}

export async function rolloutEvents(fleet: Fleet, id: string): Promise<EventJson[]> {
  const res = await fleet.cli(['events', '--rollout', id, '--limit', '1000', '--json']);
  if (res.code !== 0 || !Array.isArray(res.json)) throw new Error(`convoy events exited ${res.code}: ${res.stderr}`);
  return res.json as EventJson[];
}

/** The forward (non-rollback) runs of a step, as `convoy rollout status --json` shows them. */
export function runsOf(h: HostJson, step: string): { attempt: number; outcome: string; reason: string }[] {
  return (h.steps as (HostJson['steps'][number] & { phase?: string })[]).filter((s) => s.step === step && s.phase !== 'rollback');
}

/** Steps with more than one attempt, "hoss-a build x2"; [] when every step ran once. */
export function repeatedSteps(r: RolloutJson): string[] {
  const out: string[] = [];
  for (const h of r.hosts) {
    const counts = new Map<string, number>();
    for (const s of h.steps) counts.set(`${s.step}`, (counts.get(s.step) ?? 0) + 1);
    for (const [step, n] of counts) if (n > 1) out.push(`${h.agentId} ${step} x${n}`);
  }
  return out;
}

/** Waits for the rollout to end (succeeded, failed or aborted) and returns it. */
export async function waitFinished(fleet: Fleet, id: string, timeoutMs = 120_000): Promise<RolloutJson> {
  let last: RolloutJson | undefined;
  return waitFor(
    async () => {
      last = await status(fleet, id);
      return ['succeeded', 'failed', 'aborted'].includes(last.state) ? last : undefined;
    },
    {
      what: `rollout ${id} to finish`,
      timeoutMs,
      intervalMs: 200,
      describe: () => JSON.stringify(last && { state: last.state, phase: last.phase, reason: last.reason }),
    },
  );
}

/** How many times the sample service's own log says `kind` happened at `version`. */
export function countEvents(h: FleetHost, kind: string, version: string): number {
  return h.server.readEvents().filter((e) => e.kind === kind && e.version === version).length;
}

/**
 * Stops the fleet the way an operator would (SIGTERM) and reports what did not go: daemons
 * that did not exit 0 and processes still working in a server directory. Records the outcome.
 */
export async function shutDownAndCheck(fleet: Fleet, row: FaultRecorder): Promise<string[]> {
  const problems: string[] = [];
  const daemons = [...fleet.hosts.flatMap((h) => (h.agent && !h.agent.hasExited() ? [h.agent] : [])), fleet.coordinator];
  for (const p of daemons) {
    if (!p || p.hasExited()) continue;
    const code = await p.stop(20_000);
    if (code !== 0) problems.push(`${p.name} exited ${code} on SIGTERM`);
  }
  await fleet.cleanup();
  for (const h of fleet.hosts) for (const pid of h.server.processes()) problems.push(`${h.name}: pid ${pid} ${commandOf(pid)} left`);
  for (const p of trackedProcesses()) if (!p.hasExited()) problems.push(`${p.name} (pid ${p.pid}) still running`);
  row.observe(problems.length ? `on SIGTERM: ${problems.join(', ')}` : 'on SIGTERM the daemons exit 0, no process left');
  return problems;
}

/**
 * A single-host fleet (hoss-a) whose rollout to 0.2.0 hangs in `make build` (knob hang-build);
 * resolves once the build has started, which is where most agent faults are injected.
 */
export async function hangInBuild(
  dir: string,
  options: Omit<FleetOptions, 'dir' | 'servers' | 'cluster'> = {},
): Promise<{ fleet: Fleet; a: FleetHost; id: string }> {
  const fleet = await createFleet({ dir, servers: ONE, cluster: false, ...options });
  const a = fleet.host('hoss-a');
  a.server.setKnob('hang-build');
  const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
  // 'build-hang' is written after the build's last output line: a kill before it would leave
  // that echo writing to a closed pipe, and the build would die of SIGPIPE instead of hanging.
  await waitFor(() => countEvents(a, 'build-hang', '0.2.0') === 1, { what: 'make build to hang', timeoutMs: 60_000 });
  return { fleet, a, id };
}
