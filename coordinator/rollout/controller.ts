/**
 * The rollout controller: load -> transition (engine, pure) -> persist -> apply effects.
 * Every change is written to SQLite before any effect is performed, so a restarted
 * coordinator resumes from exactly what was decided.
 */
import type { Clock } from '../../shared/clock.js';
import { ConvoyError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Hello, InspectResult, StepOutput, StepResult } from '../../shared/wire.js';
import type { ClusterConfig, CoordinatorConfig } from '../config.js';
import type { Fleet } from '../fleet/registry.js';
import type { EventRecord, EventStore, LogStore, RolloutStore, StoredLogLine } from '../store/store.js';
import {
  type AlertFacts,
  type Effect,
  type Env,
  type RolloutAction,
  type Transition,
  applyAction,
  applyInspectResult,
  applyRemoteNotes,
  applyStepResult,
  openWindow,
  nextWakeAt,
  reconcile,
  setResumeAt,
  stepRequest,
} from './engine.js';
import { type Rollout, isTerminal, needsWork } from './model.js';
import type { RemoteNotes } from './notes.js';
import {
  admissionProblem,
  clusterNamed,
  clusterOfAgent,
  draftRollout,
  resolveTargets,
  type AdmissionDeps,
  type RolloutRequest,
} from './admission.js';
import { PlanRequests } from './plan-requests.js';
import { StorageHealth } from './storage-health.js';
import { Subscriptions } from './subscriptions.js';

export interface ControllerOptions {
  store: RolloutStore & EventStore & Pick<LogStore, 'appendLogLines'>;
  fleet: Fleet;
  clock: Clock;
  logger: Logger;
  config: CoordinatorConfig;
  /** Firing-alert checks for clusters that gate on alerts (issue: blocking on alerts). */
  alerts?: AlertSource;
  /** The coordinator's own release-notes sources (GitHub releases), by cluster. */
  notes?: ReleaseNotesProvider;
}

/** Release notes the coordinator fetches itself (agents may have no internet access). */
export interface ReleaseNotesProvider {
  /** The source configured for a cluster, or undefined. */
  sourceFor(cluster: string): RemoteNotesSource | undefined;
}

export interface RemoteNotesSource {
  /** Where it looks, for operators: "GitHub releases of WyssCenter/hybrid-object-store". */
  label: string;
  /** Never rejects: versions it could not ask about are `unavailable`. */
  fetch(versions: string[]): Promise<RemoteNotes>;
}

/** Asks Prometheus (or anything) which alerts fire for a cluster. */
export interface AlertSource {
  facts(cluster: string): AlertFacts | undefined;
  gates(cluster: string): boolean;
  /** Refreshes the facts of `cluster`; never rejects. */
  check(cluster: string): Promise<void>;
}

/** Told about every persisted change of a rollout (metrics, webhooks). Must not throw or block. */
export interface RolloutObserver {
  rolloutChanged(prev: Rollout | undefined, next: Rollout, events: EventRecord[]): void;
}

/** What an operator's action may carry beyond its name. */
export interface ActOptions {
  /** Recorded in the event log with the action. */
  reason?: string;
  /** pause: before the next step instead of at the next safe point. */
  now?: boolean;
  /** rollback: move a host back past a later rollout anyway. */
  allowSuperseded?: boolean;
}

/** What a start asks for (see admission.ts). */
export type StartRequest = RolloutRequest;

type RolloutListener = (r: Rollout) => void;
type LogListener = (lines: StoredLogLine[]) => void;

