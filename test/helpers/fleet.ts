/**
 * A running local fleet: convoyd and one convoy-agent per sample server as processes, and
 * what a test does to them (start, stop, kill, restart, rewrite an agent.yaml, ask the CLI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processesIn, type SampleServer } from '../../samples/sample-server.js';
import { onCleanup } from './cleanup.js';
import { registerCoordinatorTls, runCli, startCli, type CliOptions, type CliResult } from './cli.js';
import { mergeOverrides, writeYaml, type Overrides } from './fleet-config.js';
import { programPath, repoRoot } from './paths.js';
import { cliTlsEnv, type FleetTls } from './tls.js';
import { onEmergencyExit, startProcess, type ManagedProcess } from './processes.js';

/** What the fleet needs of a server: where it runs (to clean up) and how to stop it. */
/** What an agent logs when the coordinator welcomed it (agent/link/link.ts). */
const CONNECTED_LINE = /connected to coordinator /;

export interface FleetServer {
  serverDir: string;
  stop(): Promise<void>;
}

/** A host of the fleet: its sample server, its agent's files and (while running) its process. */
export interface FleetHost<S extends FleetServer = SampleServer> {
  name: string;
  role: 'auth' | 'member';
  server: S;
  /** Extra environment of this host's agent (e.g. HOME, whose ~/.hoss a Hoss server uses). */
  env?: Record<string, string | undefined>;
  agentConfigFile: string;
  /** The document written to agentConfigFile. */
  agentConfig: Record<string, unknown>;
  stateDir: string;
  agentLog: string;
  agent?: ManagedProcess;
}

/** Where the coordinator side of a fleet lives. */
export interface FleetFiles {
  dir: string;
  /** host:port of convoyd's gRPC listener (what CONVOY_COORDINATOR is set to). */
  coordinatorAddress: string;
  /** http://127.0.0.1:<port>/metrics */
  metricsUrl: string;
  coordinatorConfigFile: string;
  /** The document written to coordinatorConfigFile. */
  coordinatorConfig: Record<string, unknown>;
  stateFile: string;
  coordinatorLog: string;
  /** The cluster in coordinator.yaml ("hoss" by default), undefined with cluster: false. */
  clusterName: string | undefined;
  /** The mutual TLS files (CA, convoyd, operator, agents); undefined for a plaintext fleet (tls: false). */
  tls?: FleetTls;
}

/** One entry of `convoy agents --json`. */
export interface AgentListing {
  id: string;
  connected: boolean;
  [field: string]: unknown;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

/** Reads the agent list from `convoy agents --json` output: an array, or { agents: [...] }. */
export function parseAgentListing(json: unknown): AgentListing[] {
  const list = Array.isArray(json) ? json : (json as { agents?: unknown } | undefined)?.agents;
  if (!Array.isArray(list)) throw new Error(`convoy agents --json printed no agent list: ${JSON.stringify(json)}`);
  return list.map((item: Record<string, unknown>) => ({ ...item, id: String(item.id), connected: item.connected === true }));
}

/** What a fleet is made of, before it runs: its hosts and where convoyd's files go. */
export interface FleetParts<S extends FleetServer> {
  dir: string;
  hosts: FleetHost<S>[];
  /** host:port of convoyd's gRPC listener, and its HTTP port. */
  address: string;
  httpPort: number;
  coordinatorConfig: Record<string, unknown>;
  stateFile: string;
  clusterName: string | undefined;
  tls?: FleetTls;
  env?: Record<string, string | undefined>;
}

/**
 * Writes coordinator.yaml, registers the cleanups, and (unless `start` is false) runs convoyd
 * and the agents named (default all) until they are connected; stops everything if that fails.
 */
export async function launchFleet<S extends FleetServer>(
  parts: FleetParts<S>,
  opts: { start?: boolean; agents?: string[]; timeoutMs?: number } = {},
): Promise<Fleet<S>> {
  const coordinatorConfigFile = path.join(parts.dir, 'coordinator', 'coordinator.yaml');
  writeYaml(coordinatorConfigFile, parts.coordinatorConfig);
  fs.mkdirSync(path.join(parts.dir, 'logs'), { recursive: true });
  const fleet = new Fleet<S>({
    dir: parts.dir,
    hosts: parts.hosts,
    coordinatorAddress: parts.address,
    metricsUrl: `http://127.0.0.1:${parts.httpPort}/metrics`,
    coordinatorConfigFile,
    coordinatorConfig: parts.coordinatorConfig,
    stateFile: parts.stateFile,
    coordinatorLog: path.join(parts.dir, 'logs', 'convoyd.log'),
    clusterName: parts.clusterName,
    tls: parts.tls,
    env: { NO_COLOR: '1', ...parts.env },
  });
  fleet.registerCleanup();
  if (opts.start === false) return fleet;
  try {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    await fleet.startCoordinator(timeoutMs);
    const names = opts.agents ?? parts.hosts.map((h) => h.name);
    for (const name of names) fleet.startAgent(name);
    await fleet.waitAgentsConnected(names, timeoutMs);
  } catch (err) {
    await fleet.cleanup();
    throw err;
  }
  return fleet;
}

/** A running (or ready to run) local fleet. */
export class Fleet<S extends FleetServer = SampleServer> {
  coordinator?: ManagedProcess;
  private cleaned = false;
  private readonly forget: Array<() => void> = [];

