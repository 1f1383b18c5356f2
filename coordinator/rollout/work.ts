/**
 * Shared vocabulary of the engine: what it knows of the world, the effects it asks for,
 * and the working copy a transition mutates before it is returned.
 */
import type { StepRequest } from '../../shared/wire.js';
import { type HostRun, type Phase, type Rollout, type RolloutState, type StepRun, isTerminal, requestIdFor } from './model.js';

/** What the engine needs to know about an agent right now. */
export interface AgentFacts {
  connected: boolean;
  healthy: boolean;
  healthVersion: string;
  healthDetail: string;
  /**
   * While disconnected: when this coordinator lost the agent, or when it started for an agent
   * it has not seen since (it cannot know better). 0 or absent when unknown.
   */
  disconnectedAtMs?: number;
}

/** Alerts firing for a cluster, as last asked of Prometheus. */
export interface AlertFacts {
  checkedAtMs: number;
  firing: string[];
  /** Prometheus could not be asked: treated as blocking, the reason says why. */
  error: string;
}

/** The world as the engine sees it during one transition. */
export interface Env {
  agent(agentId: string): AgentFacts | undefined;
  /** Alerts for a cluster with alert gating; undefined when never checked. */
  alerts?(cluster: string): AlertFacts | undefined;
  /** Whether the cluster gates on alerts. */
  gatesOnAlerts?(cluster: string): boolean;
  /** How long past its timeout a step on a disconnected agent may still report. */
  stepGraceMs: number;
}

/** Something that happened, for the event log. */
export interface EngineEvent {
  kind: 'transition' | 'phase' | 'step-started' | 'step-finished' | 'host' | 'action' | 'preflight' | 'rollback' | 'gate';
  message: string;
  agentId?: string;
  step?: string;
  actor?: string;
}

/** Work for the controller, performed after the new state is persisted. */
export type Effect =
  | { kind: 'run-step'; agentId: string; request: StepRequest }
  | { kind: 'cancel-step'; agentId: string; requestId: string; reason: string }
  | { kind: 'inspect'; agentId: string; requestId: string; target: string }
  | { kind: 'check-alerts'; cluster: string }
  /** Ask the coordinator's release-notes source about these versions; the answer comes back through applyRemoteNotes. */
  | { kind: 'fetch-release-notes'; versions: string[] }
  | { kind: 'event'; event: EngineEvent };

export interface Transition {
  rollout: Rollout;
  effects: Effect[];
}

/** A mutable working copy plus the effects collected while transforming it. */
export class Work {
  readonly r: Rollout;
  readonly effects: Effect[] = [];
  constructor(
    r: Rollout,
    readonly now: number,
  ) {
    this.r = structuredClone(r);
  }

  event(e: EngineEvent): void {
    this.effects.push({ kind: 'event', event: e });
  }

  /** Changes state, logging `from -> to: reason`. Terminal states end the phases. */
  setState(to: RolloutState, reason: string, actor?: string): void {
    const from = this.r.state;
    if (from === to && this.r.reason === reason) return;
    this.r.state = to;
    this.r.reason = reason;
    this.r.updatedAtMs = this.now;
    if (to !== 'paused') {
      this.r.pauseKind = '';
      this.r.resumeAtMs = 0;
    }
    if (isTerminal(to)) {
      this.r.finishedAtMs = this.now;
      this.r.phase = 'done';
      this.r.timesEnded = (this.r.timesEnded ?? 0) + 1;
    } else {
      this.r.finishedAtMs = 0;
    }
    if (to !== 'paused') this.r.pauseNow = false;
    this.event({ kind: 'transition', message: `${from} -> ${to}${reason ? `: ${reason}` : ''}`, actor });
  }

  pause(kind: Exclude<Rollout['pauseKind'], ''>, reason: string, actor?: string): void {
    this.setState('paused', reason, actor);
    this.r.pauseKind = kind;
  }