/** Runs rollouts. One instance per coordinator. */
export class RolloutController {
  private readonly active = new Map<string, Rollout>();
  private readonly watchers = new Subscriptions<Rollout>();
  private readonly logWatchers = new Subscriptions<StoredLogLine[]>();
  private readonly planRequests: PlanRequests;
  private readonly storage: StorageHealth;
  private readonly admission: AdmissionDeps;
  private readonly observers: RolloutObserver[] = [];
  private readonly alertChecks = new Set<string>();
  private readonly notesFetches = new Set<string>();
  /** The wake-up timer of each unfinished rollout (see nextWakeAt). */
  private readonly wakeTimers = new Map<string, { at: number; cancel: () => void }>();
  /** How long convoyd itself stood still since it started: added to the grace lost steps get. */
  private stallCreditMs = 0;
  private stopping = false;

  constructor(private readonly o: ControllerOptions) {
    this.planRequests = new PlanRequests(o.clock);
    this.storage = new StorageHealth({ stateFile: o.config.stateFile, clock: o.clock, logger: o.logger });
    this.admission = {
      config: o.config,
      fleet: o.fleet,
      activeFor: (id) => this.activeFor(id),
      notesSourceLabel: (cluster) => o.notes?.sourceFor(cluster)?.label ?? '',
      now: () => o.clock.now(),
    };
  }

  observe(observer: RolloutObserver): void {
    this.observers.push(observer);
  }

  /** The unfinished rollouts (in memory). */
  activeRollouts(): Rollout[] {
    return [...this.active.values()];
  }

  /**
   * Re-evaluates every unfinished rollout now. Not needed for deadlines (each rollout has its
   * own wake-up timer): for tests, and after convoyd's own stall.
   */
  tick(): void {
    for (const id of [...this.active.keys()]) this.advance(id);
  }

  /** Stops the wake-up timers (shutdown). */
  private cancelWakes(): void {
    for (const t of this.wakeTimers.values()) t.cancel();
    this.wakeTimers.clear();
  }

  /** A maintenance window of `schedule` opened: a rollout it paused at the last window's close resumes. */
  openWindow(id: string, windowEndsAtMs: number, actor: string): Rollout {
    const r = this.get(id);
    if (!r) throw new ConvoyError('NOT_FOUND', `rollout ${id} does not exist`);
    this.apply(openWindow(r, windowEndsAtMs, actor, this.o.clock.now()));
    this.advance(id);
    return this.get(id) as Rollout;
  }

  /** Records when a window-paused rollout will resume (shown by the CLI). */
  setResumeAt(id: string, resumeAtMs: number): void {
    const r = this.active.get(id);
    if (!r || r.resumeAtMs === resumeAtMs) return;
    this.apply(setResumeAt(r, resumeAtMs, this.o.clock.now()));
  }

  /** Loads every unfinished rollout and advances it (after a restart). */
  resumeUnfinished(): void {
    for (const r of this.o.store.unfinishedRollouts()) {
      this.active.set(r.id, r);
      this.o.logger.info('resuming unfinished rollout', { rolloutId: r.id, state: r.state, phase: r.phase });
      this.record(r.id, { kind: 'coordinator', message: `coordinator restarted; rollout reloaded in ${r.state}/${r.phase}` });
      this.advance(r.id);
    }
  }

  /** Stops dispatching new work (graceful shutdown). */
  drain(): void {
    this.stopping = true;
    this.cancelWakes();
  }

  cluster(name: string): ClusterConfig | undefined {
    return clusterNamed(this.o.config, name);
  }

  clusterOf(agentId: string): ClusterConfig | undefined {
    return clusterOfAgent(this.o.config, agentId);
  }

  get(id: string): Rollout | undefined {
    return this.active.get(id) ?? this.o.store.getRollout(id);
  }

  list(limit: number, cluster?: string): Rollout[] {
    return this.o.store.listRollouts({ limit, cluster });
  }

  /** The unfinished rollout that involves `agentId`, if any. */
  activeFor(agentId: string): Rollout | undefined {
    return [...this.active.values()].find((r) => r.hosts.some((h) => h.agentId === agentId));
  }

  /** Resolves who a rollout covers; throws ConvoyError with the next step. */
  resolveTargets(req: { cluster: string; host: string; target: string }): { cluster?: ClusterConfig; members: string[] } {
    return resolveTargets(this.admission, req);
  }

