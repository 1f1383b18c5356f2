/**
 * The real convoyd of the scale benchmark: its coordinator.yaml, the compiled program started
 * as a process (npm run build first), what the kernel says it costs (CPU time and RSS from
 * /proc), its /metrics, and the real `convoy` CLI run against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { BENCH_OPERATOR, type BenchTlsFiles } from './certs.js';

/** This repository: its build is the one measured unless --build names another (e.g. an older commit's). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ConvoydOptions {
  dir: string;
  port: number;
  httpPort: number;
  tls?: BenchTlsFiles;
  clusters: { name: string; authServer: string; members: string[] }[];
}

/** The coordinator.yaml the benchmark runs convoyd with. */
export function writeConfig(o: ConvoydOptions): string {
  const file = path.join(o.dir, 'coordinator.yaml');
  const config = {
    listen: `127.0.0.1:${o.port}`,
    http: `127.0.0.1:${o.httpPort}`,
    stateFile: path.join(o.dir, 'state.db'),
    ...(o.tls ? { tls: { ca: o.tls.ca, cert: o.tls.coordinator.cert, key: o.tls.coordinator.key } } : { insecure: true }),
    operators: [{ name: BENCH_OPERATOR, role: 'operator' }],
    clusters: o.clusters.map((c) => ({ name: c.name, authServer: c.authServer, members: c.members })),
  };
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

/** A running convoyd: its pid, its log, and how to stop it. */
export class Convoyd {
  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Starts bin/convoyd.js and resolves once it logged that it listens. */
  static async start(build: string, configFile: string, logFile: string): Promise<Convoyd> {
    const child = spawn(process.execPath, [path.join(build, 'bin/convoyd.js'), '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONVOY_LOG_LEVEL: process.env.CONVOY_LOG_LEVEL ?? 'info' },
    });
    const log = fs.createWriteStream(logFile);
    child.stdout.pipe(log);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer): void => {
        log.write(chunk);
        seen = (seen + chunk.toString()).slice(-4096);
        if (!seen.includes('convoyd listening')) return;
        child.stderr.off('data', onData);
        child.stderr.pipe(log);
        resolve();
      };
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`convoyd exited with ${code} before listening; see ${logFile}`)));
    });
    return new Convoyd(child, logFile);
  }

  /** CPU seconds used so far (user + system) and resident memory in bytes, from /proc. */
  usage(): { cpuSeconds: number; rssBytes: number } {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSeconds, rssBytes: rssKb * 1024 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** GET /metrics (or another path): the body and how long it took. */
export function scrape(httpPort: number, urlPath = '/metrics'): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: httpPort, path: urlPath, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ms: performance.now() - started, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('GET /metrics timed out')));
    req.on('error', reject);
  });
}

/** The value of an unlabelled sample (or the first sample of a family), NaN when absent. */
export function sampleValue(body: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(body);
  return m ? Number(m[1]) : NaN;
}

/** Buckets of a histogram: upper bound -> cumulative count. */
export function histogramBuckets(body: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of body.matchAll(re)) out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return out;
}

/** Runs the real CLI against convoyd; resolves with its wall time, exit code and output. */
export function runCli(
  args: string[],
  conn: { build: string; port: number; tls?: BenchTlsFiles },
): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  const tlsArgs = conn.tls ? ['--ca', conn.tls.ca, '--cert', conn.tls.operator.cert, '--key', conn.tls.operator.key] : [];
  const host = conn.tls ? 'localhost' : '127.0.0.1';
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(conn.build, 'bin/convoy.js'), '--coordinator', `${host}:${conn.port}`, ...tlsArgs, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr })));
}
