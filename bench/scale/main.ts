/**
 * One coordinator for thousands of hosts (issue 15): a real convoyd process and a fleet of
 * simulated agents that speak the real agent protocol over mutual TLS, each with its own
 * certificate issued as `convoy certs` issues them.
 *
 *   npm run build && npm run bench:scale                       # 5,000 agents, hold 60s, a 1,000-host rollout
 *   npm run bench:scale -- --agents 10000 --hold 10m --rollout-hosts 0
 *
 * Phases: connect (every agent dials at a random moment within --ramp, then reconnects with
 * the agent's own backoff until welcomed), hold (convoyd's CPU, RSS and event-loop delay while
 * the fleet heartbeats, with a full /metrics scrape every --scrape-every), `convoy agents`
 * (the real CLI), and a rollout of the first --rollout-hosts agents (one cluster, the first
 * its auth server, members one at a time; preflight and backup-all of every host included).
 * Prints every figure with the machine and its load average. --build <dir> measures the
 * convoyd and convoy of another build (a checkout of an older commit, built) with the same
 * generator, for before/after figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../shared/durations.js';
import { convoyPackage } from '../../shared/package.js';
import { freePorts } from '../../shared/ports.js';
import { DEFAULT_CERTS_DIR, ensureCerts, type BenchTlsFiles } from './certs.js';
import { Convoyd, ROOT, runCli, scrape, writeConfig } from './convoyd.js';
import { SimFleet } from './fleet.js';
import { cpuShare, loadAverage, loopSummary, machine, ms, percentile, rssSummary, stepPace } from './report.js';
import { TARGET_VERSION } from './sim-agent.js';
import { Watch } from './watch.js';

const STEPS_PER_HOST = 8; // backup, release-notes, checkout, config, build, up, health, backup-after
const CLUSTER_SIZE = 4;

function options() {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string', default: '5000' },
      workers: { type: 'string', default: '4' },
      ramp: { type: 'string', default: '1s' },
      hold: { type: 'string', default: '60s' },
      sample: { type: 'string', default: '2s' },
      'scrape-every': { type: 'string', default: '15s' },
      'rollout-hosts': { type: 'string', default: '1000' },
      'rollout-timeout': { type: 'string', default: '30m' },
      'cli-runs': { type: 'string', default: '3' },
      insecure: { type: 'boolean', default: false },
      'certs-dir': { type: 'string', default: DEFAULT_CERTS_DIR },
      keep: { type: 'boolean', default: false },
      build: { type: 'string', default: ROOT },
    },
  });
  const duration = (name: keyof typeof values): number => {
    const ms = parseDuration(String(values[name]));
    if (ms === undefined) throw new Error(`--${name} ${String(values[name])} is not a duration (e.g. 30s, 10m)`);
    return ms;
  };
  return {
    agents: Number(values.agents),
    workers: Number(values.workers),
    rampMs: duration('ramp'),
    holdMs: duration('hold'),
    sampleMs: duration('sample'),
    scrapeEveryMs: duration('scrape-every'),
    rolloutHosts: Math.min(Number(values.agents), Number(values['rollout-hosts'])),
    rolloutTimeoutMs: duration('rollout-timeout'),
    cliRuns: Number(values['cli-runs']),
    tls: !values.insecure,
    certsDir: values['certs-dir'],
    keep: values.keep,
    build: path.resolve(values.build),
  };
}

type Options = ReturnType<typeof options>;

const agentId = (i: number): string => `sim-${String(i).padStart(5, '0')}`;
const sleep = (msec: number): Promise<void> => new Promise((r) => setTimeout(r, msec));

/** The rollout's cluster (the first agents), then clusters of four. */
function clustersFor(ids: string[], rolloutHosts: number): { name: string; authServer: string; members: string[] }[] {
  const clusters = rolloutHosts ? [{ name: 'big', authServer: ids[0]!, members: ids.slice(0, rolloutHosts) }] : [];
  for (let i = rolloutHosts; i < ids.length; i += CLUSTER_SIZE) {
    const members = ids.slice(i, i + CLUSTER_SIZE);
    clusters.push({ name: `c-${String(i / CLUSTER_SIZE).padStart(5, '0')}`, authServer: members[0]!, members });
  }
  return clusters;
}