  /** The rollout `start` would create now, without its admission checks (`convoy plan` previews it). */
  draft(req: RolloutRequest, id: string): Rollout {
    return draftRollout(this.admission, req, id);
  }

  /** The coordinator's release-notes source for a rollout's cluster (or its host's), if any. */
  notesSourceFor(r: Rollout): RemoteNotesSource | undefined {
    const cluster = r.cluster || this.clusterOf(r.hosts[0]?.agentId ?? '')?.name || '';
    return cluster ? this.o.notes?.sourceFor(cluster) : undefined;
  }

  /** Why `start` refuses a host before preflight (never connected, not connected, revoked, busy), or undefined. */
  admissionProblem(id: string): string | undefined {
    return admissionProblem(this.admission, id);
  }

  /** Starts a rollout (or refuses, naming the rollout in the way). */
  start(req: StartRequest): Rollout {
    if (this.stopping) throw new ConvoyError('UNAVAILABLE', 'the coordinator is shutting down; start the rollout again once it is back');
    const { members } = this.resolveTargets(req);
    for (const id of members) {
      const problem = this.admissionProblem(id);
      if (problem) throw new ConvoyError('FAILED_PRECONDITION', problem);
    }
    const cluster = this.cluster(req.cluster);
    const rollout = this.draft(req, this.o.store.nextRolloutId());
    const what = cluster ? `cluster ${cluster.name}` : `host ${req.host}`;
    const stored = this.commit(rollout, [
      {
        kind: 'event',
        event: { kind: 'action', message: `rollout of ${what} to ${req.target} started by ${req.actor}`, actor: req.actor },
      },
    ]);
    if (!stored) throw new ConvoyError('UNAVAILABLE', `${this.storageProblem()}; start the rollout again once it can`);
    this.o.logger.info('rollout started', { rolloutId: rollout.id, target: req.target, cluster: rollout.cluster, actor: req.actor });
    this.advance(rollout.id);
    return this.get(rollout.id) as Rollout;
  }

  /** ack | pause | resume | abort | rollback, by an operator. */
  act(id: string, action: RolloutAction, actor: string, opts: ActOptions = {}): Rollout {
    const r = this.get(id);
    if (!r) throw new ConvoyError('NOT_FOUND', `rollout ${id} does not exist; run \`convoy rollout list\``);
    const later = action === 'rollback' ? this.laterThan(r) : undefined;
    const t = applyAction(r, action, actor, this.o.clock.now(), { now: opts.now, allowSuperseded: opts.allowSuperseded, later });
    if ('error' in t) throw new ConvoyError('FAILED_PRECONDITION', t.error);
    if (opts.reason) t.effects.push({ kind: 'event', event: { kind: 'action', message: `${action} by ${actor}: ${opts.reason}`, actor } });
    if (!this.apply(t))
      throw new ConvoyError('UNAVAILABLE', `${this.storageProblem()}; run convoy rollout ${action} ${id} again once it can`);
    this.advance(id);
    return this.get(id) as Rollout;
  }

  /** convoyd stood still for `stalledMs` (see the daemon's sweep): steps on agents it could not hear get that time back. */
  creditStall(stalledMs: number): void {
    this.stallCreditMs += stalledMs;
  }

  /** Whether `convoy rollout rollback` would start now for a failed or aborted rollout, and why not. */
  rollbackVerdict(r: Rollout): { possible: boolean; blocked: string } {
    if (r.state !== 'failed' && r.state !== 'aborted') return { possible: false, blocked: '' };
    const t = applyAction(r, 'rollback', 'convoyd', this.o.clock.now(), { later: this.laterThan(r) });
    return 'error' in t
      ? { possible: false, blocked: t.error.replace(/^cannot rollback rollout \S+: /, '') }
      : { possible: true, blocked: '' };
  }

