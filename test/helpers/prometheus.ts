/**
 * A real Prometheus (the Debian package `prometheus`) for end-to-end tests: started as a
 * process with a generated config on an ephemeral 127.0.0.1 port, a temp storage dir and a 1s
 * scrape/evaluation interval, and queried over its HTTP API.
 *
 *   const prom = await startPrometheus({
 *     dir: sandbox.dir,                                   // files go to <dir>/prometheus/
 *     targets: [{ job: 'convoyd', url: fleet.metricsUrl }],
 *     ruleFiles: [rulesFile],                             // optional, absolute paths
 *   });
 *   await prom.waitForTargetsUp();
 *   const samples = await prom.query('convoy_agents_connected');   // [{ metric, value }]
 *   const series = await prom.queryRange('convoy_agent_up', startMs, Date.now());
 *   await prom.waitForAlert('ConvoyVersionSkew', 'firing', { labels: { cluster: 'hoss' } });
 *   const groups = await prom.rules();                     // /api/v1/rules
 *
 * The process is stopped (SIGTERM, then SIGKILL) by the sandbox's cleanup after each test;
 * `prom.stop()` stops it earlier. Nothing is skipped: when `prometheus` is not installed,
 * startPrometheus throws an error saying how to install it (`.ci/run` installs it).
 * Rule-file and dashboard helpers (test copies of shipped rules, a dashboard's PromQL) are in
 * prometheus-files.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { onCleanup } from './cleanup.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './processes.js';
import { GiveUpError, waitFor } from './wait.js';

/** One scrape target: `url` is the full metrics URL (http://127.0.0.1:port/metrics). */
export interface ScrapeTarget {
  job: string;
  url: string;
  /** Extra target labels. */
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  /** The test's sandbox dir; config, storage and the log go under <dir>/prometheus/ (prometheus-2/ for a second one). */
  dir: string;
  targets?: ScrapeTarget[];
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** Prometheus durations (default "1s"). */
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** How long to wait for /-/ready (default 60000: the machine may be busy). */
  startTimeoutMs?: number;
}

/** One element of an instant vector (a scalar comes back as one sample with an empty metric). */
export interface PromSample {
  metric: Record<string, string>;
  /** The sample value as a number (NaN and ±Inf included). */
  value: number;
}

/** One series of a range query: [time in ms, value] points. */
export interface PromSeries {
  metric: Record<string, string>;
  values: Array<[atMs: number, value: number]>;
}

/** One alert of /api/v1/alerts. */
export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/** One rule of /api/v1/rules (alerting or recording). */
export interface PromRule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  /** RFC 3339 time of the rule's last evaluation. */
  lastEvaluation?: string;
  state?: 'inactive' | 'pending' | 'firing';
  duration?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  alerts?: PromAlert[];
}

export interface PromRuleGroup {
  name: string;
  file: string;
  lastEvaluation?: string;
  rules: PromRule[];
}

/** One active target of /api/v1/targets. */
export interface PromTarget {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
  labels: Record<string, string>;
}

/** A query Prometheus refused (bad PromQL) or could not run; `errorType` is Prometheus' own. */
export class PromQueryError extends Error {
  override name = 'PromQueryError';
  constructor(
    readonly expr: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`prometheus refused ${JSON.stringify(expr)}: ${errorType}: ${message}`);
  }
}

const INSTALL_HINT = 'install the Debian package: sudo apt-get install -y prometheus (.ci/run installs it when missing)';

/** Absolute path of `name` on PATH; throws with the install command when it is missing. */
export function findPrometheusTool(name: 'prometheus' | 'promtool'): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed (not found on PATH); ${INSTALL_HINT}`);
}

/** The prometheus.yml the test server runs with. */
export function prometheusConfig(opts: PrometheusOptions): Record<string, unknown> {
  return {
    // scrape_timeout defaults to the interval when that is shorter than 10s
    global: { scrape_interval: opts.scrapeInterval ?? '1s', evaluation_interval: opts.evaluationInterval ?? '1s' },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: (opts.targets ?? []).map((t) => {
      const u = new URL(t.url);
      return {
        job_name: t.job,
        scheme: u.protocol.replace(':', ''),
        metrics_path: u.pathname || '/metrics',
        static_configs: [{ targets: [u.host], labels: t.labels ?? {} }],
      };
    }),
  };
}

/** <dir>/prometheus, or prometheus-2, -3… when a test runs more than one. */
function freshDir(dir: string): string {
  for (let n = 1; ; n++) {
    const home = path.join(dir, n === 1 ? 'prometheus' : `prometheus-${n}`);
    if (!fs.existsSync(home)) return home;
  }
}

/** Starts Prometheus and resolves once it answers /-/ready. */
export async function startPrometheus(opts: PrometheusOptions): Promise<Prometheus> {
  const binary = findPrometheusTool('prometheus');
  const home = freshDir(opts.dir);
  fs.mkdirSync(path.join(home, 'data'), { recursive: true });
  const configFile = path.join(home, 'prometheus.yml');
  fs.writeFileSync(configFile, YAML.stringify(prometheusConfig(opts)));
  const port = await freePort();
  const proc = startProcess(
    'prometheus',
    binary,
    [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${path.join(home, 'data')}`,
      // /-/reload lets a test swap rule files without a restart
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { cwd: home, logFile: path.join(home, 'prometheus.log') },
  );
  const prom = new Prometheus(`http://127.0.0.1:${port}`, proc, configFile);
  const forget = onCleanup('prometheus', () => prom.stop());
  prom.onStop(forget);
  try {
    await waitFor(
      async () => {
        if (proc.hasExited()) throw new GiveUpError(`prometheus exited with ${proc.exitCode}:\n${proc.tail()}`);
        const res = await fetch(`${prom.url}/-/ready`, { signal: AbortSignal.timeout(2000) });
        return res.ok;
      },
      {
        what: `prometheus to be ready on ${prom.url}`,
        timeoutMs: opts.startTimeoutMs ?? 60_000,
        intervalMs: 100,
        describe: () => proc.tail(),
      },
    );
  } catch (err) {
    await prom.stop();
    throw err;
  }
  return prom;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

