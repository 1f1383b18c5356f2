/**
 * How long a Prometheus scrape of convoyd's /metrics takes with a large fleet.
 *
 *   npm run bench:metrics                    # 1,000 agents, 200 scrapes
 *   npm run bench:metrics -- --agents 5000 --scrapes 100
 *
 * Builds the real Fleet (agents registered through its API, a real SqliteStore in a temp
 * dir) and the real RolloutController with rollouts in flight (preflight answered, backups
 * reported, so the step histogram and counters have series), then times `metrics.scrape()`:
 * the work convoyd's HTTP handler does per scrape. Prints p50/p95/max and the machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import type { BackupRecord, Hello, InspectResult } from '../shared/wire.js';
import { DEFAULT_PLAN } from '../shared/wire.js';
import type { ClusterConfig, CoordinatorConfig } from '../coordinator/config.js';
import { Fleet, type AgentSession } from '../coordinator/fleet/registry.js';
import { Metrics } from '../coordinator/metrics.js';
import { RolloutController } from '../coordinator/rollout/controller.js';
import { SqliteStore } from '../coordinator/store/sqlite-store.js';

const CLUSTER_SIZE = 4;
const BUDGET_MS = 100;

function options(): { agents: number; scrapes: number; rollouts: number } {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string', default: '1000' },
      scrapes: { type: 'string', default: '200' },
      rollouts: { type: 'string', default: '25' },
    },
  });
  return { agents: Number(values.agents), scrapes: Number(values.scrapes), rollouts: Number(values.rollouts) };
}

/** Clusters of an auth server and three members: agent-0000 (auth), agent-0001..0003, ... */
function clustersFor(agents: number): ClusterConfig[] {
  const clusters: ClusterConfig[] = [];
  for (let i = 0; i < agents; i += CLUSTER_SIZE) {
    const members = Array.from({ length: Math.min(CLUSTER_SIZE, agents - i) }, (_, j) => agentId(i + j));
    clusters.push({
      name: `cluster-${String(i / CLUSTER_SIZE).padStart(3, '0')}`,
      authServer: members[0]!,
      members,
      maxParallel: 1,
      healthDeadlineMs: 300_000,
      allowDowngrade: false,
      autoRollback: false,
    });
  }
  return clusters;
}

function agentId(i: number): string {
  return `agent-${String(i).padStart(4, '0')}`;
}

function hello(id: string, now: number): Hello {
  const backups: BackupRecord[] = [1, 2, 3].map((k) => ({
    id: `${id}-b${k}`,
    path: `/var/backups/${id}-${k}.tar.gz`,
    version: '0.1.0',
    sizeBytes: 1_000_000,
    sha256: 'f'.repeat(64),
    createdAtMs: now - k * 3_600_000,
    step: 'backup',
    rolloutId: '',
  }));
  return {
    agentId: id,
    labels: { site: 'bench' },
    serverDir: '/opt/hoss/server',
    agentVersion: '0.1.0',
    repo: {
      installedVersion: '0.1.0',
      commit: 'a'.repeat(40),
      clean: true,
      tags: ['0.1.0', '0.2.0'],
      branch: '',
      trackedBranch: '',
      dirtyDetail: '',
    },
    health: { healthy: true, version: '0.1.0', detail: '', checkedAtMs: now, configured: true },
    plan: [...DEFAULT_PLAN],
    rerunnableSteps: [...DEFAULT_PLAN],
    backups,
    undelivered: [],
    inFlight: null,
    hostname: id,
    hasRestore: false,
    stepTimeoutsMs: {},
    backupCompatibility: 'same-major-minor',
    rollbackPlan: [],
    backupSteps: [],
    profile: '',
    protocolVersion: PROTOCOL_VERSION,
    backupKeepPerMinor: 0,
  };
}

/** A stream that accepts every message (the bench has no agents on the other end). */
function session(id: number): AgentSession {
  return { id, send: () => true, close: () => undefined };
}

/** Starts rollouts in the first `count` clusters and answers preflight and the backups, as agents would. */
function driveRollouts(controller: RolloutController, clusters: ClusterConfig[], count: number): void {
  for (const c of clusters.slice(0, count)) {
    const r = controller.start({ cluster: c.name, host: '', target: '0.2.0', ackReleaseNotes: false, actor: 'bench' });
    for (const m of c.members) controller.onInspectResult(m, inspection(`${r.id}.${m}.inspect`));
    const now = Date.now();
    for (const m of c.members) {
      const requestId = `${r.id}.${m}.backup.1`;
      controller.onStepResult(m, {
        requestId,
        rolloutId: r.id,
        step: 'backup',
        outcome: 'SUCCEEDED',
        exitCode: 0,
        reason: '',
        outputTail: [],
        startedAtMs: now - 12_000,
        finishedAtMs: now,
        previousCommit: '',
        backup: null,
        releaseNotes: null,
        repo: null,
        health: null,
        attempt: 1,
      });
    }
  }
}