  /** Rollouts created after `r` (the newest first), to refuse a rollback they superseded. */
  private laterThan(r: Rollout): Rollout[] {
    const seq = Number(r.id.replace(/^r-/, '')) || 0;
    const recent = this.o.store.listRollouts({ limit: 100 });
    return recent.filter((x) => (Number(x.id.replace(/^r-/, '')) || 0) > seq).map((x) => this.active.get(x.id) ?? x);
  }

  /** An agent (re)connected: re-send what it should be doing, then advance its rollouts. */
  /**
   * An agent (re)connected. Steps it ran while away are applied first; then every step we
   * believe it runs but it does not report (neither in flight nor among its results) is sent
   * again with the same request id. Steps dispatched because of those results are new, not lost:
   * the snapshot taken before applying them keeps them from being sent twice.
   */
  onHello(agentId: string, hello: Hello): Set<string> {
    const before = this.activeFor(agentId);
    const runningBefore = new Set(
      before?.hosts
        .find((x) => x.agentId === agentId)
        ?.runs.filter((run) => run.outcome === 'running')
        .map((run) => run.requestId) ?? [],
    );
    const stored = new Set<string>();
    for (const result of hello.undelivered) if (this.onStepResult(agentId, result)) stored.add(result.requestId);
    const r = this.activeFor(agentId);
    const h = r?.hosts.find((x) => x.agentId === agentId);
    if (!r || !h) return stored;
    const reported = new Set([hello.inFlight?.requestId ?? '', ...hello.undelivered.map((u) => u.requestId)]);
    for (const run of h.runs) {
      if (run.outcome !== 'running' || reported.has(run.requestId) || !runningBefore.has(run.requestId)) continue;
      if (isTerminal(r.state) && run.phase !== 'rollback') continue;
      this.o.logger.info('re-sending a step the agent does not report', {
        rolloutId: r.id,
        host: agentId,
        step: run.step,
        requestId: run.requestId,
      });
      this.perform(r.id, { kind: 'run-step', agentId, request: stepRequest(r, h, run) });
    }
    if (h.inspection && !h.inspection.done)
      this.perform(r.id, { kind: 'inspect', agentId, requestId: h.inspection.requestId, target: r.target });
    this.advance(r.id);
    return stored;
  }

  /** Applies a step's result; false when it could not be stored (the agent must keep it and send it again). */
  onStepResult(agentId: string, result: StepResult): boolean {
    const r = this.active.get(result.rolloutId) ?? this.o.store.getRollout(result.rolloutId);
    if (!r) {
      this.o.logger.warn('result for an unknown rollout ignored', { host: agentId, rolloutId: result.rolloutId, step: result.step });
      return true;
    }
    if (!this.apply(applyStepResult(r, agentId, result, this.o.clock.now()))) return false;
    this.advance(r.id);
    return true;
  }

  onInspectResult(agentId: string, result: InspectResult): void {
    if (this.planRequests.answer(agentId, result)) return;
    const r = [...this.active.values()].find((x) =>
      x.hosts.some((h) => h.agentId === agentId && h.inspection?.requestId === result.requestId),
    );
    if (!r) return;
    this.apply(applyInspectResult(r, agentId, result, this.o.clock.now()));
    this.advance(r.id);
  }

  /**
   * The agent a request was sent to, as recorded when it was sent (a step run of an active
   * rollout, its inspection, or a plan's inspection); undefined for a request unknown here.
   */
  requestOwner(requestId: string): string | undefined {
    const plan = this.planRequests.ownerOf(requestId);
    if (plan) return plan;
    for (const r of this.active.values()) {
      for (const h of r.hosts) {
        if (h.inspection?.requestId === requestId || h.runs.some((run) => run.requestId === requestId)) return h.agentId;
      }
    }
    return undefined;
  }