async function main(): Promise<void> {
  const o = options();
  console.log(`machine: ${machine()}`);
  console.log(`load average at start: ${loadAverage()}`);
  const ids = Array.from({ length: o.agents }, (_, i) => agentId(i));
  const tls = o.tls ? await ensureCerts(o.certsDir, ids, console.log) : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-scale-'));
  const [port, httpPort] = (await freePorts(2)) as [number, number];
  const config = writeConfig({ dir, port, httpPort, tls, clusters: clustersFor(ids, o.rolloutHosts) });
  const convoyd = await Convoyd.start(o.build, config, path.join(dir, 'convoyd.log'));
  const watch = new Watch(convoyd, httpPort, o.sampleMs);
  const fleet = new SimFleet({
    address: `${tls ? 'localhost' : '127.0.0.1'}:${port}`,
    ids,
    workers: o.workers,
    certsDir: tls ? o.certsDir : undefined,
    caFile: tls?.ca,
    rampMs: o.rampMs,
    heartbeatIntervalMs: 5_000,
    agentVersion: convoyPackage().version,
  });
  console.log(
    `convoyd pid ${convoyd.pid} of ${o.build} (${tls ? 'mutual TLS' : 'plaintext'}), ${o.agents} agents in ${o.workers} workers; state in ${dir}`,
  );
  try {
    watch.start();
    await connectPhase(o, fleet, watch);
    await holdPhase(o, fleet, watch, httpPort);
    await agentsPhase(o, watch, { build: o.build, port, tls });
    if (o.rolloutHosts) await rolloutPhase(o, fleet, watch, convoyd, { build: o.build, port, tls });
    const t = fleet.totals();
    console.log(
      `\nsessions over the whole run: attempts ${t.attempts}, welcomed ${t.welcomed}, dropped ${t.dropped}, failed ${t.failed}, refusals ${t.refusals} ${JSON.stringify(t.statuses)}`,
    );
    console.log(`whole run: ${loopSummary(watch.of())}`);
    console.log(`load average at the end: ${loadAverage()}`);
  } finally {
    watch.stop();
    await fleet.stop();
    await convoyd.stop();
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function connectPhase(o: Options, fleet: SimFleet, watch: Watch): Promise<void> {
  watch.phase = 'connect';
  const started = Date.now();
  fleet.start();
  await fleet.until((t) => t.connected >= o.agents, 10 * 60_000, 'every agent connected');
  const t = fleet.totals();
  const samples = watch.of('connect');
  console.log(
    `\nconnect: ${t.connected}/${o.agents} connected in ${((Date.now() - started) / 1000).toFixed(1)} s (ramp ${o.rampMs / 1000} s); attempts ${t.attempts}, failed ${t.failed}, refusals ${t.refusals} ${JSON.stringify(t.statuses)}`,
  );
  console.log(`  convoyd: ${(cpuShare(samples) * 100).toFixed(0)}% of a core, ${rssSummary(samples)}`);
  console.log(`  ${loopSummary(samples)}; load average ${loadAverage()}`);
}

async function holdPhase(o: Options, fleet: SimFleet, watch: Watch, httpPort: number): Promise<void> {
  watch.phase = 'hold';
  const before = fleet.totals();
  const scrapes: number[] = [];
  const end = Date.now() + o.holdMs;
  while (Date.now() < end) {
    await sleep(Math.min(o.scrapeEveryMs, Math.max(0, end - Date.now())));
    if (Date.now() < end) scrapes.push((await scrape(httpPort)).ms);
  }
  const after = fleet.totals();
  const samples = watch.of('hold');
  console.log(
    `\nhold ${(o.holdMs / 1000).toFixed(0)} s with ${after.connected} connected: drops ${after.dropped - before.dropped}, new attempts ${after.attempts - before.attempts}`,
  );
  console.log(`  convoyd: ${(cpuShare(samples) * 100).toFixed(1)}% of a core, ${rssSummary(samples)}`);
  console.log(`  ${loopSummary(samples)}`);
  console.log(
    `  /metrics x${scrapes.length}: p50 ${ms(percentile(scrapes, 50))}, max ${ms(Math.max(...scrapes))}; load average ${loadAverage()}`,
  );
}

async function agentsPhase(o: Options, watch: Watch, conn: { build: string; port: number; tls?: BenchTlsFiles }): Promise<void> {
  watch.phase = 'agents';
  const runs: string[] = [];
  for (let i = 0; i < o.cliRuns; i++) {
    const r = await runCli(['agents'], conn);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('sim-')).length;
    runs.push(r.code === 0 ? `${ms(r.ms)} (${rows} rows)` : `exit ${r.code} after ${ms(r.ms)}: ${r.stderr.trim().split('\n')[0]}`);
  }
  console.log(`\nconvoy agents x${o.cliRuns}: ${runs.join(', ')}; load average ${loadAverage()}`);
  console.log(`  ${loopSummary(watch.of('agents'))}`);
}

async function rolloutPhase(
  o: Options,
  fleet: SimFleet,
  watch: Watch,
  convoyd: Convoyd,
  conn: { build: string; port: number; tls?: BenchTlsFiles },
): Promise<void> {
  watch.phase = 'rollout';
  const hosts = o.rolloutHosts;
  const base = fleet.totals();
  const stepsBefore = fleet.stepTimes.length;
  const cpuBefore = convoyd.usage().cpuSeconds;
  const started = Date.now();
  const start = await runCli(['rollout', 'start', 'big', '--to', TARGET_VERSION, '--ack-release-notes'], conn);
  if (start.code !== 0) throw new Error(`rollout start failed: ${start.stderr}`);
  const id = start.stdout.trim();
  await fleet.until((t) => t.steps - base.steps >= hosts * STEPS_PER_HOST, o.rolloutTimeoutMs, `rollout ${id} of ${hosts} hosts`);
  // the last result is applied once the agent's answer reached convoyd: ask until it says so
  let state = '';
  for (let i = 0; i < 50 && state !== 'succeeded'; i++) {
    const status = await runCli(['rollout', 'status', id, '--json'], conn);
    state = status.code === 0 ? String((JSON.parse(status.stdout) as { state: string }).state) : `exit ${status.code}`;
    if (state !== 'succeeded') await sleep(200);
  }
  const wallMs = Date.now() - started;
  const cpu = convoyd.usage().cpuSeconds - cpuBefore;
  const hostSteps = hosts * STEPS_PER_HOST;
  const pace = stepPace(fleet.stepTimes.slice(stepsBefore), hosts);
  const samples = watch.of('rollout');
  console.log(
    `\nrollout ${id} of ${hosts} hosts: ${state} in ${(wallMs / 1000).toFixed(1)} s, ${hostSteps} host-steps (${ms(wallMs / hostSteps)} per host-step, wall)`,
  );
  console.log(`  convoyd CPU ${cpu.toFixed(1)} s = ${ms((cpu * 1000) / hostSteps)} per host-step; backup-all ${ms(pace.backupAllMs)}`);
  console.log(
    `  after backup-all, one step after another: ${ms(pace.mean)} per host-step; by tenth of the rollout: ${pace.tenths.map((t) => t.toFixed(1)).join(' ')} ms`,
  );
  console.log(`  convoyd: ${(cpuShare(samples) * 100).toFixed(0)}% of a core, ${rssSummary(samples)}`);
  console.log(
    `  ${loopSummary(samples)}; drops during the rollout ${fleet.totals().dropped - base.dropped}; load average ${loadAverage()}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
