/**
 * A fleet of Hoss-like servers (samples/hoss-server.ts) whose agents run with
 * `profile: hoss` and no step settings of their own: each agent runs as its server's user
 * (HOME = the server's home, so ~/.hoss is that server's), with hossadm off PATH.
 */
import path from 'node:path';
import { createHossServer, type HossServer, type HossVersionSpec } from '../../samples/hoss-server.js';
import { coordinatorConfig, mergeOverrides, writeYaml, type ClusterSpec, type Overrides } from './fleet-config.js';
import { launchFleet, type Fleet, type FleetHost } from './fleet.js';
import { freePort } from './ports.js';
import { fleetTls, TEST_OPERATOR } from './tls.js';

export interface HossFleetServer {
  name: string;
  role: 'auth' | 'member';
  versions?: HossVersionSpec[];
  install?: string;
  /** Merged into this agent's agent.yaml. */
  agent?: Overrides;
}

export interface HossFleetOptions {
  dir: string;
  servers: HossFleetServer[];
  cluster?: ClusterSpec & { name?: string };
  coordinatorOverrides?: Overrides;
  /** How long hossadm restore waits for the server (the real tool: 15 minutes). */
  restoreWaitMs?: number;
}

/** Hoss's SERVICES without the auth service: a member uses its auth server's. */
const MEMBER_SERVICES = 'opensearch ldap rabbitmq db dex reverse-proxy ldap-admin etcd-0 minio core ui sync';

/** agent.yaml of a Hoss host: the profile, where hossadm is, the endpoint; quick health timings for tests. */
export function hossAgentConfig(input: { id: string; server: HossServer; address: string; stateDir: string; tls: Record<string, string> }) {
  return {
    id: input.id,
    coordinator: { address: input.address, tls: input.tls, heartbeatInterval: '500ms', backoff: { initial: '100ms', max: '1s' } },
    profile: 'hoss',
    hoss: { hossadm: input.server.hossadm, endpoint: input.server.endpoint },
    repo: input.server.root,
    stateDir: input.stateDir,
    health: { interval: '200ms', deadline: '30s', monitorInterval: '500ms', requestTimeout: '1s' },
  };
}

export async function createHossFleet(opts: HossFleetOptions): Promise<Fleet<HossServer>> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const tls = await fleetTls(opts.servers.map((s) => s.name));
  const servers = await createServers(opts);
  const hosts: FleetHost<HossServer>[] = opts.servers.map((spec, i) => {
    const server = servers[i]!;
    const agentDir = path.join(opts.dir, 'agents', spec.name);
    const stateDir = path.join(agentDir, 'state');
    const doc = mergeOverrides(
      hossAgentConfig({ id: spec.name, server, address, stateDir, tls: { ca: tls.ca, ...tls.agents[spec.name]! } }),
      spec.agent,
    );
    const agentConfigFile = path.join(agentDir, 'agent.yaml');
    writeYaml(agentConfigFile, doc);
    return {
      name: spec.name,
      role: spec.role,
      server,
      env: server.userEnv({ HOSSADM_RESTORE_WAIT_MS: String(opts.restoreWaitMs ?? 60_000) }) as Record<string, string>,
      agentConfigFile,
      agentConfig: doc,
      stateDir,
      agentLog: path.join(opts.dir, 'logs', `agent-${spec.name}.log`),
    };
  });
  const clusterName = opts.cluster?.name ?? 'hoss';
  const stateFile = path.join(opts.dir, 'coordinator', 'state.db');
  const doc = mergeOverrides(
    coordinatorConfig({
      listen: address,
      http: `127.0.0.1:${httpPort}`,
      stateFile,
      tls: { ca: tls.ca, ...tls.coordinator },
      operators: [{ name: TEST_OPERATOR, role: 'operator' }],
      cluster: {
        ...opts.cluster,
        name: clusterName,
        authServer: opts.servers.find((s) => s.role === 'auth')?.name,
        members: opts.servers.map((s) => s.name),
      },
    }),
    opts.coordinatorOverrides,
  );
  return launchFleet<HossServer>({ dir: opts.dir, hosts, address, httpPort, coordinatorConfig: doc, stateFile, clusterName, tls });
}

/** The auth server first (members' core needs its auth service), then the members. */
async function createServers(opts: HossFleetOptions): Promise<HossServer[]> {
  const dir = path.join(opts.dir, 'servers');
  const created: HossServer[] = [];
  const create = async (spec: HossFleetServer, authUrl?: string): Promise<HossServer> => {
    const server = await createHossServer({
      dir,
      name: spec.name,
      port: await freePort(),
      versions: spec.versions,
      install: spec.install,
      services: spec.role === 'auth' ? undefined : MEMBER_SERVICES,
      authUrl,
    });
    created.push(server);
    return server;
  };
  try {
    const authSpec = opts.servers.find((s) => s.role === 'auth');
    const auth = authSpec ? await create(authSpec) : undefined;
    const others = opts.servers.filter((s) => s !== authSpec);
    const members = await Promise.all(others.map((s) => create(s, auth?.authPingUrl)));
    return opts.servers.map((s) => (s === authSpec ? auth! : members[others.indexOf(s)]!));
  } catch (err) {
    await Promise.all(created.map((s) => s.stop()));
    throw err;
  }
}