  onStepOutput(agentId: string, out: StepOutput): void {
    if (!out.lines.length) return;
    let stored: StoredLogLine[];
    try {
      stored = this.o.store.appendLogLines(out.rolloutId, agentId, out.step, out.requestId, out.atMs || this.o.clock.now(), out.lines);
    } catch (err) {
      // the agent keeps the full output in its own step log; convoyd's copy is a convenience
      this.storage.failed(err, out.rolloutId);
      return;
    }
    if (stored.length) this.logWatchers.notify(out.rolloutId, stored);
  }

  /** Something about an agent changed (health, connection): advance the rollouts it is in. */
  onAgentChanged(agentId: string): void {
    const r = this.activeFor(agentId);
    if (r) this.advance(r.id);
  }

  /** Asks an agent to inspect a target (for `convoy plan`); resolves with its answer or a timeout error. */
  inspect(agentId: string, requestId: string, target: string, timeoutMs: number, includeDiff = false): Promise<InspectResult> {
    return this.planRequests.ask(agentId, requestId, timeoutMs, () =>
      this.o.fleet.send(agentId, { inspect: { requestId, targetVersion: target, includeDiff } }),
    );
  }

  watch(id: string, fn: RolloutListener): () => void {
    return this.watchers.add(id, fn);
  }

  watchLogs(id: string, fn: LogListener): () => void {
    return this.logWatchers.add(id, fn);
  }

  /** Runs the engine's reconcile for one rollout and applies the outcome. */
  private advance(id: string): void {
    const r = this.active.get(id);
    if (!r || this.stopping) return;
    this.apply(reconcile(r, this.env(), this.o.clock.now()));
    this.armWake(id);
  }

  /** One timer per rollout, at the next instant the engine says it must look again. */
  private armWake(id: string): void {
    const r = this.active.get(id);
    const at = r && !this.stopping ? nextWakeAt(r, this.env(), this.o.clock.now()) : undefined;
    const armed = this.wakeTimers.get(id);
    if (armed?.at === at) return;
    armed?.cancel();
    this.wakeTimers.delete(id);
    if (at === undefined) return;
    // a millisecond past the deadline: the engine judges "now >= deadline"
    const cancel = this.o.clock.setTimer(Math.max(0, at - this.o.clock.now()) + 1, () => {
      this.wakeTimers.delete(id);
      this.advance(id);
    });
    this.wakeTimers.set(id, { at, cancel });
  }

  private env(): Env {
    const alerts = this.o.alerts;
    return {
      agent: (a) => this.o.fleet.facts(a),
      alerts: alerts ? (c) => alerts.facts(c) : undefined,
      gatesOnAlerts: alerts ? (c) => alerts.gates(c) : undefined,
      stepGraceMs: this.o.config.stepGraceMs + this.stallCreditMs,
    };
  }

  /** Asks for a fresh alert check of a cluster (one at a time), then advances its rollout. */
  private checkAlerts(cluster: string): void {
    const alerts = this.o.alerts;
    if (!alerts || this.alertChecks.has(cluster)) return;
    this.alertChecks.add(cluster);
    void alerts.check(cluster).finally(() => {
      this.alertChecks.delete(cluster);
      for (const r of this.activeRollouts()) if (r.cluster === cluster) this.advance(r.id);
    });
  }

  /** Asks the cluster's release-notes source (one fetch per rollout at a time), then applies the answer. */
  private fetchNotes(rolloutId: string, versions: string[]): void {
    const r = this.active.get(rolloutId);
    if (!r || this.notesFetches.has(rolloutId)) return;
    const source = this.notesSourceFor(r);
    this.notesFetches.add(rolloutId);
    const answer: Promise<RemoteNotes> = source
      ? source.fetch(versions)
      : Promise.resolve({
          source: r.notes?.remoteSource || 'the release-notes source',
          notes: [],
          notPublished: [],
          unavailable: versions.map((version) => ({ version, reason: 'its configuration was removed from the coordinator' })),
        });
    void answer
      .then((remote) => {
        const current = this.active.get(rolloutId);
        if (current && !this.stopping) this.apply(applyRemoteNotes(current, remote, this.o.clock.now()));
      })
      .finally(() => {
        this.notesFetches.delete(rolloutId);
        this.advance(rolloutId);
      });
  }

