/**
 * The agent's lifecycle and its one-step-at-a-time executor.
 *
 * starting -> running -> draining -> stopped. While running, the coordinator's StepRequests
 * are validated by the plan, journalled, run, recorded and reported. While draining, new
 * steps are not started (the coordinator sends them again after the restart); the step in
 * flight may finish within the grace period, after which it is cancelled and recorded as
 * interrupted so the coordinator re-runs it.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { formatDuration } from '../shared/durations.js';
import { messageOf } from '../shared/errors.js';
import type { CoordinatorMessage, Hello, InspectResult, StepOutcome, StepRequest, StepResult } from '../shared/wire.js';
import { beginWhenJournalled } from './begin-step.js';
import { boundForWire, withNote } from './outgoing-result.js';
import { InspectionGate, type InspectionLimits } from './inspection-gate.js';
import { makeResult, type Journal, type ProcessGroups } from './journal.js';
import type { HealthMonitor } from './link/health-monitor.js';
import { buildHeartbeat, buildHello } from './link/hello.js';
import type { Link, LinkHandlers } from './link/link.js';
import { DEFAULT_BATCHING, OutputBatcher } from './link/output-batcher.js';
import { BACKUP_STEPS } from './plan/steps.js';
import { requestIdProblem } from './plan/validate.js';
import type { AgentConfig, Plan } from './types.js';

/** starting: recovering the journal; running: accepting steps; draining: finishing the step in flight; stopped: done. */
export type DaemonState = 'starting' | 'running' | 'draining' | 'stopped';

/** Default time the step in flight gets to finish after SIGTERM. */
export const DEFAULT_GRACE_MS = 60_000;
/** After cancelling, how long a step gets to kill its process group and return. */
export const CANCEL_WAIT_MS = 15_000;

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

interface RunningStep {
  request: StepRequest;
  controller: AbortController;
  done: Promise<void>;
  /** Cancelled because the agent is stopping, not because the coordinator asked. */
  shutdown: boolean;
  /** Waiting for the journal to be writable before it starts (begin-step.ts). */
  waitingForJournal?: boolean;
}

const fieldsOf = (r: { rolloutId: string; step: string; requestId: string }) => ({
  rolloutId: r.rolloutId,
  step: r.step,
  requestId: r.requestId,
});

/** Owns the lifecycle; one instance per process, wired in main.ts. */
export class Daemon {
  private current: RunningStep | undefined;
  private lifecycle: DaemonState = 'starting';
  private stopping: Promise<void> | undefined;
  private readonly graceMs: number;
  private readonly inspections: InspectionGate;

  constructor(private readonly opts: DaemonOptions) {
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.inspections = new InspectionGate(opts.clock, opts.inspections);
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
    const step = this.current;
    // a step still waiting for the journal has not started: nothing to finish, it is sent again after the restart
    if (step?.waitingForJournal) step.controller.abort(new Error(`agent stopping: ${reason}`));
    if (step) await this.finishOrCancel(step);
    this.opts.health.stop();
    await this.opts.link.stop();
    this.opts.journal.close();
    this.setState('stopped', reason);
  }