function inspection(requestId: string): InspectResult {
  return {
    requestId,
    targetVersion: '0.2.0',
    targetExists: true,
    error: '',
    repo: { installedVersion: '0.1.0', commit: 'a'.repeat(40), clean: true, tags: [], branch: '', trackedBranch: '', dirtyDetail: '' },
    health: { healthy: true, version: '0.1.0', detail: '', checkedAtMs: Date.now(), configured: true },
    releaseNotes: null,
    plan: [...DEFAULT_PLAN],
    drift: null,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const opts = options();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-'));
  const store = new SqliteStore(path.join(dir, 'state.db'));
  try {
    const logger = silentLogger();
    const clusters = clustersFor(opts.agents);
    const config: CoordinatorConfig = {
      file: path.join(dir, 'coordinator.yaml'),
      listen: '127.0.0.1:0',
      stateFile: path.join(dir, 'state.db'),
      insecure: true,
      heartbeatTimeoutMs: 20_000,
      heartbeatIntervalMs: 5_000,
      stepGraceMs: 30_000,
      clusters,
      operators: [],
      denyAgents: [],
      webhooks: [],
      schedules: [],
    };
    const fleet = new Fleet({ store, clock: systemClock, logger, heartbeatTimeoutMs: config.heartbeatTimeoutMs });
    const controller = new RolloutController({ store, fleet, clock: systemClock, logger, config });
    const metrics = new Metrics(
      { fleet, rollouts: controller, clusters: () => config.clusters, clock: systemClock },
      { defaultMetrics: true },
    );
    controller.observe(metrics);
    metrics.setScheduleSource(() =>
      clusters.map((c) => ({ name: `${c.name}-nightly`, cluster: c.name, nextStartMs: Date.now() + 3_600_000 })),
    );

    const t0 = performance.now();
    const now = Date.now();
    for (let i = 0; i < opts.agents; i++) fleet.register(hello(agentId(i), now), session(i + 1));
    driveRollouts(controller, clusters, Math.min(opts.rollouts, clusters.length));
    // a tenth of the fleet is away: their up/heartbeat series differ
    for (let i = 0; i < opts.agents; i += 10) fleet.disconnect(agentId(i), i + 1);
    const setupMs = performance.now() - t0;

    const first = await metrics.scrape();
    if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, first.body);
    const times: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < opts.scrapes; i++) {
      const start = performance.now();
      await metrics.scrape();
      times.push(performance.now() - start);
    }
    const cpu = process.cpuUsage(cpuBefore);
    times.sort((a, b) => a - b);
    report(opts, setupMs, first.body, times, (cpu.user + cpu.system) / 1000 / opts.scrapes);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall-clock figures, plus the CPU time a scrape costs (steadier than wall time on a busy machine). */
function report(
  opts: { agents: number; scrapes: number; rollouts: number },
  setupMs: number,
  body: string,
  times: number[],
  cpuMs: number,
): void {
  const series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const convoySeries = body.split('\n').filter((l) => l.startsWith('convoy_')).length;
  const p95 = percentile(times, 95);
  const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `machine: ${os.availableParallelism()} cpu (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  console.log(
    `fleet: ${opts.agents} agents in ${Math.ceil(opts.agents / CLUSTER_SIZE)} clusters, ${opts.rollouts} rollouts in flight (setup ${fmt(setupMs)})`,
  );
  console.log(`exposition: ${(body.length / 1024).toFixed(0)} KiB, ${series} series (${convoySeries} convoy_*)`);
  console.log(
    `scrape x${times.length}: p50 ${fmt(percentile(times, 50))}  p95 ${fmt(p95)}  max ${fmt(times.at(-1)!)}  (cpu ${fmt(cpuMs)} per scrape)`,
  );
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(p95 < BUDGET_MS ? `ok: p95 under the ${BUDGET_MS} ms budget` : `OVER BUDGET: p95 ${fmt(p95)} >= ${BUDGET_MS} ms`);
  if (p95 >= BUDGET_MS) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