  private apply(t: Transition): boolean {
    return this.commit(t.rollout, t.effects);
  }

  /** Persist first (rollout + events, one transaction), then perform the effects. */
  /** Persists, then performs the effects; false when the state file could not be written (nothing was done). */
  private commit(r: Rollout, effects: Effect[]): boolean {
    const now = this.o.clock.now();
    const events: EventRecord[] = [];
    for (const e of effects) {
      if (e.kind !== 'event') continue;
      events.push({
        atMs: now,
        rolloutId: r.id,
        agentId: e.event.agentId ?? '',
        step: e.event.step ?? '',
        actor: e.event.actor || 'convoyd',
        kind: e.event.kind,
        message: e.event.message,
      });
      const fields = { rolloutId: r.id, host: e.event.agentId, step: e.event.step, actor: e.event.actor };
      this.o.logger.info(e.event.message, fields);
    }
    const previous = this.active.get(r.id) ?? this.o.store.getRollout(r.id);
    if (events.length === 0 && previous && JSON.stringify(previous) === JSON.stringify(r)) {
      // nothing to persist, but a reconcile may still ask for something (a fresh alert check)
      for (const e of effects) if (e.kind !== 'event') this.perform(r.id, e);
      return true;
    }
    try {
      // agent records first (written behind in batches): what a decision was made from is never newer than the disk's
      this.o.fleet.flush();
      this.o.store.saveRollout(r, events);
      this.storage.recovered();
    } catch (err) {
      // Not persisted, so not decided: memory keeps the last state on disk, no effect is
      // performed, and the next tick (or the agent's next delivery) tries again.
      this.storage.failed(err, r.id);
      return false;
    }
    if (needsWork(r)) this.active.set(r.id, r);
    else this.active.delete(r.id);
    for (const e of effects) if (e.kind !== 'event') this.perform(r.id, e);
    this.watchers.notify(r.id, r);
    for (const o of this.observers) {
      try {
        o.rolloutChanged(previous, r, events);
      } catch (err) {
        this.o.logger.error('a rollout observer failed', { rolloutId: r.id, error: String(err) });
      }
    }
    return true;
  }

  /** Why convoyd cannot write its state file now ('' when it can): shown as every unfinished rollout's reason. */
  storageProblem(): string {
    return this.storage.message;
  }

  private perform(rolloutId: string, e: Effect): void {
    let sent = false;
    if (e.kind === 'run-step') sent = this.o.fleet.send(e.agentId, { runStep: e.request });
    else if (e.kind === 'inspect')
      sent = this.o.fleet.send(e.agentId, { inspect: { requestId: e.requestId, targetVersion: e.target, includeDiff: false } });
    else if (e.kind === 'cancel-step') sent = this.o.fleet.send(e.agentId, { cancel: { requestId: e.requestId, reason: e.reason } });
    else if (e.kind === 'check-alerts') return this.checkAlerts(e.cluster);
    else if (e.kind === 'fetch-release-notes') return this.fetchNotes(rolloutId, e.versions);
    else return;
    if (!sent)
      this.o.logger.warn('agent not connected; the request will be sent when it reconnects', {
        rolloutId,
        host: e.agentId,
        effect: e.kind,
      });
  }

  private record(rolloutId: string, e: { kind: string; message: string }): void {
    try {
      this.o.store.appendEvents([
        { atMs: this.o.clock.now(), rolloutId, agentId: '', step: '', actor: 'convoyd', kind: e.kind, message: e.message },
      ]);
    } catch (err) {
      this.storage.failed(err, rolloutId);
    }
  }
}
