/**
 * Prometheus metrics of convoyd (docs/metrics.md). The only importer of prom-client.
 *
 * Two kinds of families:
 * - fleet and rollout state (gauges) is computed when Prometheus scrapes, from the Fleet and
 *   the controller, so nothing has to be kept in step and 1,000 agents cost one pass per scrape;
 * - what happened (counters, the step histogram) is counted by observing every persisted
 *   rollout change (RolloutObserver): a start, a finish, a host reaching a final state, a
 *   step attempt ending.
 *
 * Labels stay bounded: agent, cluster, role, phase, state, step and result; certificates add
 * subject and fingerprint (one series per agent, operator and convoyd's own files). Versions
 * appear only on convoy_agent_info; rollout ids never do.
 */
import { isHealthy } from '../shared/health.js';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../shared/clock.js';
import type { ClusterConfig } from './config.js';
import type { AgentRecord } from './fleet/registry.js';
import { type HostRun, type HostState, type Rollout, TERMINAL_STATES, isTerminal } from './rollout/model.js';
import type { RolloutObserver } from './rollout/controller.js';
import type { TlsRefusalCounter } from './rpc/listener.js';
import { TLS_REFUSAL_KINDS, type TlsRefusalKind } from './rpc/tls-reasons.js';
import { OUTPUT_DROP_REASONS, type OutputCounters, type OutputDropReason } from './logs/output-limits.js';
import type { LoopDelaySink } from './loop-delay.js';

/** One maintenance-window schedule as the scheduler sees it; nextStartMs 0 when none is planned (disabled). */
export interface ScheduleWindow {
  name: string;
  cluster: string;
  nextStartMs: number;
}

/** Where the next window starts come from (the scheduler, coordinator/schedule/). */
export type ScheduleSource = () => readonly ScheduleWindow[];

/** One certificate convoyd knows, for convoy_certificate_expiry_timestamp_seconds. */
export interface CertificateSample {
  role: 'coordinator' | 'ca' | 'agent' | 'operator';
  subject: string;
  fingerprint: string;
  notAfterMs: number;
}

/** Where the certificates come from (convoyd's own files, the fleet's agents, the operators seen). */
export type CertificateSource = () => readonly CertificateSample[];

/** What the metrics read at scrape time. */
export interface MetricsSources {
  fleet: { list(): AgentRecord[] };
  rollouts: { activeRollouts(): Rollout[] };
  /** The configured clusters; the same array while the config is unchanged (the membership index is cached on it). */
  clusters: () => readonly ClusterConfig[];
  clock: Clock;
}

export interface MetricsOptions {
  /** A fresh registry per test; convoyd uses its own. */
  registry?: Registry;
  /** process_* and nodejs_* families (convoyd and the benchmark: true; unit tests: false). */
  defaultMetrics?: boolean;
}

/** Host states in which a host's part of a rollout is over. */
const FINAL_HOST_STATES: readonly HostState[] = ['updated', 'failed', 'rolled-back', 'skipped'];
/** Seconds: steps take from under a second (health of a fast service) to hours (a build). */
const STEP_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
/** Seconds: a healthy loop answers within milliseconds; agents' keepalive gives up after ten seconds. */
const LOOP_DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A step name an agent reported that does not look like one is counted as "other" (label sets stay bounded). */
const STEP_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** One series of a scrape-time gauge. */
interface Sample {
  labels: Record<string, string>;
  value: number;
}

type Membership = Map<string, { cluster: string; role: 'auth' | 'member' }>;

/** convoyd's metric families, registered into one registry. */
export class Metrics implements RolloutObserver, TlsRefusalCounter, OutputCounters, LoopDelaySink {
  readonly registry: Registry;
  private scheduleSource: ScheduleSource = () => [];
  private certificateSource: CertificateSource = () => [];
  private membership: { of: readonly ClusterConfig[]; index: Membership } | undefined;
  private readonly startedTotal: Counter<'cluster'>;
  private readonly finishedTotal: Counter<'cluster' | 'result'>;
  private readonly hostUpdatesTotal: Counter<'cluster' | 'result'>;
  private readonly stepDuration: Histogram<'step' | 'result'>;
  private readonly tlsRefusedTotal: Counter<'reason'>;
  private readonly outputDroppedTotal: Counter<'reason'>;
  private readonly loopDelaySeconds: Histogram;
  private storedOutputBytes: () => number = () => 0;

