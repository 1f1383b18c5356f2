/** Where `convoy demo` puts things, and the config files it writes (docs/configuration.md). */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { sampleServerSteps } from '../../../samples/sample-server/commands.js';

/** The demo's linked cluster: the auth server first, then the members. */
export const DEMO_CLUSTER = 'demo';
export const AUTH_HOST = 'hoss-auth';
export const DEMO_HOSTS = [AUTH_HOST, 'hoss-a', 'hoss-b'] as const;
export const FROM_VERSION = '0.1.0';
export const TO_VERSION = '0.2.0';

/** The sandbox directory's layout. */
export interface DemoLayout {
  dir: string;
  coordinatorConfig: string;
  stateFile: string;
  logsDir: string;
  serversDir: string;
  agentConfig(id: string): string;
  agentStateDir(id: string): string;
  logFile(name: string): string;
}

export function demoLayout(dir: string): DemoLayout {
  return {
    dir,
    coordinatorConfig: path.join(dir, 'coordinator.yaml'),
    stateFile: path.join(dir, 'state', 'convoyd.db'),
    logsDir: path.join(dir, 'logs'),
    serversDir: path.join(dir, 'servers'),
    agentConfig: (id) => path.join(dir, 'agents', `${id}.yaml`),
    agentStateDir: (id) => path.join(dir, 'state', id),
    logFile: (name) => path.join(dir, 'logs', `${name}.log`),
  };
}

/** What the configs need to know about a sample server. */
export interface DemoServer {
  name: string;
  root: string;
  serverDir: string;
  healthUrl: string;
}

/** The TLS files of the sandbox (see demo/certs.ts). */
export interface DemoTls {
  ca: string;
  coordinator: { cert: string; key: string };
  agents: Record<string, { cert: string; key: string }>;
  operator: string;
}

/** coordinator.yaml: one linked cluster, mutual TLS, one operator, state in the sandbox. */
export function coordinatorFile(layout: DemoLayout, listen: string, http: string, tls: DemoTls): Record<string, unknown> {
  return {
    listen,
    http,
    stateFile: layout.stateFile,
    tls: { ca: tls.ca, cert: tls.coordinator.cert, key: tls.coordinator.key },
    operators: [{ name: tls.operator, role: 'operator' }],
    clusters: [{ name: DEMO_CLUSTER, authServer: AUTH_HOST, members: [...DEMO_HOSTS], maxParallel: 1, healthDeadline: '1m' }],
  };
}

/** agent.yaml for one sample server: the sample's own scripts and make targets as the plan. */
export function agentFile(layout: DemoLayout, server: DemoServer, coordinator: string, tls: DemoTls): Record<string, unknown> {
  const own = tls.agents[server.name];
  if (!own) throw new Error(`no certificate was issued for agent ${server.name}`);
  return {
    id: server.name,
    coordinator: {
      address: coordinator,
      tls: { ca: tls.ca, cert: own.cert, key: own.key },
      heartbeatInterval: '1s',
      backoff: { initial: '200ms', max: '2s' },
    },
    labels: { sandbox: 'convoy-demo' },
    repo: server.root,
    serverDir: server.serverDir,
    stateDir: layout.agentStateDir(server.name),
    health: {
      url: server.healthUrl,
      versionField: 'version',
      interval: '250ms',
      deadline: '1m',
      monitorInterval: '2s',
      requestTimeout: '2s',
    },
    backup: { archiveGlob: 'backups/*.tar.gz' },
    steps: sampleServerSteps({ backup: '2m', config: '2m', build: '5m', up: '2m', 'backup-after': '2m', restore: '2m' }),
  };
}

function writeYaml(file: string, doc: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `# Written by convoy demo; the keys are described in docs/configuration.md.\n${YAML.stringify(doc)}`);
}

/** Creates the directories and writes coordinator.yaml and one agent.yaml per server. */
export function writeDemoConfigs(layout: DemoLayout, servers: DemoServer[], ports: { grpc: number; http: number }, tls: DemoTls): void {
  fs.mkdirSync(path.dirname(layout.stateFile), { recursive: true, mode: 0o700 });
  fs.mkdirSync(layout.logsDir, { recursive: true });
  const listen = `127.0.0.1:${ports.grpc}`;
  writeYaml(layout.coordinatorConfig, coordinatorFile(layout, listen, `127.0.0.1:${ports.http}`, tls));
  for (const server of servers) writeYaml(layout.agentConfig(server.name), agentFile(layout, server, listen, tls));
}

/** Makes the sandbox directory: a fresh temp dir, or `wanted` when it is missing or empty. */
export function makeSandboxDir(wanted: string | undefined, tmpRoot: string): string {
  if (!wanted) return fs.mkdtempSync(path.join(tmpRoot, 'convoy-demo-'));
  const dir = path.resolve(wanted);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new Error(`--dir ${dir} is not empty; the demo removes what it creates, so give it a new or empty directory`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
