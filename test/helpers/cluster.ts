/**
 * A whole local fleet for end-to-end tests: sample servers (an auth server and members that
 * depend on it), their agent.yaml files, coordinator.yaml, and the built convoyd and
 * convoy-agent running as processes on 127.0.0.1.
 *
 * Layout under `dir`: coordinator/{coordinator.yaml,state.db}, agents/<name>/{agent.yaml,state/},
 * servers/<name>/ (+ <name>.origin.git), logs/{convoyd.log,agent-<name>.log}.
 */
import path from 'node:path';
import { createSampleServer } from '../../samples/sample-server.js';
import type { SampleServer, VersionSpec } from '../../samples/sample-server.js';
import { agentConfig, coordinatorConfig, mergeOverrides, writeYaml, type ClusterSpec, type Overrides } from './fleet-config.js';
import { launchFleet, type Fleet, type FleetHost } from './fleet.js';
import { freePort } from './ports.js';
import { fleetTls, TEST_OPERATOR, type FleetTls } from './tls.js';

export * from './fleet.js';

/** One server of the fleet and its agent. */
export interface FleetServerSpec {
  /** Agent id and server name. */
  name: string;
  role: 'auth' | 'member';
  versions?: VersionSpec[];
  install?: string;
  healthDelayMs?: number;
  labels?: Record<string, string>;
  /** Merged into this agent's agent.yaml after `agentOverrides`. */
  agent?: Overrides;
  /** Start the agent in createFleet (default true). */
  startAgent?: boolean;
}

export interface FleetOptions {
  dir: string;
  /** Default: DEFAULT_FLEET_SERVERS (hoss-auth, hoss-a, hoss-b). */
  servers?: FleetServerSpec[];
  /** The linked cluster of all servers (default name "hoss"); false: no cluster in coordinator.yaml. */
  cluster?: ClusterSpec | false;
  /** Merged into every agent.yaml. */
  agentOverrides?: Overrides;
  /** Merged into coordinator.yaml. */
  coordinatorOverrides?: Overrides;
  /** Extra environment for convoyd and the agents. */
  env?: Record<string, string | undefined>;
  /** Start convoyd and the agents (default true); false only writes configs and creates servers. */
  start?: boolean;
  /** How long to wait for convoyd to listen and for the agents to connect (default 20000). */
  connectTimeoutMs?: number;
  /**
   * Mutual TLS (default true): convoyd, each agent and the CLI get certificates of the test CA
   * (test/helpers/tls.ts) and the CLI runs as operator "convoy-test". false: plaintext on loopback.
   */
  tls?: boolean;
}

/** The fleet of the seed procedure: an auth server and two members. */
export const DEFAULT_FLEET_SERVERS: readonly FleetServerSpec[] = [
  { name: 'hoss-auth', role: 'auth' },
  { name: 'hoss-a', role: 'member' },
  { name: 'hoss-b', role: 'member' },
];

function validateServers(servers: readonly FleetServerSpec[]): void {
  if (servers.length === 0) throw new Error('createFleet: no servers');
  if (servers.filter((s) => s.role === 'auth').length > 1) throw new Error('createFleet: more than one auth server');
  const names = new Set(servers.map((s) => s.name));
  if (names.size !== servers.length) throw new Error('createFleet: server names must be unique');
}

async function createServers(dir: string, specs: readonly FleetServerSpec[]): Promise<SampleServer[]> {
  const serversDir = path.join(dir, 'servers');
  const created: SampleServer[] = [];
  const create = async (spec: FleetServerSpec, authUrl?: string): Promise<SampleServer> => {
    const server = await createSampleServer({
      dir: serversDir,
      name: spec.name,
      port: await freePort(),
      versions: spec.versions,
      install: spec.install,
      healthDelayMs: spec.healthDelayMs,
      authUrl,
    });
    created.push(server);
    return server;
  };
  try {
    // The auth server first: a member is healthy only while the auth server answers.
    const authSpec = specs.find((s) => s.role === 'auth');
    const auth = authSpec ? await create(authSpec) : undefined;
    const others = specs.filter((s) => s !== authSpec);
    const members = await Promise.all(others.map((s) => create(s, auth?.healthUrl)));
    return specs.map((s) => (s === authSpec ? auth! : members[others.indexOf(s)]!));
  } catch (err) {
    await Promise.all(created.map((s) => s.stop()));
    throw err;
  }
}

function buildHosts(
  opts: FleetOptions,
  specs: readonly FleetServerSpec[],
  servers: SampleServer[],
  address: string,
  tls: FleetTls | undefined,
): FleetHost[] {
  return specs.map((spec, i) => {
    const server = servers[i]!;
    const agentDir = path.join(opts.dir, 'agents', spec.name);
    const stateDir = path.join(agentDir, 'state');
    const base = agentConfig({
      id: spec.name,
      coordinatorAddress: address,
      repo: server.root,
      serverDir: server.serverDir,
      stateDir,
      healthUrl: server.healthUrl,
      labels: spec.labels,
      tls: tls && { ca: tls.ca, ...tls.agents[spec.name]! },
    });
    const doc = mergeOverrides(mergeOverrides(base, opts.agentOverrides), spec.agent);
    const agentConfigFile = path.join(agentDir, 'agent.yaml');
    writeYaml(agentConfigFile, doc);
    return {
      name: spec.name,
      role: spec.role,
      server,
      agentConfigFile,
      agentConfig: doc,
      stateDir,
      agentLog: path.join(opts.dir, 'logs', `agent-${spec.name}.log`),
    };
  });
}

/** Creates the servers, writes every config file, then (unless start: false) runs convoyd and the agents until all are connected. */
export async function createFleet(opts: FleetOptions): Promise<Fleet> {
  const specs = opts.servers ?? DEFAULT_FLEET_SERVERS;
  validateServers(specs);
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const tls = opts.tls === false ? undefined : await fleetTls(specs.map((s) => s.name));
  const servers = await createServers(opts.dir, specs);
  const hosts = buildHosts(opts, specs, servers, address, tls);
  const clusterName = opts.cluster === false ? undefined : (opts.cluster?.name ?? 'hoss');
  const stateFile = path.join(opts.dir, 'coordinator', 'state.db');
  const doc = mergeOverrides(
    coordinatorConfig({
      listen: address,
      http: `127.0.0.1:${httpPort}`,
      stateFile,
      tls: tls && { ca: tls.ca, ...tls.coordinator },
      operators: tls && [{ name: TEST_OPERATOR, role: 'operator' }],
      cluster:
        clusterName === undefined
          ? undefined
          : {
              ...(opts.cluster || {}),
              name: clusterName,
              authServer: specs.find((s) => s.role === 'auth')?.name,
              members: specs.map((s) => s.name),
            },
    }),
    opts.coordinatorOverrides,
  );
  return launchFleet(
    { dir: opts.dir, hosts, address, httpPort, coordinatorConfig: doc, stateFile, clusterName, tls, env: opts.env },
    {
      start: opts.start,
      agents: specs.filter((s) => s.startAgent !== false).map((s) => s.name),
      timeoutMs: opts.connectTimeoutMs,
    },
  );
}
