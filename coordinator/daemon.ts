/**
 * convoyd's lifecycle: starting -> running -> draining -> stopped. Owns the gRPC server,
 * the HTTP endpoint, the store and the periodic sweep of silent agents.
 */
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { type Address, parseAddress } from '../shared/address.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { loadServices, serverOptions } from '../shared/proto.js';
import { PrometheusAlertSource } from './alerts/prometheus-source.js';
import { ClusterReleaseNotes } from './release-notes/provider.js';
import { knownCertificates } from './certificates.js';
import type { CoordinatorConfig } from './config.js';
import { Fleet } from './fleet/registry.js';
import { describeListenFailure } from './listen-errors.js';
import { StepOutputGate } from './logs/output-gate.js';
import { DEFAULT_RETENTION_CONFIG } from './logs/output-limits.js';
import { Retention } from './logs/retention.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { Metrics } from './metrics.js';
import { WebhookNotifier } from './notify/webhooks.js';
import { RolloutController } from './rollout/controller.js';
import { adminServiceHandlers } from './rpc/admin-service.js';
import { agentServiceHandlers } from './rpc/agent-service.js';
import { controlServiceHandlers } from './rpc/control-service.js';
import { scheduleServiceHandlers } from './rpc/schedule-service.js';
import { GrpcSecurity } from './rpc/security.js';
import { Scheduler } from './schedule/scheduler.js';
import { saveSnapshot } from './store/snapshot-save.js';
import { SqliteStore } from './store/sqlite-store.js';

export type DaemonState = 'starting' | 'running' | 'draining' | 'stopped';

const SWEEP_INTERVAL_MS = 1000;
/** A sweep this late means convoyd itself was not running (stopped, frozen, starved). */
const STALL_MS = 3000;

export class CoordinatorDaemon {
  state: DaemonState = 'starting';
  private server?: grpc.Server;
  private security?: GrpcSecurity;
  private httpServer?: http.Server;
  private stopSweep?: () => void;
  private stopping?: Promise<void>;
  /** The address actually bound (useful when listening on port 0). */
  boundPort = 0;
  /** GET /metrics; the scheduler feeds it with metrics.setScheduleSource(). */
  readonly metrics: Metrics;
  /** Blocking on alerts (clusters[].alerts): polls Prometheus while a rollout is paused by alerts. */
  private alerts?: PrometheusAlertSource;
  /** Release notes convoyd fetches itself (clusters[].releaseNotes.github). */
  private notes?: ClusterReleaseNotes;
  /** Webhook notifications of rollout state changes; flushed briefly on stop. */
  private readonly webhooks: WebhookNotifier;
  /** Opens maintenance windows (schedules:); constructed in create(). */
  private scheduler?: Scheduler;
  /** Deletes old step output and events (retention:). */
  private readonly retention: Retention;
  /** Which step output agents may make convoyd store. */
  private readonly output: StepOutputGate;
  /** convoy_event_loop_delay_seconds. */
  private readonly loopDelay: LoopDelayMonitor;

  private constructor(
    private readonly config: CoordinatorConfig,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly store: SqliteStore,
    readonly fleet: Fleet,
    readonly controller: RolloutController,
    private readonly version: string,
  ) {
    this.metrics = new Metrics({ fleet, rollouts: controller, clusters: () => config.clusters, clock }, { defaultMetrics: true });
    controller.observe(this.metrics);
    this.webhooks = new WebhookNotifier({ webhooks: config.webhooks, clock, logger, userAgent: `convoyd/${version}` });
    controller.observe(this.webhooks);
    this.retention = new Retention({ store, config: config.retention ?? DEFAULT_RETENTION_CONFIG, clock, logger });
    this.output = new StepOutputGate({
      rollouts: controller,
      logs: store,
      retention: this.retention,
      clock,
      logger,
      counters: this.metrics,
    });
    controller.observe(this.output);
    this.metrics.setStoredOutputSource(() => this.retention.storedBytes);
    this.loopDelay = new LoopDelayMonitor(clock, this.metrics);
  }

  static async create(config: CoordinatorConfig, logger: Logger, version: string, clock: Clock = systemClock): Promise<CoordinatorDaemon> {
    const alerts = PrometheusAlertSource.fromConfig(config, { clock, logger }); // validates the alert selectors first
    const store = new SqliteStore(config.stateFile);
    if (store.migrated) {
      const { fromVersion, copy } = store.migrated;
      logger.info(
        `state file ${config.stateFile} migrated from schema ${fromVersion} to ${store.schemaVersion}; the file as it was is kept as ${copy}`,
        { stateFile: config.stateFile, fromSchema: fromVersion, toSchema: store.schemaVersion, copy },
      );
    }
    const fleet = new Fleet({ store, clock, logger, heartbeatTimeoutMs: config.heartbeatTimeoutMs });
    const notes = new ClusterReleaseNotes(config.clusters, { clock, logger });
    const controller = new RolloutController({ store, fleet, clock, logger, config, alerts, notes });
    const daemon = new CoordinatorDaemon(config, logger, clock, store, fleet, controller, version);
    daemon.alerts = alerts;
    daemon.notes = notes;
    const schedules = config.schedules;
    daemon.scheduler = new Scheduler({ schedules, clusters: config.clusters, rollouts: controller, fleet, store, clock, logger });
    return daemon;
  }

