/**
 * Blocking on alerts: the AlertSource behind the engine's alert gate. Before a host starts the
 * engine asks for a fresh check; this source then queries Prometheus at once. While a rollout
 * is paused by alerts, queries are paced to the cluster's pollInterval, and this source keeps
 * polling by itself: the engine asks only until it holds an answer newer than its pause, so
 * without the poll a rollout paused on firing alerts (or reloaded paused after a restart)
 * would never learn that they cleared.
 */
import type { Clock } from '../../shared/clock.js';
import { ConfigError, messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { CoordinatorConfig } from '../config.js';
import type { AlertSource } from '../rollout/controller.js';
import type { AlertFacts } from '../rollout/engine.js';
import type { Rollout } from '../rollout/model.js';
import { type AlertAnswer, queryFiringAlerts } from './prometheus-query.js';
import { checkAlertsConfig, firingAlertsQuery, parseSelector } from './selector.js';

/** A cluster that gates on alerts, resolved. */
export interface GatedCluster {
  name: string;
  prometheus: string;
  /** The PromQL query (built from the validated selector). */
  query: string;
  pollIntervalMs: number;
  timeoutMs: number;
}

/** Asks Prometheus for a cluster's firing alerts; resolves, never rejects. */
export type AskPrometheus = (cluster: GatedCluster, signal: AbortSignal) => Promise<AlertAnswer>;

/** Where the source sees which rollouts are paused by alerts (the controller). */
export interface RolloutLister {
  activeRollouts(): Rollout[];
}

export interface PrometheusAlertSourceOptions {
  clusters: GatedCluster[];
  clock: Clock;
  logger: Logger;
  ask?: AskPrometheus;
}

interface ClusterState {
  facts?: AlertFacts;
  /** When the last query started (a query's answer is as old as its start). */
  askedAtMs: number;
  inflight?: Promise<void>;
}

const askHttp: AskPrometheus = (c, signal) => queryFiringAlerts(c.prometheus, c.query, c.timeoutMs, signal);

export class PrometheusAlertSource implements AlertSource {
  private readonly clusters = new Map<string, GatedCluster>();
  private readonly state = new Map<string, ClusterState>();
  private readonly abort = new AbortController();
  private readonly ask: AskPrometheus;
  private rollouts?: RolloutLister;

  constructor(private readonly o: PrometheusAlertSourceOptions) {
    for (const c of o.clusters) {
      this.clusters.set(c.name, c);
      this.state.set(c.name, { askedAtMs: Number.NEGATIVE_INFINITY });
    }
    this.ask = o.ask ?? askHttp;
  }

  /** The gated clusters of coordinator.yaml; throws ConfigError when an alerts: block is invalid (a selector that is not label matchers…). */
  static fromConfig(config: CoordinatorConfig, deps: { clock: Clock; logger: Logger; ask?: AskPrometheus }): PrometheusAlertSource {
    const problems = checkAlertsConfig(config.file, config.clusters);
    if (problems.length) throw new ConfigError(problems, `Edit ${config.file} and restart convoyd.`);
    const clusters: GatedCluster[] = [];
    for (const c of config.clusters) {
      if (!c.alerts) continue;
      const parsed = parseSelector(c.alerts.selector);
      if ('error' in parsed) continue; // reported above
      const { prometheus, pollIntervalMs, timeoutMs } = c.alerts;
      clusters.push({ name: c.name, prometheus, query: firingAlertsQuery(parsed.matchers), pollIntervalMs, timeoutMs });
    }
    return new PrometheusAlertSource({ clusters, ...deps });
  }

  gates(cluster: string): boolean {
    return this.clusters.has(cluster);
  }

  facts(cluster: string): AlertFacts | undefined {
    return this.state.get(cluster)?.facts;
  }

  /**
   * Resolves once the facts are at least as new as this call (or the source stopped). Queries
   * at once, except while a rollout of the cluster is paused by alerts: then no sooner than one
   * pollInterval after the previous query.
   */
  async check(cluster: string): Promise<void> {
    const c = this.clusters.get(cluster);
    const s = this.state.get(cluster);
    if (!c || !s) return;
    const calledAtMs = this.o.clock.now();
    while (!this.abort.signal.aborted && (s.facts?.checkedAtMs ?? Number.NEGATIVE_INFINITY) < calledAtMs) {
      if (s.inflight) {
        await s.inflight;
        continue;
      }
      const wait = (this.pausedByAlerts(cluster) ? s.askedAtMs + c.pollIntervalMs : 0) - this.o.clock.now();
      if (wait > 0 && !(await this.sleep(wait))) return;
      if (wait > 0) continue;
      // our own query answers this call, even if the wall clock stepped back meanwhile
      return this.query(c, s);
    }
  }

  /** Starts polling the clusters whose rollouts are paused by alerts. */
  start(rollouts: RolloutLister): void {
    this.rollouts = rollouts;
    for (const c of this.clusters.values()) void this.pollWhilePaused(c);
  }

  /** Stops polling and cancels the queries in flight. Safe to call twice. */
  stop(): void {
    this.abort.abort(new Error('convoyd is stopping'));
  }

  private pausedByAlerts(cluster: string): boolean {
    return (this.rollouts?.activeRollouts() ?? []).some((r) => r.cluster === cluster && r.state === 'paused' && r.pauseKind === 'alerts');
  }

  /** One query every pollInterval while a rollout of the cluster is paused by alerts (its reconcile asks again after each answer). */
  private async pollWhilePaused(c: GatedCluster): Promise<void> {
    const s = this.state.get(c.name) as ClusterState;
    while (!this.abort.signal.aborted) {
      const wait = s.askedAtMs + c.pollIntervalMs - this.o.clock.now();
      if (wait > 0) {
        if (!(await this.sleep(wait))) return;
      } else if (this.pausedByAlerts(c.name)) {
        await this.query(c, s);
      } else if (!(await this.sleep(c.pollIntervalMs))) return;
    }
  }

  /** One query (shared by every caller while it runs); the answer is stamped with its start time. */
  private query(c: GatedCluster, s: ClusterState): Promise<void> {
    s.inflight ??= (async () => {
      const startedAtMs = this.o.clock.now();
      s.askedAtMs = startedAtMs;
      const answer = await this.ask(c, this.abort.signal).catch((err: unknown) => ({ firing: [], error: messageOf(err) }));
      if (this.abort.signal.aborted) return;
      const took = this.o.clock.now() - startedAtMs;
      this.o.logger.debug(`cluster ${c.name}: asked Prometheus for firing alerts (${took}ms)`, { cluster: c.name, ...answer });
      this.logChange(c, s.facts, answer);
      s.facts = { checkedAtMs: startedAtMs, firing: answer.firing, error: answer.error };
    })().finally(() => {
      s.inflight = undefined;
    });
    return s.inflight;
  }

  /** Logs when the answer changes (not on every poll): alerts started or stopped firing, Prometheus failed or recovered. */
  private logChange(c: GatedCluster, before: AlertFacts | undefined, answer: AlertAnswer): void {
    const fields = { cluster: c.name, firing: answer.firing, query: c.query };
    if (before && before.error === answer.error && before.firing.join() === answer.firing.join()) return;
    if (answer.error) this.o.logger.warn(`cluster ${c.name}: cannot ask Prometheus for firing alerts: ${answer.error}`, fields);
    else if (answer.firing.length) this.o.logger.info(`cluster ${c.name}: alerts firing: ${answer.firing.join(', ')}`, fields);
    else if (before) this.o.logger.info(`cluster ${c.name}: no alerts firing`, fields);
  }

  /** Sleeps on the clock; false when the source stopped meanwhile. */
  private async sleep(ms: number): Promise<boolean> {
    try {
      await this.o.clock.sleep(ms, this.abort.signal);
      return true;
    } catch {
      return false;
    }
  }
}