/** A running Prometheus and its HTTP API. */
export class Prometheus {
  private readonly stopHooks: Array<() => void> = [];

  constructor(
    /** http://127.0.0.1:<port> */
    readonly url: string,
    readonly process: ManagedProcess,
    readonly configFile: string,
  ) {}

  /** Instant query (now, or at `atMs`); throws PromQueryError when Prometheus refuses it. */
  async query(expr: string, atMs?: number): Promise<PromSample[]> {
    const params = new URLSearchParams({ query: expr });
    if (atMs !== undefined) params.set('time', String(atMs / 1000));
    const data = await this.api<{ resultType: string; result: unknown }>('/api/v1/query', params, expr);
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      const [, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v) }];
    }
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
      metric: s.metric,
      value: Number(s.value[1]),
    }));
  }

  /** Range query from `startMs` to `endMs` (one point per `stepS` seconds); the series that had any point. */
  async queryRange(expr: string, startMs: number, endMs: number, stepS = 1): Promise<PromSeries[]> {
    const params = new URLSearchParams({ query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepS) });
    const data = await this.api<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
      '/api/v1/query_range',
      params,
      expr,
    );
    return data.result.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [t * 1000, Number(v)] as [number, number]) }));
  }

  /** Active alerts (pending and firing). */
  async alerts(): Promise<PromAlert[]> {
    return (await this.api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
  }

  /** Loaded rule groups with each rule's health, last error and state. */
  async rules(): Promise<PromRuleGroup[]> {
    return (await this.api<{ groups: PromRuleGroup[] }>('/api/v1/rules')).groups;
  }

  async targets(): Promise<PromTarget[]> {
    return (await this.api<{ activeTargets: PromTarget[] }>('/api/v1/targets')).activeTargets;
  }

  /** Resolves once every configured target has been scraped successfully. */
  async waitForTargetsUp(timeoutMs = 30_000): Promise<PromTarget[]> {
    let last: PromTarget[] = [];
    return waitFor(
      async () => {
        last = await this.targets();
        return last.length > 0 && last.every((t) => t.health === 'up') ? last : undefined;
      },
      {
        what: 'every prometheus target to be up',
        timeoutMs,
        intervalMs: 200,
        describe: () => JSON.stringify(last.map((t) => [t.scrapeUrl, t.health, t.lastError])),
      },
    );
  }

  /** Polls `expr` until `accept(samples)` is true (default: any sample); returns the samples. */
  async waitForQuery(
    expr: string,
    opts: { what?: string; timeoutMs?: number; accept?: (samples: PromSample[]) => boolean } = {},
  ): Promise<PromSample[]> {
    const accept = opts.accept ?? ((s: PromSample[]) => s.length > 0);
    let last: PromSample[] = [];
    return waitFor(
      async () => {
        try {
          last = await this.query(expr);
        } catch (err) {
          if (err instanceof PromQueryError && err.errorType === 'bad_data') throw new GiveUpError(err.message);
          throw err;
        }
        return accept(last) ? last : undefined;
      },
      {
        what: opts.what ?? `prometheus: ${expr}`,
        timeoutMs: opts.timeoutMs ?? 60_000,
        intervalMs: 250,
        describe: () => JSON.stringify(last),
      },
    );
  }

  /**
   * Waits until alert `name` (with `labels` among its labels) is in `state`; 'inactive' means
   * no such alert is pending or firing. Returns the matching alerts.
   */
  async waitForAlert(
    name: string,
    state: 'pending' | 'firing' | 'inactive',
    opts: { labels?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<PromAlert[]> {
    let last: PromAlert[] = [];
    const matches = (a: PromAlert): boolean =>
      a.labels.alertname === name && Object.entries(opts.labels ?? {}).every(([k, v]) => a.labels[k] === v);
    await waitFor(
      async () => {
        last = (await this.alerts()).filter(matches);
        if (state === 'inactive') return last.length === 0;
        return last.some((a) => a.state === state);
      },
      {
        what: `alert ${name}${opts.labels ? ` ${JSON.stringify(opts.labels)}` : ''} to be ${state}`,
        timeoutMs: opts.timeoutMs ?? 60_000,
        intervalMs: 250,
        describe: () => `matching alerts: ${JSON.stringify(last)}`,
      },
    );
    return last;
  }

  /** Re-reads the config and rule files (POST /-/reload). */
  async reload(): Promise<void> {
    const res = await fetch(`${this.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`prometheus reload failed: ${res.status} ${await res.text()}`);
  }

  /** Graceful stop; safe to call twice. */
  async stop(): Promise<void> {
    await this.process.stop();
    for (const hook of this.stopHooks.splice(0)) hook();
  }

  /** @internal Called after stop (unregisters the sandbox cleanup). */
  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  private async api<T>(route: string, params?: URLSearchParams, expr = ''): Promise<T> {
    const res = await fetch(`${this.url}${route}${params ? `?${params.toString()}` : ''}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as ApiAnswer<T>;
    if (body.status !== 'success') throw new PromQueryError(expr || route, body.errorType ?? `http ${res.status}`, body.error ?? '');
    return body.data;
  }
}