  async start(): Promise<void> {
    this.loopDelay.start();
    for (const c of this.config.clusters) {
      for (const m of c.members) {
        if (!this.fleet.get(m))
          this.logger.warn(`cluster ${c.name}: agent "${m}" has never connected; a rollout of ${c.name} is refused until it does`, {
            cluster: c.name,
            host: m,
          });
      }
    }
    const { AgentService, ControlService } = loadServices();
    const server = new grpc.Server(serverOptions);
    const security = (this.security = new GrpcSecurity(this.config, this.logger, { clock: this.clock, refusals: this.metrics }));
    this.metrics.setCertificateSource(() =>
      knownCertificates(this.config.tls, this.fleet.list(), security.access.seenOperatorCertificates()),
    );
    server.addService(
      security.agentService(AgentService.service),
      agentServiceHandlers({
        fleet: this.fleet,
        controller: this.controller,
        clock: this.clock,
        logger: this.logger,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        coordinatorVersion: this.version,
        access: security.access,
        output: this.output,
      }),
    );
    server.addService(
      security.controlService(ControlService.service),
      security.guardControl(ControlService.service, {
        ...controlServiceHandlers({
          fleet: this.fleet,
          controller: this.controller,
          store: this.store,
          logger: this.logger,
          clock: this.clock,
        }),
        ...(this.scheduler ? scheduleServiceHandlers({ scheduler: this.scheduler }) : {}),
        ...adminServiceHandlers({
          logger: this.logger,
          saveSnapshot: (file, force) =>
            saveSnapshot(this.store, {
              stateFile: this.config.stateFile,
              file,
              force,
              convoyVersion: this.version,
              now: () => this.clock.now(),
            }),
        }),
      }),
    );
    if (this.config.insecure)
      this.logger.warn('gRPC is plaintext (insecure: true); use it only for local tests', { listen: this.config.listen });
    this.boundPort = await security.listen(server).catch((err: unknown) => {
      throw new Error(describeListenFailure('listen', this.config.listen, this.config.file, err));
    });
    this.server = server;
    if (this.config.http) await this.startHttp(this.config.http);
    this.controller.resumeUnfinished();
    this.retention.start();
    this.alerts?.start(this.controller);
    // after resumeUnfinished: a window the coordinator restarts in continues its rollout
    await this.scheduler?.start();
    const scheduler = this.scheduler;
    if (scheduler) this.metrics.setScheduleSource(() => scheduler.nextWindowStarts());
    let dueAt = this.clock.now() + SWEEP_INTERVAL_MS;
    const sweep = (): void => {
      const stalled = this.clock.now() - dueAt;
      dueAt = this.clock.now() + SWEEP_INTERVAL_MS;
      this.stopSweep = this.clock.setTimer(SWEEP_INTERVAL_MS, sweep);
      if (stalled > STALL_MS) {
        // Our own event loop stood still (SIGSTOP, a swapped-out VM): the agents kept talking and
        // their messages wait in the sockets, read only after this timer. Judge nobody now; the
        // silence was ours, so it is credited to every agent before the next sweep.
        this.fleet.creditStall(stalled);
        this.controller.creditStall(stalled);
        this.logger.warn(
          `convoyd was stalled for ${Math.round(stalled / 1000)}s; reading what agents sent meanwhile before judging anyone lost`,
          {
            stalledMs: stalled,
          },
        );
        return;
      }
      // an agent found silent is disconnected: its rollout arms the deadline of its steps;
      // every other deadline is armed by the rollout itself (nextWakeAt), from persisted times
      for (const id of this.fleet.sweep()) this.controller.onAgentChanged(id);
      this.scheduler?.tick();
    };
    this.stopSweep = this.clock.setTimer(SWEEP_INTERVAL_MS, sweep);
    this.state = 'running';
    this.logger.info(`convoyd listening on ${this.config.listen}`, {
      listen: this.config.listen,
      port: this.boundPort,
      stateFile: this.config.stateFile,
    });
  }

  private async startHttp(address: string): Promise<void> {
    // validated by config.ts: parses
    const { host, port } = parseAddress(address) as Address;
    const srv = http.createServer((req, res) => {
      if (req.url === '/healthz') {
        const ok = this.state === 'running';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: this.state }));
        return;
      }
      const url = URL.canParse(req.url ?? '', 'http://convoyd') ? new URL(req.url ?? '', 'http://convoyd') : undefined;
      if (url?.pathname === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
        // ?name=<family> (repeatable): only those families, e.g. for a frequent look at one gauge
        const names = url.searchParams.getAll('name');
        this.metrics.scrape(names.length ? names : undefined).then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType });
            res.end(req.method === 'HEAD' ? undefined : body);
          },
          (err: unknown) => {
            this.logger.error('collecting metrics failed', { error: String(err) });
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end('collecting metrics failed; see the convoyd log\n');
          },
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', (err) => reject(new Error(describeListenFailure('http', address, this.config.file, err))));
      srv.listen(port, host, () => resolve());
    });
    this.httpServer = srv;
    this.logger.info(`http listening on ${address}`, { http: address });
  }

  /** Graceful stop: no new work, close streams, flush the store. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.state = 'draining';
    this.logger.info('convoyd draining');
    this.controller.drain();
    this.stopSweep?.();
    this.loopDelay.stop();
    this.retention.stop();
    await this.scheduler?.stop();
    this.alerts?.stop();
    this.notes?.stop();
    this.httpServer?.close();
    // Agent streams and CLI watches never end by themselves. Steps keep running on the agents,
    // which journal their results and deliver them to the next convoyd: nothing is lost by closing now.
    this.security?.close();
    this.server?.forceShutdown();
    await this.webhooks.stop();
    this.fleet.flush();
    this.store.close();
    this.state = 'stopped';
    this.logger.info('convoyd stopped');
  }
}