  readonly dir: string;
  readonly hosts: FleetHost<S>[];
  readonly coordinatorAddress: string;
  readonly metricsUrl: string;
  readonly coordinatorConfigFile: string;
  readonly coordinatorConfig: Record<string, unknown>;
  readonly stateFile: string;
  readonly coordinatorLog: string;
  readonly clusterName: string | undefined;
  readonly tls?: FleetTls;
  private readonly env: Record<string, string | undefined>;

  constructor(init: FleetFiles & { hosts: FleetHost<S>[]; env: Record<string, string | undefined> }) {
    this.dir = init.dir;
    this.hosts = init.hosts;
    this.coordinatorAddress = init.coordinatorAddress;
    this.metricsUrl = init.metricsUrl;
    this.coordinatorConfigFile = init.coordinatorConfigFile;
    this.coordinatorConfig = init.coordinatorConfig;
    this.stateFile = init.stateFile;
    this.coordinatorLog = init.coordinatorLog;
    this.clusterName = init.clusterName;
    this.tls = init.tls;
    this.env = init.env;
  }

  host(name: string): FleetHost<S> {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`fleet has no host ${name} (hosts: ${this.hosts.map((h) => h.name).join(', ')})`);
    return host;
  }

  get auth(): FleetHost<S> | undefined {
    return this.hosts.find((h) => h.role === 'auth');
  }

  get members(): FleetHost<S>[] {
    return this.hosts.filter((h) => h.role === 'member');
  }