  constructor(
    private readonly sources: MetricsSources,
    opts: MetricsOptions = {},
  ) {
    this.registry = opts.registry ?? new Registry();
    const registers = [this.registry];
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.startedTotal = new Counter({
      name: 'convoy_rollouts_started_total',
      help: 'Rollouts started.',
      labelNames: ['cluster'],
      registers,
    });
    this.finishedTotal = new Counter({
      name: 'convoy_rollouts_finished_total',
      help: 'Rollouts finished, by result (succeeded, failed, aborted).',
      labelNames: ['cluster', 'result'],
      registers,
    });
    this.hostUpdatesTotal = new Counter({
      name: 'convoy_host_updates_total',
      help: 'Hosts whose part of a rollout ended, by result (updated, failed, rolled-back, skipped).',
      labelNames: ['cluster', 'result'],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'convoy_step_duration_seconds',
      help: 'Duration of finished step attempts, by step and result.',
      labelNames: ['step', 'result'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.tlsRefusedTotal = new Counter({
      name: 'convoy_tls_refused_total',
      help: 'TLS connections refused, by reason: certificate, revoked, plaintext, timeout, reset, handshake, no-h2.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of TLS_REFUSAL_KINDS) this.tlsRefusedTotal.inc({ reason }, 0);
    this.outputDroppedTotal = new Counter({
      name: 'convoy_step_output_dropped_lines_total',
      help: 'Lines of step output not stored, by reason: unknown-request, run-limit, rollout-limit, agent-rate, total-limit.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of OUTPUT_DROP_REASONS) this.outputDroppedTotal.inc({ reason }, 0);
    this.loopDelaySeconds = new Histogram({
      name: 'convoy_event_loop_delay_seconds',
      help: "How late convoyd's event loop ran: timer lateness sampled every 10 ms, a long stall counted for every tick it held up.",
      buckets: LOOP_DELAY_BUCKETS,
      registers,
    });
    this.scrapeTimeGauge(
      'convoy_step_output_stored_bytes',
      'Bytes of step output convoyd stores (bounded by retention.maxLogSize).',
      () => [{ labels: {}, value: this.storedOutputBytes() }],
    );
    this.scrapeTimeGauge(
      'convoy_certificate_expiry_timestamp_seconds',
      "When each certificate convoyd knows expires: its own (role coordinator) and its CA's (ca), and the client certificate of each agent and operator at its last connection.",
      () => certificateSamples(this.certificateSource()),
    );
    this.zeroCounters();
    this.registerFleetGauges();
    this.registerRolloutGauges();
  }

  /** Wires the scheduler: `fn` is called at each scrape. */
  setScheduleSource(fn: ScheduleSource): void {
    this.scheduleSource = fn;
  }

  /** Wires the certificates whose expiry is exported: `fn` is called at each scrape. */
  setCertificateSource(fn: CertificateSource): void {
    this.certificateSource = fn;
  }

  /**
   * The exposition text and its content type, for GET /metrics: every family, or those named
   * (`/metrics?name=…`, unknown names skipped). One family at a time, letting the event loop
   * run in between: with thousands of agents a scrape is tens of milliseconds of work that
   * would otherwise hold every agent's messages for that long.
   */
  async scrape(names?: readonly string[]): Promise<{ contentType: string; body: string }> {
    const families = names
      ? [...new Set(names)].filter((n) => this.registry.getSingleMetric(n))
      : this.registry.getMetricsAsArray().map((m) => m.name);
    const parts: string[] = [];
    for (const name of families) {
      parts.push(await this.registry.getSingleMetricAsString(name));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { contentType: this.registry.contentType, body: parts.length ? `${parts.join('\n\n')}\n` : '' };
  }

  /** LoopDelaySink: one sample of the event loop's delay. */
  loopDelay(seconds: number): void {
    this.loopDelaySeconds.observe(seconds);
  }

  /** OutputCounters: lines of step output the gate did not store. */
  outputDropped(reason: OutputDropReason, lines: number): void {
    this.outputDroppedTotal.inc({ reason }, lines);
  }

  /** Wires the size of stored step output (retention), read at each scrape. */
  setStoredOutputSource(fn: () => number): void {
    this.storedOutputBytes = fn;
  }

  /** TlsRefusalCounter: one refused TLS connection (handshake, certificate or reset). */
  tlsRefused(kind: TlsRefusalKind): void {
    this.tlsRefusedTotal.inc({ reason: kind });
  }

  /** RolloutObserver: counts starts, finishes, host results and step durations. */
  rolloutChanged(prev: Rollout | undefined, next: Rollout): void {
    const cluster = this.clusterOfRollout(next);
    if (!prev) this.startedTotal.inc({ cluster });
    // a rollout reopened by a rollback by hand ends again: it is counted once, when it first ended
    const firstEnd = (next.timesEnded ?? 1) <= 1;
    if (isTerminal(next.state) && (!prev || !isTerminal(prev.state)) && firstEnd) this.finishedTotal.inc({ cluster, result: next.state });
    // one pass over each host list: a search per host made every commit of a 1,000-host rollout a million comparisons
    const earlier = new Map(prev?.hosts.map((h) => [h.agentId, h]));
    for (const host of next.hosts) {
      const before = earlier.get(host.agentId);
      if (before === host) continue; // unchanged (shared by both versions)
      if (host.state !== before?.state && FINAL_HOST_STATES.includes(host.state))
        this.hostUpdatesTotal.inc({ cluster, result: host.state });
      this.observeFinishedRuns(before, host);
    }
  }

  private observeFinishedRuns(before: HostRun | undefined, host: HostRun): void {
    for (const run of host.runs) {
      if (run.outcome === 'running' || !run.finishedAtMs || !run.startedAtMs) continue;
      const earlier = before?.runs.find((r) => r.requestId === run.requestId);
      if (earlier && earlier.outcome !== 'running') continue; // counted when it finished
      const step = STEP_NAME.test(run.step) ? run.step : 'other';
      this.stepDuration.observe({ step, result: run.outcome }, Math.max(0, run.finishedAtMs - run.startedAtMs) / 1000);
    }
  }

  /**
   * Series at 0 for every configured cluster, so `increase()` sees the first failure: a counter
   * series born at 1 has no earlier sample and its increase reads as 0.
   */
  private zeroCounters(): void {
    for (const c of this.sources.clusters()) {
      this.startedTotal.inc({ cluster: c.name }, 0);
      for (const result of TERMINAL_STATES) this.finishedTotal.inc({ cluster: c.name, result }, 0);
      for (const result of FINAL_HOST_STATES) this.hostUpdatesTotal.inc({ cluster: c.name, result }, 0);
    }
  }

  private registerFleetGauges(): void {
    const sources = this.sources;
    const perAgent = (name: string, help: string, value: (a: AgentRecord, now: number) => number | undefined): void =>
      this.scrapeTimeGauge(name, help, () => {
        const now = sources.clock.now();
        const samples: Sample[] = [];
        for (const a of sources.fleet.list()) {
          const v = value(a, now);
          if (v !== undefined) samples.push({ labels: { agent: a.id, cluster: this.memberOf(a.id).cluster }, value: v });
        }
        return samples;
      });
    this.countGauge(
      'convoy_agents_connected',
      'Agents with a live stream to this coordinator.',
      (list) => list.filter((a) => a.connected).length,
    );
    this.countGauge('convoy_agents_registered', 'Agents this coordinator knows (connected or not).', (list) => list.length);
    perAgent('convoy_agent_up', '1 while the agent is connected, 0 when it is not.', (a) => (a.connected ? 1 : 0));
    perAgent(
      'convoy_agent_server_healthy',
      "1 when the agent's last health check of its server passed (or it has none), 0 when it failed; absent while the agent is disconnected (unknown).",
      (a) => (!a.connected ? undefined : isHealthy(a.health) ? 1 : 0),
    );
    perAgent('convoy_agent_last_backup_timestamp_seconds', 'When the newest backup in the agent catalogue was taken.', (a) => {
      const newest = a.backups.reduce((max, b) => Math.max(max, b.createdAtMs), 0);
      return newest > 0 ? newest / 1000 : undefined;
    });
    perAgent(
      'convoy_agent_heartbeat_age_seconds',
      'Seconds since the coordinator last heard from the agent.',
      (a, now) => Math.max(0, now - a.lastSeenMs) / 1000,
    );
    this.scrapeTimeGauge(
      'convoy_agent_info',
      'Always 1: the version each agent has checked out (version), the one its service reports (served: "" when unknown or disconnected), its cluster and its role (auth, member, none).',
      () =>
        sources.fleet.list().map((a) => {
          const m = this.memberOf(a.id);
          const served = a.connected ? (a.health?.version ?? '') : '';
          return { labels: { agent: a.id, cluster: m.cluster, role: m.role, version: a.repo?.installedVersion ?? '', served }, value: 1 };
        }),
    );
  }

  /**
   * A gauge whose samples are computed when Prometheus scrapes. Built on prom-client's metric
   * interface rather than Gauge.set(), which hashes every label set: with 1,000 agents and five
   * per-agent families that hashing was a fifth of a scrape.
   */
  private scrapeTimeGauge(name: string, help: string, samples: () => Sample[]): void {
    const metric = {
      name,
      help,
      type: 'gauge',
      aggregator: 'sum',
      get: async () => ({ name, help, type: 'gauge', aggregator: 'sum', values: samples() }),
      reset: () => undefined,
    };
    this.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  private countGauge(name: string, help: string, count: (list: AgentRecord[]) => number): void {
    this.scrapeTimeGauge(name, help, () => [{ labels: {}, value: count(this.sources.fleet.list()) }]);
  }

  private registerRolloutGauges(): void {
    const active = (): Rollout[] => this.sources.rollouts.activeRollouts();
    this.scrapeTimeGauge(
      'convoy_rollouts_in_progress',
      'Unfinished rollouts (a failed rollout whose rollback runs included), by cluster, phase and state.',
      () => tally(active().map((r) => ({ cluster: this.clusterOfRollout(r), phase: r.phase, state: r.state }))),
    );
    this.scrapeTimeGauge(
      'convoy_rollout_last_progress_timestamp_seconds',
      'When the least recently progressing unfinished rollout of a cluster in a state last made progress.',
      () => {
        const oldest = new Map<string, Sample>();
        for (const r of active()) {
          const labels = { cluster: this.clusterOfRollout(r), state: r.state };
          const value = (r.progressAtMs || r.updatedAtMs || r.createdAtMs) / 1000;
          const key = `${labels.cluster}\n${labels.state}`;
          const seen = oldest.get(key);
          if (!seen || value < seen.value) oldest.set(key, { labels, value });
        }
        return [...oldest.values()];
      },
    );
    this.scrapeTimeGauge(
      'convoy_rollouts_awaiting_ack',
      'Rollouts waiting for an operator to acknowledge required release notes (convoy rollout ack).',
      () => {
        const waiting = active().filter((r) => r.state === 'awaiting-ack');
        const zeros = this.sources.clusters().map((c) => ({ cluster: c.name }));
        return tally(
          waiting.map((r) => ({ cluster: this.clusterOfRollout(r) })),
          zeros,
        );
      },
    );
    this.scrapeTimeGauge(
      'convoy_schedule_next_window_start_timestamp_seconds',
      'When the next maintenance window of each enabled schedule opens.',
      () =>
        this.scheduleSource()
          .filter((w) => w.nextStartMs > 0)
          .map((w) => ({ labels: { schedule: w.name, cluster: w.cluster }, value: w.nextStartMs / 1000 })),
    );
  }

  /** A host rollout is counted under its host's cluster, so "one rollout per cluster" views hold. */
  private clusterOfRollout(r: Rollout): string {
    if (r.cluster) return r.cluster;
    const first = r.hosts[0];
    return first ? this.memberOf(first.agentId).cluster : '';
  }

  private memberOf(agentId: string): { cluster: string; role: 'auth' | 'member' | 'none' } {
    return this.membershipIndex().get(agentId) ?? { cluster: '', role: 'none' };
  }

  /** agent id -> cluster and role, rebuilt only when the cluster list changes (a scrape of 1,000 agents stays one pass). */
  private membershipIndex(): Membership {
    const clusters = this.sources.clusters();
    if (this.membership?.of === clusters) return this.membership.index;
    const index: Membership = new Map();
    for (const c of clusters) for (const m of c.members) index.set(m, { cluster: c.name, role: m === c.authServer ? 'auth' : 'member' });
    this.membership = { of: clusters, index };
    return index;
  }
}

/** One series per certificate (a certificate listed twice, e.g. in a CA bundle, counts once). */
function certificateSamples(certs: readonly CertificateSample[]): Sample[] {
  const out = new Map<string, Sample>();
  for (const c of certs) {
    const labels = { role: c.role, subject: c.subject, fingerprint: c.fingerprint };
    out.set(JSON.stringify(labels), { labels, value: c.notAfterMs / 1000 });
  }
  return [...out.values()];
}

/** One sample per distinct label set, counting its occurrences; label sets in `zeros` are present at 0. */
function tally(occurrences: Array<Record<string, string>>, zeros: Array<Record<string, string>> = []): Sample[] {
  const out = new Map<string, Sample>();
  for (const labels of zeros) out.set(JSON.stringify(labels), { labels, value: 0 });
  for (const labels of occurrences) {
    const key = JSON.stringify(labels);
    const sample = out.get(key) ?? { labels, value: 0 };
    sample.value += 1;
    out.set(key, sample);
  }
  return [...out.values()];
}
