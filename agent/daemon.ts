/**
 * The agent's lifecycle: starting -> running -> draining -> stopped.
 *
 * Starting recovers the journal; running connects the link and hands the coordinator's
 * messages on (steps to step-executor.ts, inspections to the plan, acks to the journal).
 * While draining, new steps are not started (the coordinator sends them again after the
 * restart); the step in flight may finish within the grace period, after which it is
 * cancelled and recorded as interrupted so the coordinator re-runs it.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { messageOf } from '../shared/errors.js';
import type { CoordinatorMessage, Hello, InspectResult, StepRequest } from '../shared/wire.js';
import { InspectionGate, type InspectionLimits } from './inspection-gate.js';
import type { Journal, ProcessGroups } from './journal.js';
import type { HealthMonitor } from './link/health-monitor.js';
import { buildHeartbeat, buildHello } from './link/hello.js';
import type { Link, LinkHandlers } from './link/link.js';
import type { DEFAULT_BATCHING } from './link/output-batcher.js';
import { requestIdProblem } from './plan/validate.js';
import { StepExecutor } from './step-executor.js';
import type { AgentConfig, Plan } from './types.js';

/** starting: recovering the journal; running: accepting steps; draining: finishing the step in flight; stopped: done. */
export type DaemonState = 'starting' | 'running' | 'draining' | 'stopped';

/** Default time the step in flight gets to finish after SIGTERM. */
export const DEFAULT_GRACE_MS = 60_000;

export interface DaemonOptions {
  config: AgentConfig;
  plan: Plan;
  journal: Journal;
  link: Pick<Link, 'start' | 'send' | 'stop'>;
  health: HealthMonitor;
  clock: Clock;
  logger: Logger;
  processes: ProcessGroups;
  agentVersion: string;
  hostname: string;
  graceMs?: number;
  batching?: typeof DEFAULT_BATCHING;
  /** Inspections at once, waiting and per minute (default AGENT_INSPECTION_LIMITS). */
  inspections?: InspectionLimits;
}

/** Owns the lifecycle; one instance per process, wired in main.ts. */
export class Daemon {
  private lifecycle: DaemonState = 'starting';
  private stopping: Promise<void> | undefined;
  private readonly inspections: InspectionGate;
  private readonly steps: StepExecutor;

  constructor(private readonly opts: DaemonOptions) {
    this.inspections = new InspectionGate(opts.clock, opts.inspections);
    this.steps = new StepExecutor({
      ...opts,
      graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
      running: () => this.lifecycle === 'running',
    });
  }

  get state(): DaemonState {
    return this.lifecycle;
  }

  /** Recovers what a previous run left in the journal, then starts health monitoring and the link. */
  async start(): Promise<void> {
    await this.opts.journal.recoverAfterRestart(this.opts.processes);
    // the catalogue follows the files: archives deleted while the agent was down are forgotten (logged)
    await this.opts.plan.forgetVanishedBackups().catch((err: unknown) => {
      this.opts.logger.warn(`cannot check the backup catalogue against the archives: ${messageOf(err)}`);
    });
    if (this.stopping) return;
    this.setState('running', 'journal recovered');
    if (this.opts.config.coordinator.insecure)
      this.opts.logger.warn('plaintext gRPC to the coordinator (coordinator.insecure: true); use it only for local tests', {
        coordinator: this.opts.config.coordinator.address,
      });
    this.opts.health.start();
    this.opts.link.start(this.linkHandlers());
  }