  private async finishOrCancel(step: RunningStep): Promise<void> {
    const { logger } = this.opts;
    const { step: name, rolloutId } = step.request;
    logger.info(`waiting up to ${formatDuration(this.graceMs)} for step ${name} of rollout ${rolloutId} to finish`, fieldsOf(step.request));
    if (await this.settlesWithin(step.done, this.graceMs)) return;
    step.shutdown = true;
    step.controller.abort(new Error(`agent shutting down: step ${name} did not finish within ${formatDuration(this.graceMs)}`));
    if (await this.settlesWithin(step.done, CANCEL_WAIT_MS)) return;
    logger.error(
      `step ${name} of rollout ${rolloutId} did not stop after cancellation; the journal keeps it in flight and the next start cleans up`,
      fieldsOf(step.request),
    );
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
      this.runStep(msg.runStep).catch((err: unknown) =>
        this.opts.logger.error(`step ${msg.runStep?.step} crashed the executor: ${messageOf(err)}`),
      );
    else if (msg.cancel) this.cancel(msg.cancel.requestId, msg.cancel.reason);
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

  /** Handles one StepRequest; resolves when its result has been recorded and sent. */
  async runStep(request: StepRequest): Promise<void> {
    const { journal, logger } = this.opts;
    if (this.current?.request.requestId === request.requestId || journal.inFlight?.requestId === request.requestId) {
      logger.info(
        `step ${request.step} (request ${request.requestId}) is already running; ignoring the repeated request`,
        fieldsOf(request),
      );
      return;
    }
    const earlier = journal.findUndelivered(request.requestId);
    if (earlier) {
      logger.info(`step ${request.step} (request ${request.requestId}) already finished; sending its result again`, fieldsOf(request));
      this.deliver(earlier);
      return;
    }
    if (this.lifecycle !== 'running') return this.leaveForNextSession(request);
    if (this.current) {
      const busy = this.current.request;
      return this.refuse(request, `agent busy with step ${busy.step} of rollout ${busy.rolloutId}`);
    }
    const step: RunningStep = { request, controller: new AbortController(), done: Promise.resolve(), shutdown: false };
    this.current = step;
    step.done = this.execute(step).finally(() => {
      if (this.current === step) this.current = undefined;
    });
    await step.done;
  }

  /**
   * A step that arrives (or finishes validating) while the agent stops is neither started nor
   * answered: a refusal would fail the rollout for nothing. Not journalled, it is not in the next
   * Hello, so the coordinator, which still has it running, sends it again with the same request id.
   */
  private leaveForNextSession(request: StepRequest): void {
    this.opts.logger.info(
      `not starting step ${request.step} of rollout ${request.rolloutId}: the agent is stopping; the coordinator sends it again once the agent is back`,
      fieldsOf(request),
    );
  }

  private refuse(request: StepRequest, reason: string): void {
    const now = this.opts.clock.now();
    this.record(makeResult(request, 'REFUSED', reason, now, now));
  }

  /** validate -> journal -> run -> record -> report: each stage may end the step early. */
  private async execute(step: RunningStep): Promise<void> {
    const { request } = step;
    const startedAtMs = this.opts.clock.now();
    const refusal = await this.validate(request);
    if (refusal) return this.refuse(request, refusal);
    // A signal may have come while the plan was validating: start nothing new.
    if (this.lifecycle !== 'running') return this.leaveForNextSession(request);
    if (step.controller.signal.aborted) {
      return this.record(
        makeResult(
          request,
          'CANCELLED',
          `cancelled before it started: ${messageOf(step.controller.signal.reason)}`,
          startedAtMs,
          this.opts.clock.now(),
        ),
      );
    }
    step.waitingForJournal = true;
    const begun = await this.begin(step);
    step.waitingForJournal = false;
    if (!begun.begun) {
      if (begun.refusal) return this.refuse(request, begun.refusal);
      if (this.lifecycle !== 'running') return this.leaveForNextSession(request);
      const why = `cancelled while waiting for the journal: ${messageOf(step.controller.signal.reason)}`;
      return this.record(makeResult(request, 'CANCELLED', why, startedAtMs, this.opts.clock.now()));
    }
    this.opts.logger.info(
      `running step ${request.step} of rollout ${request.rolloutId} toward ${request.targetVersion} (attempt ${request.attempt})`,
      fieldsOf(request),
    );
    const result = await this.run(step, begun.startedAtMs);
    this.record(result);
    if (result.outcome === 'SUCCEEDED' && BACKUP_STEPS.has(result.step)) await this.pruneBackups(result.rolloutId);
    // The result carries the repository as the step left it and the backup it recorded; only a
    // backup (and the backup.keep pruning after it) changes the catalogue, whose whole list
    // follows (read from memory, no git).
    if (result.backup && result.repo) this.opts.link.send({ repo: { repo: result.repo, backups: this.opts.plan.backups() } });
  }

  private async validate(request: StepRequest): Promise<string | undefined> {
    try {
      return await this.opts.plan.validate(request);
    } catch (err) {
      return `cannot validate the request: ${messageOf(err)}`;
    }
  }

  /** Journals the step before it starts, waiting while the state directory cannot be written. */
  private begin(step: RunningStep): ReturnType<typeof beginWhenJournalled> {
    const { journal, clock, logger, link } = this.opts;
    const { request } = step;
    return beginWhenJournalled({
      journal,
      request,
      now: () => clock.now(),
      logger,
      signal: step.controller.signal,
      running: () => this.lifecycle === 'running',
      say: (lines) =>
        link.send({ output: { requestId: request.requestId, rolloutId: request.rolloutId, step: request.step, lines, atMs: clock.now() } }),
    });
  }

  private async run(step: RunningStep, startedAtMs: number): Promise<StepResult> {
    const { plan, clock, link, journal, logger } = this.opts;
    const { request } = step;
    const batcher = new OutputBatcher({
      clock,
      ...(this.opts.batching ?? DEFAULT_BATCHING),
      send: (lines) =>
        link.send({ output: { requestId: request.requestId, rolloutId: request.rolloutId, step: request.step, lines, atMs: clock.now() } }),
    });
    let result: StepResult;
    try {
      result = await plan.run(request, {
        signal: step.controller.signal,
        onOutput: (lines) => batcher.push(lines),
        onProcessGroup: (pgid) => {
          try {
            journal.setPgid(pgid);
          } catch (err) {
            logger.error(`cannot record process group ${pgid} in the journal: ${messageOf(err)}`, fieldsOf(request));
          }
        },
        onProcessGroupEnded: (pgid) => {
          try {
            journal.forgetPgid(pgid);
          } catch (err) {
            logger.warn(`cannot update the journal after process group ${pgid} ended: ${messageOf(err)}`, fieldsOf(request));
          }
        },
      });
    } catch (err) {
      result = makeResult(request, 'FAILED', `step ${request.step} failed unexpectedly: ${messageOf(err)}`, startedAtMs, clock.now());
    }
    batcher.flush();
    if (step.shutdown && result.outcome !== 'SUCCEEDED') {
      const reason = `agent shut down while step ${request.step} was running (it did not finish within ${formatDuration(this.graceMs)})`;
      result = { ...result, outcome: 'INTERRUPTED', reason };
    }
    return result;
  }

  /** Journals the result (clearing the step in flight) and delivers it; whatever does not go out now goes in the next Hello. */
  private record(raw: StepResult): void {
    const { journal, logger, health } = this.opts;
    const { requestId, rolloutId, step, attempt } = this.current?.request.requestId === raw.requestId ? this.current.request : raw;
    const result: StepResult = boundForWire({ ...raw, requestId, rolloutId, step, attempt });
    let journalled = true;
    let sent = result;
    try {
      sent = journal.recordResult(result); // as journalled: within the result size bound
      const behind = journal.writeProblem;
      if (behind) {
        journalled = false;
        sent = withNote(
          sent,
          `[convoy: result not in the agent's journal yet: ${behind.message}; sent over the stream, and the agent retries the write]`,
        );
      }
    } catch (err) {
      journalled = false;
      logger.error(`cannot record the result of step ${step} in the journal: ${messageOf(err)}`, fieldsOf(result));
      sent = withNote(sent, `[convoy: result not journalled: ${messageOf(err)}]`);
    }
    if (result.health) health.observe(result.health);
    // The coordinator may answer a result with the next step at once: we must no longer be busy.
    if (this.current?.request.requestId === result.requestId) this.current = undefined;
    this.logResult(result);
    this.deliver(sent, journalled);
  }

  /**
   * Sends a result now, except while draining: the coordinator answers a result with the next
   * step (or re-runs an interrupted one) at once, which a draining agent could only refuse and
   * so fail the rollout. Kept in the journal, the result goes out in the next session's Hello,
   * exactly as after a crash.
   */
  private deliver(result: StepResult, journalled = true): void {
    if (this.lifecycle === 'running' || !journalled) {
      this.opts.link.send({ result });
      return;
    }
    this.opts.logger.info(`result of step ${result.step} kept in the journal for the next session (agent shutting down)`, fieldsOf(result));
  }

  private logResult(r: StepResult): void {
    const took = formatDuration(r.finishedAtMs - r.startedAtMs);
    const level: Record<StepOutcome, 'info' | 'warn'> = {
      SUCCEEDED: 'info',
      FAILED: 'warn',
      TIMED_OUT: 'warn',
      CANCELLED: 'warn',
      REFUSED: 'warn',
      INTERRUPTED: 'warn',
    };
    const text =
      r.outcome === 'REFUSED'
        ? `refused step ${r.step} of rollout ${r.rolloutId}: ${r.reason}`
        : `step ${r.step} of rollout ${r.rolloutId} ${r.outcome} after ${took}${r.reason ? `: ${r.reason}` : ''}`;
    this.opts.logger.log(level[r.outcome], text, { ...fieldsOf(r), outcome: r.outcome });
  }

  /** backup.keep after a backup step; the repo report that follows carries the catalogue as it is now. */
  private async pruneBackups(rolloutId: string): Promise<void> {
    try {
      await this.opts.plan.pruneBackups(rolloutId);
    } catch (err) {
      this.opts.logger.warn(`cannot apply backup.keep: ${messageOf(err)}; the next backup step tries again`, { rolloutId });
    }
  }

  /** Cancels the step in flight when it is the one named; anything else is stale and ignored. */
  cancel(requestId: string, reason: string): void {
    const step = this.current;
    if (step?.request.requestId !== requestId) {
      this.opts.logger.info(`ignoring cancel for request ${requestId}: it is not running`);
      return;
    }
    this.opts.logger.warn(`cancelling step ${step.request.step} of rollout ${step.request.rolloutId}: ${reason}`, fieldsOf(step.request));
    step.controller.abort(new Error(`cancelled by the coordinator: ${reason}`));
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

  /** True when `p` settles within `ms` (the timer is cleared either way). */
  private async settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
    const timer = new AbortController();
    const settled = await Promise.race([
      p.then(() => true),
      this.opts.clock.sleep(ms, timer.signal).then(
        () => false,
        () => false,
      ),
    ]);
    timer.abort();
    return settled;
  }
}