  /** Runs the CLI against this fleet's coordinator. */
  cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
    return runCli(args, { coordinator: this.coordinatorAddress, ...opts });
  }

  /** Starts the CLI against this fleet's coordinator without waiting (rollout watch, logs --follow). */
  startCli(args: string[], opts: CliOptions = {}): ManagedProcess {
    return startCli(args, { coordinator: this.coordinatorAddress, ...opts });
  }

  /** Starts convoyd and resolves once its gRPC port accepts connections. */
  async startCoordinator(timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<ManagedProcess> {
    if (this.coordinator && !this.coordinator.hasExited()) throw new Error('convoyd is already running');
    const proc = startProcess('convoyd', process.execPath, [programPath('convoyd'), '--config', this.coordinatorConfigFile], {
      cwd: repoRoot(),
      env: this.env,
      logFile: this.coordinatorLog,
    });
    this.coordinator = proc;
    // convoyd logs this once its gRPC and HTTP ports are bound (a TCP probe of the port could
    // be answered by whatever else took it); only this start's lines count
    await proc.waitForLine(/convoyd listening on/, timeoutMs);
    return proc;
  }

  /** Graceful stop (SIGTERM, SIGKILL after the grace period); resolves with the exit code. */
  async stopCoordinator(graceMs?: number): Promise<number | null | undefined> {
    return this.coordinator?.stop(graceMs);
  }

  async killCoordinator(): Promise<void> {
    await this.coordinator?.kill9();
  }

  async restartCoordinator(): Promise<ManagedProcess> {
    await this.stopCoordinator();
    return this.startCoordinator();
  }

  /** Starts a host's agent; does not wait for it to connect (see waitAgentsConnected). */
  startAgent(name: string): ManagedProcess {
    const host = this.host(name);
    if (host.agent && !host.agent.hasExited()) throw new Error(`the agent of ${name} is already running`);
    host.agent = startProcess(`convoy-agent ${name}`, process.execPath, [programPath('convoy-agent'), '--config', host.agentConfigFile], {
      cwd: repoRoot(),
      env: { ...this.env, ...host.env },
      logFile: host.agentLog,
    });
    return host.agent;
  }

  async stopAgent(name: string, graceMs?: number): Promise<number | null | undefined> {
    return this.host(name).agent?.stop(graceMs);
  }

  /** SIGKILL to the agent's process group; the step commands it runs are in their own groups and live on. */
  async killAgent(name: string): Promise<void> {
    await this.host(name).agent?.kill9();
  }

  async restartAgent(name: string): Promise<ManagedProcess> {
    await this.stopAgent(name);
    return this.startAgent(name);
  }

  /** Rewrites a host's agent.yaml with `overrides` merged in (restart the agent to apply). */
  updateAgentConfig(name: string, overrides: Overrides): void {
    const host = this.host(name);
    host.agentConfig = mergeOverrides(host.agentConfig, overrides);
    writeYaml(host.agentConfigFile, host.agentConfig);
  }

  /** The parsed `convoy agents --json`; throws when the CLI fails. */
  async agents(): Promise<AgentListing[]> {
    const result = await this.cli(['agents', '--json']);
    if (result.code !== 0) throw new Error(`convoy agents --json exited ${result.code}: ${result.stderr.trim()}`);
    return parseAgentListing(result.json);
  }

  /**
   * Resolves once `convoy agents --json` lists every named agent (default: all running) as
   * connected. Between two listings it waits for the next "connected to coordinator" line of
   * each agent still missing (the agent logs it on the coordinator's Welcome), not a timer.
   */
  async waitAgentsConnected(names?: string[], timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<AgentListing[]> {
    const wanted = names ?? this.hosts.filter((h) => h.agent && !h.agent.hasExited()).map((h) => h.name);
    const deadline = Date.now() + timeoutMs;
    const from = new Map(wanted.map((name) => [name, this.host(name).agent?.lines.length ?? 0]));
    let last = '';
    for (;;) {
      const listing = await this.agents();
      last = JSON.stringify(listing.map((a) => ({ id: a.id, connected: a.connected })));
      const missing = wanted.filter((name) => !listing.some((a) => a.id === name && a.connected));
      if (missing.length === 0) return listing;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out after ${timeoutMs} ms waiting for agents ${wanted.join(', ')} to be connected\nlast listing: ${last}`);
      await Promise.all(
        missing.map(async (name) => {
          const agent = this.host(name).agent;
          if (!agent) return sleep(Math.min(200, left));
          const line = await agent.waitForLine(CONNECTED_LINE, left, { from: from.get(name) ?? 0 }).catch((err: Error) => {
            if (agent.hasExited()) throw new Error(`the agent of ${name} exited with ${agent.exitCode}:\n${agent.tail()}`);
            if (Date.now() < deadline) throw err;
            return undefined;
          });
          if (line !== undefined) from.set(name, agent.lines.lastIndexOf(line) + 1);
        }),
      );
    }
  }

  /** Stops the agents, convoyd and every sample server; safe to call twice. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    await Promise.all(this.hosts.flatMap((h) => (h.agent ? [h.agent.stop()] : [])));
    await this.coordinator?.stop();
    await Promise.all(this.hosts.map((h) => h.server.stop()));
    for (const forget of this.forget) forget();
  }

  /** Registers the cleanups that run even when the test fails or the test process exits. */
  registerCleanup(): void {
    this.forget.push(onCleanup(`fleet in ${this.dir}`, () => this.cleanup()));
    if (this.tls) this.forget.push(registerCoordinatorTls(this.coordinatorAddress, cliTlsEnv(this.tls.ca, this.tls.operator)));
    this.forget.push(
      onEmergencyExit(() => {
        for (const host of this.hosts) for (const pid of processesIn(host.server.serverDir)) killQuietly(pid);
      }),
    );
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