  setPhase(to: Phase): void {
    if (this.r.phase === to) return;
    this.event({ kind: 'phase', message: `phase ${this.r.phase} -> ${to}` });
    this.r.phase = to;
    this.progress();
  }

  progress(): void {
    this.r.updatedAtMs = this.now;
    this.r.progressAtMs = this.now;
  }

  result(): Transition {
    return { rollout: this.r, effects: this.effects };
  }
}

/** Runs of a host's forward update (rollback=false) or of its rollback (true). */
function runsOf(h: HostRun, rollback: boolean): StepRun[] {
  return h.runs.filter((r) => (r.phase === 'rollback') === rollback);
}

/** The latest attempt of `step` on a host (forward update unless `rollback`). */
export function latestRun(h: HostRun, step: string, rollback = false): StepRun | undefined {
  let found: StepRun | undefined;
  for (const run of runsOf(h, rollback)) if (run.step === step && (!found || run.attempt >= found.attempt)) found = run;
  return found;
}

export function findHost(w: Work, agentId: string): HostRun | undefined {
  return w.r.hosts.find((h) => h.agentId === agentId);
}

/** The request for one attempt; rebuilt identically when it must be sent again after a reconnect. */
export function stepRequest(r: Rollout, h: HostRun, run: StepRun): StepRequest {
  const rollback = run.phase === 'rollback';
  return {
    requestId: run.requestId,
    rolloutId: r.id,
    agentId: h.agentId,
    step: run.step,
    // a rollback moves the host back to the version it ran before
    targetVersion: rollback ? h.fromVersion : r.target,
    fromVersion: rollback ? r.target : h.fromVersion,
    backupId: needsBackup(h, run.step) ? h.preBackupId : '',
    restoreCommit: run.step === 'rollback-checkout' ? h.previousCommit : '',
    attempt: run.attempt,
    healthDeadlineMs: run.step === 'health' ? r.healthDeadlineMs : 0,
  };
}

/** Whether a step of a host's rollback is sent with the pre-update backup's id. */
export function needsBackup(h: HostRun, step: string): boolean {
  return h.backupSteps?.length ? h.backupSteps.includes(step) : step === 'restore';
}

/** Sends one step to an agent and records the attempt as running. */
export function dispatch(w: Work, h: HostRun, step: string, phase: Phase): void {
  const rollback = phase === 'rollback';
  const attempt = (latestRun(h, step, rollback)?.attempt ?? 0) + 1;
  const requestId = requestIdFor(w.r.id, h.agentId, step, attempt, rollback);
  const run: StepRun = {
    requestId,
    step,
    phase,
    attempt,
    outcome: 'running',
    exitCode: -1,
    reason: '',
    startedAtMs: w.now,
    finishedAtMs: 0,
    outputTail: [],
  };
  h.runs.push(run);
  if (!h.startedAtMs) h.startedAtMs = w.now;
  w.progress();
  const label = `${rollback ? 'rollback ' : ''}${step}`;
  w.event({
    kind: 'step-started',
    message: `${label} started on ${h.agentId}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
    agentId: h.agentId,
    step,
  });
  w.effects.push({ kind: 'run-step', agentId: h.agentId, request: stepRequest(w.r, h, run) });
}

/** Fails the rollout: the host and step that stopped it, and why. No further host is touched. */
export function failRollout(w: Work, agentId: string, step: string, reason: string): void {
  if (isTerminal(w.r.state)) return;
  if (w.r.phase === 'rollback') {
    // a rollback is under way: the rollout ends (failed) when it has, naming this failure too
    const note = `; ${agentId}: ${step}: ${reason}`;
    if (!w.r.reason.includes(note)) w.r.reason += note;
    return;
  }
  w.r.failedHost = agentId;
  w.r.failedStep = step;
  w.setState('failed', `${agentId}: ${step}: ${reason}`);
}

/** One line for a finished run: the agent's reason, or "exited with code 2". */
export function describeRun(run: StepRun): string {
  if (run.reason) return run.reason;
  if (run.outcome === 'failed') return `exited with code ${run.exitCode}`;
  return run.outcome;
}
