/**
 * The agent.yaml and coordinator.yaml an end-to-end fleet runs with (docs/configuration.md),
 * with short timings so tests are quick, and deep-merged overrides for a test's own needs.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { sampleServerSteps } from '../../samples/sample-server/commands.js';

/** A partial config document merged over the defaults: objects merge, other values replace, null deletes. */
export type Overrides = Record<string, unknown>;

/** The sample server's commands, as the agent runs them in server/, with the tests' timeouts. */
export const SAMPLE_SERVER_STEPS = sampleServerSteps({
  backup: '1m',
  config: '1m',
  build: '2m',
  up: '1m',
  'backup-after': '1m',
  restore: '1m',
});

export interface AgentConfigInput {
  id: string;
  /** host:port of convoyd. */
  coordinatorAddress: string;
  /** Work tree root and the server/ directory where make runs. */
  repo: string;
  serverDir: string;
  stateDir: string;
  healthUrl: string;
  labels?: Record<string, string>;
  /** Mutual TLS files (this agent's certificate); without them the agent speaks plaintext (insecure: true). */
  tls?: { ca: string; cert: string; key: string };
}

/** Settings of one linked cluster in coordinator.yaml. */
export interface ClusterSpec {
  name?: string;
  maxParallel?: number;
  healthDeadline?: string;
  allowDowngrade?: boolean;
  autoRollback?: boolean;
  /** clusters[].releaseNotes as written in coordinator.yaml. */
  releaseNotes?: Record<string, unknown>;
}

export interface CoordinatorConfigInput {
  /** 127.0.0.1:<port> for gRPC; 127.0.0.1:<port> for /metrics. */
  listen: string;
  http: string;
  stateFile: string;
  cluster?: ClusterSpec & { name: string; authServer?: string; members: string[] };
  /** Mutual TLS (convoyd's certificate) and the operators allowed on the CLI; without tls: insecure: true. */
  tls?: { ca: string; cert: string; key: string };
  operators?: { name: string; role: 'viewer' | 'operator' }[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base` with `overrides` deep-merged in (neither is modified). */
export function mergeOverrides(base: Record<string, unknown>, overrides: Overrides = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeOverrides(out[key], value);
    else if (value !== undefined) out[key] = value;
  }
  return out;
}

/** agent.yaml for a sample server's agent. */
export function agentConfig(input: AgentConfigInput): Record<string, unknown> {
  return {
    id: input.id,
    coordinator: {
      address: input.coordinatorAddress,
      ...(input.tls ? { tls: { ...input.tls } } : { insecure: true }),
      heartbeatInterval: '500ms',
      backoff: { initial: '100ms', max: '1s' },
    },
    labels: { fixture: 'sample-server', ...input.labels },
    repo: input.repo,
    serverDir: input.serverDir,
    stateDir: input.stateDir,
    fetch: true,
    releaseNotes: { changelog: 'CHANGELOG.md', markers: ['ACTION REQUIRED', 'Required changes'] },
    health: {
      url: input.healthUrl,
      versionField: 'version',
      interval: '200ms',
      deadline: '20s',
      monitorInterval: '500ms',
      requestTimeout: '1s',
    },
    backup: { archiveGlob: 'backups/*.tar.gz', compatibility: 'same-major-minor' },
    steps: structuredClone(SAMPLE_SERVER_STEPS),
  };
}

/** coordinator.yaml for a test fleet (one cluster, or none). */
export function coordinatorConfig(input: CoordinatorConfigInput): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    listen: input.listen,
    http: input.http,
    stateFile: input.stateFile,
    ...(input.tls ? { tls: { ...input.tls } } : { insecure: true }),
    ...(input.operators ? { operators: input.operators.map((o) => ({ ...o })) } : {}),
    heartbeatTimeout: '2s',
    // the agents' own interval; a timeout must cover two of them (coordinator/config-bounds.ts)
    heartbeatInterval: '500ms',
    stepGrace: '10s',
  };
  const c = input.cluster;
  if (c) {
    const cluster: Record<string, unknown> = { name: c.name };
    if (c.authServer) cluster.authServer = c.authServer;
    cluster.members = c.members;
    cluster.maxParallel = c.maxParallel ?? 1;
    cluster.healthDeadline = c.healthDeadline ?? '20s';
    if (c.allowDowngrade !== undefined) cluster.allowDowngrade = c.allowDowngrade;
    if (c.autoRollback !== undefined) cluster.autoRollback = c.autoRollback;
    if (c.releaseNotes !== undefined) cluster.releaseNotes = c.releaseNotes;
    doc.clusters = [cluster];
  }
  return doc;
}

/** Writes `doc` as YAML, creating the directory. */
export function writeYaml(file: string, doc: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, YAML.stringify(doc));
}
