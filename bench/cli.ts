/**
 * CLI latency and the idle agent, on a small real fleet (convoyd and two agents as processes,
 * one rollout done so there is something to show):
 *
 *   - wall time of `convoy agents` and `convoy rollout status r-1` as a shell runs them (a new
 *     Node process each time), next to `node -e 0` and `convoy --version`, interleaved, medians
 *     of --runs runs (hyperfine-like: one warm-up run each, not counted);
 *   - each agent's RSS and CPU time over --idle-seconds with nothing to do.
 *
 *   npm run build && npm run bench:cli
 *   npm run bench:cli -- --runs 20 --idle-seconds 30
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConvoyFleet } from './overhead/convoy.js';
import { createHost, startServiceHost } from './overhead/fleet-files.js';
import { loadAverage, machine, median, ms } from './overhead/report.js';
import { freePort } from './ports.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'idle-seconds': { type: 'string', default: '20' },
  },
});
const RUNS = Number(values.runs);
const IDLE_SECONDS = Number(values['idle-seconds']);
const ROOT = path.resolve(import.meta.dirname, '..');
const CONVOY = path.join(ROOT, 'bin', 'convoy.js');

/** One timed run of a command line; throws when it fails (a failing command is not a figure). */
function timeRun(args: string[], env: NodeJS.ProcessEnv): number {
  // CONVOY_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles each run
  const nodeArgs = (process.env.CONVOY_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const started = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = performance.now() - started;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return wall;
}

function cliLatency(grpcPort: number): void {
  const env = { ...process.env, CONVOY_COORDINATOR: `127.0.0.1:${grpcPort}`, NO_COLOR: '1' };
  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['convoy --version', [CONVOY, '--version']],
    ['convoy agents', [CONVOY, 'agents']],
    ['convoy rollout status r-1', [CONVOY, 'rollout', 'status', 'r-1']],
  ];
  const walls = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (const [, args] of cases) timeRun(args, env); // warm-up: the page cache, not the measure
  for (let i = 0; i < RUNS; i++) for (const [name, args] of cases) walls.get(name)!.push(timeRun(args, env));
  console.log(`\nCLI wall time, ${RUNS} interleaved runs each (load average after: ${loadAverage()})`);
  const base = median(walls.get('node -e 0')!);
  for (const [name] of cases) {
    const w = walls.get(name)!;
    console.log(
      `  ${name.padEnd(28)} median ${ms(median(w)).padStart(9)}  min ${ms(Math.min(...w)).padStart(9)}  (${(median(w) / base).toFixed(1)}x node -e 0)`,
    );
  }
}

/** RSS (kB) and CPU time (ms) of a process, from /proc. */
function procStat(pid: number): { rssKb: number; cpuMs: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  // fields after the command name: utime is the 14th, stime the 15th field of the line
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return { rssKb, cpuMs: (ticks * 1000) / hz };
}

async function idleAgents(fleet: ConvoyFleet): Promise<void> {
  const pids = fleet.agentPids();
  const before = pids.map(procStat);
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const after = pids.map(procStat);
  console.log(`\nidle agents over ${IDLE_SECONDS} s, after one rollout (load average after: ${loadAverage()})`);
  pids.forEach((pid, i) => {
    const cpu = after[i]!.cpuMs - before[i]!.cpuMs;
    const share = (cpu / (IDLE_SECONDS * 1000)) * 100;
    console.log(
      `  agent ${i} (pid ${pid}): RSS ${(after[i]!.rssKb / 1024).toFixed(1)} MiB; CPU ${cpu.toFixed(0)} ms (${share.toFixed(2)} % of a core)`,
    );
  });
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'coordinator', 'cli', 'main.js'))) throw new Error(`${ROOT}/dist is missing: npm run build`);
  console.log(`bench:cli — ${machine()}; load average before: ${loadAverage()}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bench-cli-'));
  const servicePort = await freePort();
  const service = await startServiceHost(root, servicePort, 0);
  let fleet: ConvoyFleet | undefined;
  try {
    const hosts = ['cli-00', 'cli-01'].map((name) => createHost(root, name, servicePort));
    fleet = await ConvoyFleet.start({
      build: { name: 'convoy', root: ROOT },
      dir: path.join(root, 'convoy'),
      hosts,
      grpcPort: await freePort(),
      httpPort: await freePort(),
    });
    await fleet.rollout();
    cliLatency(fleet.grpcPort);
    await idleAgents(fleet);
  } finally {
    await fleet?.stop();
    service.kill('SIGTERM');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