  /** Drains and stops; safe to call twice (the second call waits for the first). */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopping ??= this.drain(reason);
    return this.stopping;
  }

  private async drain(reason: string): Promise<void> {
    this.setState('draining', reason);
    await this.steps.drain(reason);
    this.opts.health.stop();
    await this.opts.link.stop();
    this.opts.journal.close();
    this.setState('stopped', reason);
  }

  private setState(to: DaemonState, reason: string): void {
    const from = this.lifecycle;
    if (from === to) return;
    this.lifecycle = to;
    this.opts.logger.info(`agent ${from} -> ${to}: ${reason}`);
  }

  private linkHandlers(): LinkHandlers {
    const { config, plan, journal, health, clock, agentVersion, hostname } = this.opts;
    return {
      hello: () => buildHello({ config, plan, journal, health, clock, agentVersion, hostname }),
      onSessionOpen: (hello) => this.sendRecordedSince(hello),
      heartbeat: () => buildHeartbeat({ journal, health, clock }),
      onMessage: (msg) => this.dispatch(msg),
    };
  }

  /** Results recorded while the Hello was on its way were not in it: send them now. */
  private sendRecordedSince(hello: Hello): void {
    const inHello = new Set(hello.undelivered.map((r) => r.requestId));
    for (const r of this.opts.journal.undelivered) if (!inHello.has(r.requestId)) this.opts.link.send({ result: r });
  }

  private dispatch(msg: CoordinatorMessage): void {
    // An id we could not echo back or journal safely means the message is not for us to answer.
    const id = msg.runStep?.requestId ?? msg.inspect?.requestId;
    const idProblem = id === undefined ? undefined : requestIdProblem(id);
    if (idProblem) {
      this.opts.logger.warn(`ignoring a ${msg.runStep ? 'step' : 'inspect'} request from the coordinator: ${idProblem}`);
      return;
    }
    if (msg.welcome) this.ack(msg.welcome.ackedRequestIds);
    else if (msg.ack) this.ack([msg.ack.requestId]);
    else if (msg.runStep)
      this.steps
        .runStep(msg.runStep)
        .catch((err: unknown) => this.opts.logger.error(`step ${msg.runStep?.step} crashed the executor: ${messageOf(err)}`));
    else if (msg.cancel) this.steps.cancel(msg.cancel.requestId, msg.cancel.reason);
    else if (msg.inspect) void this.inspect(msg.inspect.requestId, msg.inspect.targetVersion, msg.inspect.includeDiff === true);
  }

  private ack(requestIds: string[]): void {
    try {
      const dropped = this.opts.journal.ack(requestIds);
      if (dropped > 0) this.opts.logger.debug(`coordinator acknowledged ${dropped} result(s)`);
    } catch (err) {
      this.opts.logger.error(`cannot update the journal: ${messageOf(err)}`);
    }
  }

  async inspect(requestId: string, targetVersion: string, includeDiff = false): Promise<void> {
    const { plan } = this.opts;
    this.opts.logger.debug(`inspecting ${targetVersion} for request ${requestId}`, { requestId });
    let result: InspectResult;
    try {
      // At most the agent's own limit of inspections run, whatever the coordinator sends.
      const gated = await this.inspections.run(() => plan.inspect(requestId, targetVersion, { includeDiff }));
      if (!gated.ok) {
        this.opts.logger.warn(`refused inspection ${requestId}: ${gated.reason}`, { requestId });
        throw new Error(gated.reason);
      }
      result = gated.value;
    } catch (err) {
      const error = `inspection failed: ${messageOf(err)}`;
      result = {
        requestId,
        targetVersion,
        targetExists: false,
        error,
        repo: null,
        health: null,
        releaseNotes: null,
        plan: plan.stepNames(),
        drift: null,
      };
    }
    const sent = this.opts.link.send({ inspectResult: result });
    this.opts.logger.debug(`inspection ${requestId} ${sent ? 'answered' : 'not answered: not connected'}`, { requestId });
  }

  /** Handles one StepRequest; resolves when its result has been recorded and sent (step-executor.ts). */
  runStep(request: StepRequest): Promise<void> {
    return this.steps.runStep(request);
  }

  /** Cancels the step in flight when it is the one named; anything else is stale and ignored. */
  cancel(requestId: string, reason: string): void {
    this.steps.cancel(requestId, reason);
  }
}
