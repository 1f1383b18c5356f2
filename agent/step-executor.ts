/**
 * The agent's one-step-at-a-time executor: the coordinator's StepRequests are validated by the
 * plan, journalled, run, recorded and reported. The daemon (daemon.ts) owns the lifecycle and
 * says whether it is running; while it is not, new steps are not started (the coordinator
 * sends them again after the restart) and results stay in the journal for the next session.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { formatDuration } from '../shared/durations.js';
import { messageOf } from '../shared/errors.js';
import type { StepOutcome, StepRequest, StepResult } from '../shared/wire.js';
import { beginWhenJournalled } from './begin-step.js';
import { boundForWire, withNote } from './outgoing-result.js';
import { makeResult, type Journal } from './journal.js';
import type { HealthMonitor } from './link/health-monitor.js';
import type { Link } from './link/link.js';
import { DEFAULT_BATCHING, OutputBatcher } from './link/output-batcher.js';
import { BACKUP_STEPS } from './plan/steps.js';
import type { Plan } from './types.js';

/** After cancelling, how long a step gets to kill its process group and return. */
export const CANCEL_WAIT_MS = 15_000;

export interface StepExecutorOptions {
  plan: Plan;
  journal: Journal;
  link: Pick<Link, 'send'>;
  health: HealthMonitor;
  clock: Clock;
  logger: Logger;
  /** The time the step in flight gets to finish once the agent stops. */
  graceMs: number;
  batching?: typeof DEFAULT_BATCHING;
  /** Whether the daemon is running (not starting, draining or stopped). */
  running(): boolean;
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

/** Runs the coordinator's steps one at a time; one instance per daemon. */
export class StepExecutor {
  private current: RunningStep | undefined;
  private readonly graceMs: number;

  constructor(private readonly opts: StepExecutorOptions) {
    this.graceMs = opts.graceMs;
  }

  /**
   * The agent is stopping: a step still waiting for the journal has not started (nothing to
   * finish, it is sent again after the restart); the step in flight gets the grace period.
   */
  async drain(reason: string): Promise<void> {
    const step = this.current;
    if (step?.waitingForJournal) step.controller.abort(new Error(`agent stopping: ${reason}`));
    if (step) await this.finishOrCancel(step);
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
    if (!this.opts.running()) return this.leaveForNextSession(request);
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
    if (!this.opts.running()) return this.leaveForNextSession(request);
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
      if (!this.opts.running()) return this.leaveForNextSession(request);
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
      running: () => this.opts.running(),
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
    if (this.opts.running() || !journalled) {
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
