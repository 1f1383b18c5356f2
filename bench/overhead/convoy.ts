/**
 * Convoy as the benchmark runs it: one built tree (this checkout's dist/, or another build
 * given with --build name=dir) started as real processes — convoyd and one convoy-agent per
 * host, plaintext gRPC on 127.0.0.1 — and a linked rollout started and followed through
 * convoyd's control API (the CLI's own client, in this process, so the CLI's start-up is not
 * counted here: bench:cli measures it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { GrpcControlClient } from '../../coordinator/cli/client.js';
import type { RolloutView } from '../../coordinator/cli/views.js';
import { BACKUP_COMMAND, makeEnv, TO_VERSION, type BenchHost } from './fleet-files.js';

/** A build of Convoy to run: its root holds bin/ and dist/. */
export interface ConvoyBuild {
  name: string;
  root: string;
}

export interface ConvoyFleetOptions {
  build: ConvoyBuild;
  dir: string;
  hosts: BenchHost[];
  grpcPort: number;
  httpPort: number;
  /** agent.yaml additions (health interval, an extra step), merged per key. */
  agentExtra?: Record<string, unknown>;
}

/** A running convoyd and its agents. */
export class ConvoyFleet {
  private readonly children: ChildProcess[] = [];
  readonly client: GrpcControlClient;
  private constructor(private readonly opts: ConvoyFleetOptions) {
    this.client = new GrpcControlClient({ address: `127.0.0.1:${opts.grpcPort}`, actor: 'bench@localhost' });
  }

  /** Writes the configs, starts convoyd and the agents, and waits until every agent is connected. */
  static async start(opts: ConvoyFleetOptions): Promise<ConvoyFleet> {
    const fleet = new ConvoyFleet(opts);
    try {
      await fleet.startAll();
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  /** The port convoyd's gRPC API listens on (plaintext, 127.0.0.1). */
  get grpcPort(): number {
    return this.opts.grpcPort;
  }

  /** The pids of the agents, in host order. */
  agentPids(): number[] {
    return this.children.slice(1).map((c) => c.pid ?? 0);
  }

  private async startAll(): Promise<void> {
    const { dir, hosts, grpcPort, httpPort, build } = this.opts;
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    const coordinatorFile = path.join(dir, 'coordinator.yaml');
    fs.writeFileSync(
      coordinatorFile,
      YAML.stringify({
        listen: `127.0.0.1:${grpcPort}`,
        http: `127.0.0.1:${httpPort}`,
        stateFile: path.join(dir, 'state.db'),
        insecure: true,
        clusters: [{ name: 'bench', authServer: hosts[0]!.name, members: hosts.map((h) => h.name), maxParallel: 1 }],
      }),
    );
    const convoyd = this.spawn('convoyd', path.join(build.root, 'bin', 'convoyd.js'), coordinatorFile);
    await waitForLine(convoyd, path.join(dir, 'logs', 'convoyd.log'), 'convoyd listening');
    for (const h of hosts) this.spawn(`agent-${h.name}`, path.join(build.root, 'bin', 'convoy-agent.js'), this.writeAgentConfig(h));
    await this.waitConnected();
  }

  private writeAgentConfig(h: BenchHost): string {
    const file = path.join(this.opts.dir, 'agents', `${h.name}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const extra = this.opts.agentExtra ?? {};
    const doc = {
      id: h.name,
      coordinator: { address: `127.0.0.1:${this.opts.grpcPort}`, insecure: true },
      repo: h.repo,
      serverDir: h.serverDir,
      stateDir: path.join(this.opts.dir, 'agents', h.name),
      health: { url: h.healthUrl, versionField: 'version', ...(extra.health as object) },
      backup: { archiveGlob: 'backups/*.tar.gz' },
      steps: {
        backup: { command: BACKUP_COMMAND },
        'release-notes': { enabled: false },
        ...(extra.steps as object),
      },
    };
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
  }

  private spawn(name: string, program: string, config: string): ChildProcess {
    const log = fs.openSync(path.join(this.opts.dir, 'logs', `${name}.log`), 'a');
    // CONVOY_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the daemons (not allowed in NODE_OPTIONS)
    const nodeArgs = (process.env.CONVOY_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const child = spawn(process.execPath, [...nodeArgs, program, '--config', config], {
      stdio: ['ignore', log, log],
      env: { ...makeEnv(), NO_COLOR: '1' },
    });
    fs.closeSync(log);
    this.children.push(child);
    return child;
  }

  private async waitConnected(): Promise<void> {
    const want = new Set(this.opts.hosts.map((h) => h.name));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const agents = await this.client.listAgents().catch(() => []);
      if (agents.filter((a) => a.connected && want.has(a.id) && a.repo).length === want.size) return;
      if (Date.now() > deadline) throw new Error(`agents did not connect within 60s (see ${this.opts.dir}/logs)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Starts a rollout of the whole cluster to TO_VERSION and follows it to its end. */
  async rollout(): Promise<{ wallMs: number; view: RolloutView }> {
    const started = performance.now();
    const first = await this.client.startRollout({
      cluster: 'bench',
      host: '',
      targetVersion: TO_VERSION,
      ackReleaseNotes: true,
    });
    let view = first;
    for await (const v of this.client.watchRollout(first.id)) {
      view = v;
      if (['succeeded', 'failed', 'aborted'].includes(v.state)) break;
    }
    const wallMs = performance.now() - started;
    if (view.state !== 'succeeded') throw new Error(`rollout ${view.id} ${view.state}: ${view.reason}`);
    return { wallMs, view: await this.client.getRollout(view.id) };
  }

  async stop(): Promise<void> {
    this.client.close();
    await Promise.all(this.children.reverse().map((c) => stopChild(c)));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits until `text` appears in the log file the child writes, or the child exits. */
async function waitForLine(child: ChildProcess, log: string, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes(text)) return;
    if (child.exitCode !== null) throw new Error(`${log}: the process exited: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${log}: no "${text}" within 30s`);
}
