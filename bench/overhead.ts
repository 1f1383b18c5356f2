/**
 * Orchestration overhead: the same fleet updated by a bash script (the floor: the commands
 * and nothing else), by Convoy (real convoyd and agents as processes) and, when installed, by
 * Ansible. Runs are interleaved so every system sees the same machine load.
 *
 *   npm run bench:overhead                                  # N = 5 and 20, 3 runs each
 *   npm run bench:overhead -- --sizes 5 --runs 5 --no-ansible
 *   npm run bench:overhead -- --build before=/tmp/convoy-main --build after=.   # two builds side by side
 *   npm run bench:overhead -- --sizes 3 --health-delay 1500  # a service healthy 1.5 s after up
 *
 * Each host: a git work tree with tags 1.0.0 and 1.1.0 and a Makefile; 7 steps per host
 * (backup, checkout, config, build, up, health, backup-after); backups on every host first,
 * then the auth server, then one member at a time. Overhead per host-step is
 * (Convoy wall - floor wall) / (7 N), the median over runs of the difference within a run.
 * Run `npm run build` first: the daemons run compiled from each build's dist/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ansibleVersion, runAnsible, writeAnsibleFiles } from './overhead/ansible.js';
import { ConvoyFleet, type ConvoyBuild } from './overhead/convoy.js';
import { createHost, resetHost, startServiceHost, type BenchHost } from './overhead/fleet-files.js';
import { runFloor, writeFloorScript } from './overhead/floor.js';
import { breakdown, formatBreakdown, loadAverage, machine, median, ms, s } from './overhead/report.js';
import type { RolloutView } from '../coordinator/cli/views.js';
import { healthLatency } from './overhead/health-latency.js';
import { freePort } from './ports.js';

const STEPS_PER_HOST = 7;

interface Options {
  sizes: number[];
  runs: number;
  builds: ConvoyBuild[];
  ansible: boolean;
  healthDelayMs: number;
  keep: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '5,20' },
      runs: { type: 'string', default: '3' },
      build: { type: 'string', multiple: true },
      'no-ansible': { type: 'boolean', default: false },
      'health-delay': { type: 'string', default: '0' },
      keep: { type: 'boolean', default: false },
    },
  });
  const builds = (values.build ?? ['convoy=.']).map((b) => {
    const [name, dir] = b.includes('=') ? (b.split('=', 2) as [string, string]) : ['convoy', b];
    if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) throw new Error(`--build ${b}: the name must be lowercase letters and digits`);
    const root = path.resolve(dir);
    if (!fs.existsSync(path.join(root, 'dist', 'agent', 'main.js')))
      throw new Error(`--build ${b}: ${root}/dist is missing: npm run build there`);
    return { name, root };
  });
  return {
    sizes: values.sizes.split(',').map(Number),
    runs: Number(values.runs),
    builds,
    ansible: !values['no-ansible'] && ansibleVersion() !== undefined,
    healthDelayMs: Number(values['health-delay']),
    keep: values.keep,
  };
}

/** One system under test: how to reset its hosts and run one update of them. */
interface System {
  name: string;
  hosts: BenchHost[];
  run(): Promise<number>;
  walls: number[];
  views: RolloutView[];
  stop?(): Promise<void>;
}

function fleetOf(root: string, prefix: string, n: number, port: number): BenchHost[] {
  return Array.from({ length: n }, (_, i) => createHost(root, `${prefix}-${String(i).padStart(2, '0')}`, port));
}

async function systemsFor(opts: Options, root: string, n: number, servicePort: number): Promise<System[]> {
  const systems: System[] = [];
  const floorHosts = fleetOf(root, 'floor', n, servicePort);
  const script = writeFloorScript(root, floorHosts);
  systems.push({ name: 'floor', hosts: floorHosts, run: () => runFloor(script), walls: [], views: [] });
  if (opts.ansible) {
    const hosts = fleetOf(root, 'ansible', n, servicePort);
    const files = writeAnsibleFiles(root, hosts);
    systems.push({ name: 'ansible', hosts, run: () => runAnsible(files), walls: [], views: [] });
  }
  for (const build of opts.builds) {
    const hosts = fleetOf(root, build.name, n, servicePort);
    const fleet = await ConvoyFleet.start({
      build,
      dir: path.join(root, `convoy-${build.name}`),
      hosts,
      grpcPort: await freePort(),
      httpPort: await freePort(),
    });
    const system: System = {
      name: build.name,
      hosts,
      walls: [],
      views: [],
      run: async () => {
        const { wallMs, view } = await fleet.rollout();
        system.views.push(view);
        return wallMs;
      },
      stop: () => fleet.stop(),
    };
    systems.push(system);
  }
  return systems;
}

async function benchSize(opts: Options, n: number): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `convoy-bench-overhead-${n}-`));
  const servicePort = await freePort();
  const service = await startServiceHost(root, servicePort, opts.healthDelayMs);
  let systems: System[] = [];
  try {
    systems = await systemsFor(opts, root, n, servicePort);
    console.log(`\nN = ${n} (${n * STEPS_PER_HOST} host-steps), ${opts.runs} runs; load average before: ${loadAverage()}`);
    for (let run = 0; run < opts.runs; run++) {
      // a different system goes first in each run, so none always runs right after setup
      const order = systems.map((_, i) => systems[(i + run) % systems.length]!);
      for (const sys of order) {
        for (const h of sys.hosts) resetHost(h);
        const wall = await sys.run();
        sys.walls.push(wall);
        console.log(`  run ${run + 1} ${sys.name.padEnd(8)} ${s(wall)}   (load ${loadAverage()})`);
      }
    }
    report(systems, n, opts);
  } finally {
    for (const sys of systems) await sys.stop?.();
    service.kill('SIGTERM');
    if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
    else console.log(`  kept ${root}`);
  }
}

function report(systems: System[], n: number, opts: Options): void {
  const floor = systems[0]!;
  const hostSteps = n * STEPS_PER_HOST;
  console.log(`\n  results, N = ${n} (medians of ${opts.runs}; load average after: ${loadAverage()})`);
  for (const sys of systems) {
    const diffs = sys.walls.map((w, i) => w - floor.walls[i]!);
    const line = `  ${sys.name.padEnd(8)} wall ${s(median(sys.walls))} (${sys.walls.map(s).join(', ')})`;
    if (sys === floor) console.log(line);
    else console.log(`${line}; overhead ${ms(median(diffs) / hostSteps)} per host-step`);
    const last = sys.views.at(-1);
    if (last) {
      for (const l of formatBreakdown(breakdown(last))) console.log(l);
      // the hosts are as the last run left them: its service start times are on disk
      if (opts.healthDelayMs > 0) for (const l of healthLatency(sys.hosts, last, opts.healthDelayMs)) console.log(l);
    }
  }
}

async function main(): Promise<void> {
  const opts = options();
  console.log(`bench:overhead — ${machine()}`);
  console.log(
    `builds: ${opts.builds.map((b) => `${b.name}=${b.root}`).join(', ')}; ansible: ${opts.ansible ? ansibleVersion() : 'not run'}`,
  );
  if (opts.healthDelayMs) console.log(`services turn healthy ${opts.healthDelayMs} ms after up`);
  for (const n of opts.sizes) await benchSize(opts, n);
}

await main();
