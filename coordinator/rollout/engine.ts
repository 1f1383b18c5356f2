/**
 * The rollout engine: pure transitions. No I/O, no clock: `now` is an argument, and every
 * function returns the new rollout plus the effects the controller must perform after it
 * has persisted that rollout. Effects carry deterministic ids, so replaying them after a
 * crash is harmless (the agent recognises a request id it already ran).
 */
import type { InspectResult, ReleaseNote, StepRequest, StepResult } from '../../shared/wire.js';
import { isDowngrade } from '../../shared/versions.js';
import {
  type HostRun,
  type Inspection,
  type Phase,
  type Rollout,
  type RolloutState,
  type RunOutcome,
  type StepRun,
  isTerminal,
  requestIdFor,
} from './model.js';

/** What the engine needs to know about an agent right now. */
export interface AgentFacts {
  connected: boolean;
  healthy: boolean;
  healthVersion: string;
  healthDetail: string;
}

export type FactsLookup = (agentId: string) => AgentFacts | undefined;

/** Something that happened, for the event log. */
export interface EngineEvent {
  kind: 'transition' | 'phase' | 'step-started' | 'step-finished' | 'host' | 'action' | 'preflight';
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
  | { kind: 'event'; event: EngineEvent };

export interface Transition {
  rollout: Rollout;
  effects: Effect[];
}

/** Operator actions on a rollout. */
export type RolloutAction = 'ack' | 'pause' | 'resume' | 'abort';

/** A mutable working copy plus the effects collected while transforming it. */
class Work {
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

  setState(to: RolloutState, reason: string, actor?: string): void {
    const from = this.r.state;
    if (from === to && this.r.reason === reason) return;
    this.r.state = to;
    this.r.reason = reason;
    this.r.updatedAtMs = this.now;
    if (isTerminal(to)) {
      this.r.finishedAtMs = this.now;
      this.r.phase = 'done';
    }
    this.event({ kind: 'transition', message: `${from} -> ${to}${reason ? `: ${reason}` : ''}`, actor });
  }

  setPhase(to: Phase): void {
    if (this.r.phase === to) return;
    this.event({ kind: 'phase', message: `phase ${this.r.phase} -> ${to}` });
    this.r.phase = to;
    this.r.updatedAtMs = this.now;
  }

  result(): Transition {
    return { rollout: this.r, effects: this.effects };
  }
}

/** The latest attempt of `step` on a host. */
export function latestRun(host: HostRun, step: string): StepRun | undefined {
  let found: StepRun | undefined;
  for (const run of host.runs) if (run.step === step && (!found || run.attempt >= found.attempt)) found = run;
  return found;
}

function host(w: Work, agentId: string): HostRun | undefined {
  return w.r.hosts.find((h) => h.agentId === agentId);
}

/** Sends one step to an agent and records the attempt as running. */
function dispatch(w: Work, h: HostRun, step: string, phase: Phase): void {
  const attempt = (latestRun(h, step)?.attempt ?? 0) + 1;
  const requestId = requestIdFor(w.r.id, h.agentId, step, attempt);
  h.runs.push({
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
  });
  if (!h.startedAtMs) h.startedAtMs = w.now;
  w.event({
    kind: 'step-started',
    message: `${step} started on ${h.agentId}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
    agentId: h.agentId,
    step,
  });
  w.effects.push({ kind: 'run-step', agentId: h.agentId, request: stepRequest(w.r, h, h.runs[h.runs.length - 1] as StepRun) });
}

/** The request for one attempt; rebuilt identically when it must be sent again after a reconnect. */
export function stepRequest(r: Rollout, h: HostRun, run: StepRun): StepRequest {
  return {
    requestId: run.requestId,
    rolloutId: r.id,
    agentId: h.agentId,
    step: run.step,
    targetVersion: r.target,
    fromVersion: h.fromVersion,
    backupId: '',
    restoreCommit: '',
    attempt: run.attempt,
    healthDeadlineMs: run.step === 'health' ? r.healthDeadlineMs : 0,
  };
}

/** Fails the rollout: the host and step that stopped it, and why. No further host is touched. */
function failRollout(w: Work, agentId: string, step: string, reason: string): void {
  if (isTerminal(w.r.state)) return;
  w.r.failedHost = agentId;
  w.r.failedStep = step;
  w.setState('failed', `${agentId}: ${step}: ${reason}`);
}

// ---------------------------------------------------------------------------------------
// reconcile: decide what happens next, from the rollout and what we know of the agents.

/** Advances the rollout as far as it can go now. Safe to call at any time, any number of times. */
export function reconcile(rollout: Rollout, facts: FactsLookup, now: number): Transition {
  const w = new Work(rollout, now);
  for (let guard = 0; guard < 8; guard++) {
    const phase = w.r.phase;
    const state = w.r.state;
    reconcileOnce(w, facts);
    if (w.r.phase === phase && w.r.state === state) break;
  }
  return w.result();
}

function reconcileOnce(w: Work, facts: FactsLookup): void {
  const { r } = w;
  if (isTerminal(r.state) || r.state === 'awaiting-ack' || r.state === 'paused') return;
  if (r.phase === 'preflight') return reconcilePreflight(w, facts);
  if (r.phase === 'backup-all') return reconcileBackupAll(w);
  if (r.phase === 'auth') return reconcileAuth(w);
  if (r.phase === 'members') return reconcileMembers(w, facts);
}

function reconcilePreflight(w: Work, facts: FactsLookup): void {
  let waiting = false;
  for (const h of w.r.hosts) {
    if (h.inspection?.done) continue;
    waiting = true;
    if (h.inspection) continue; // asked already; the controller re-sends on reconnect
    if (!facts(h.agentId)?.connected) continue; // asked when it connects
    const requestId = `${w.r.id}.${h.agentId}.inspect`;
    h.inspection = emptyInspection(requestId);
    w.effects.push({ kind: 'inspect', agentId: h.agentId, requestId, target: w.r.target });
  }
  if (waiting) return;
  finishPreflight(w);
}

function emptyInspection(requestId: string): Inspection {
  return {
    requestId,
    done: false,
    installedVersion: '',
    commit: '',
    clean: false,
    dirtyDetail: '',
    targetExists: false,
    error: '',
    healthy: false,
    healthDetail: '',
    notes: [],
  };
}

/** Why a host cannot be updated, from its inspection; undefined when it is ready. */
export function preflightProblem(r: Rollout, h: HostRun): string | undefined {
  const i = h.inspection;
  if (!i) return 'not inspected';
  if (i.error) return i.error;
  if (!i.targetExists) return `version ${r.target} does not exist in its repository`;
  if (!i.clean)
    return `work tree is not clean (${i.dirtyDetail || 'uncommitted changes'}): commit, stash or remove the changes, then start again`;
  if (!i.healthy) return `is not healthy before the update (${i.healthDetail || 'no detail'}): fix the server first`;
  if (!r.allowDowngrade && isDowngrade(i.installedVersion, r.target)) {
    return `${r.target} is a downgrade from ${i.installedVersion} (set allowDowngrade: true on the cluster to permit it)`;
  }
  return undefined;
}

function finishPreflight(w: Work): void {
  const { r } = w;
  for (const h of r.hosts) {
    const problem = preflightProblem(r, h);
    if (problem) {
      w.event({ kind: 'preflight', message: `${h.agentId} ${problem}`, agentId: h.agentId });
      return failRollout(w, h.agentId, 'preflight', problem);
    }
  }
  for (const h of r.hosts) {
    h.fromVersion = h.inspection?.installedVersion ?? '';
    if (h.fromVersion === r.target) {
      h.state = 'skipped';
      h.reason = `already at ${r.target}`;
    }
  }
  if (r.hosts.every((h) => h.state === 'skipped')) return w.setState('succeeded', `every host already runs ${r.target}`);
  r.releaseNotes = mergeNotes(r.hosts.flatMap((h) => h.inspection?.notes ?? []));
  r.ackRequired = r.releaseNotes.some((n) => n.requiresAction);
  if (r.ackRequired && !r.ackedBy) {
    if (r.ackPreapproved) {
      r.ackedBy = r.initiator;
      r.ackedAtMs = w.now;
      w.event({ kind: 'action', message: `release notes acknowledged at start by ${r.initiator}`, actor: r.initiator });
    } else {
      const versions = r.releaseNotes.filter((n) => n.requiresAction).map((n) => n.version);
      return w.setState(
        'awaiting-ack',
        `release notes of ${[...new Set(versions)].join(', ')} declare required changes: make them, then run \`convoy rollout ack ${r.id}\``,
      );
    }
  }
  w.setPhase('backup-all');
  w.setState('running', '');
}

/** Release notes from all hosts, one per (version, source), ascending by version. */
function mergeNotes(notes: ReleaseNote[]): ReleaseNote[] {
  const seen = new Map<string, ReleaseNote>();
  for (const n of notes) if (!seen.has(`${n.version}\u0000${n.source}`)) seen.set(`${n.version}\u0000${n.source}`, n);
  return [...seen.values()];
}

function activeHosts(r: Rollout): HostRun[] {
  return r.hosts.filter((h) => h.state !== 'skipped');
}

function reconcileBackupAll(w: Work): void {
  let pending = false;
  for (const h of activeHosts(w.r)) {
    if (h.state === 'backed-up') continue;
    if (!h.hasBackup) {
      h.state = 'backed-up';
      continue;
    }
    pending = true;
    const run = latestRun(h, 'backup');
    if (run?.outcome === 'running') continue;
    if (!run || (run.outcome === 'interrupted' && h.rerunnable.includes('backup'))) {
      h.state = 'backing-up';
      dispatch(w, h, 'backup', 'backup-all');
    }
  }
  if (pending) return;
  const auth = w.r.authHost ? host(w, w.r.authHost) : undefined;
  w.setPhase(auth && auth.state !== 'skipped' ? 'auth' : 'members');
}

/** Runs the next step of a host's update; marks it updated when every step succeeded. */
function advanceHost(w: Work, h: HostRun, phase: Phase): void {
  for (const step of h.updateSteps) {
    const run = latestRun(h, step);
    if (run?.outcome === 'succeeded') continue;
    if (run?.outcome === 'running') return;
    if (run && !(run.outcome === 'interrupted' && h.rerunnable.includes(step))) return; // failed: handled on result
    h.state = step === 'health' ? 'waiting-healthy' : 'updating';
    dispatch(w, h, step, phase);
    return;
  }
  h.state = 'updated';
  h.finishedAtMs = w.now;
  w.event({ kind: 'host', message: `${h.agentId} updated to ${w.r.target}`, agentId: h.agentId });
}

function reconcileAuth(w: Work): void {
  const auth = host(w, w.r.authHost);
  if (!auth || auth.state === 'updated' || auth.state === 'skipped') return w.setPhase('members');
  advanceHost(w, auth, 'auth');
  // advanceHost may have finished the host: read its state again
  if ((auth.state as HostRun['state']) === 'updated') w.setPhase('members');
}

/** Why the auth server does not allow a member to start, or undefined when it does. */
export function authGateProblem(r: Rollout, facts: FactsLookup): string | undefined {
  if (!r.authHost) return undefined;
  const f = facts(r.authHost);
  if (!f?.connected) return `auth server ${r.authHost} is not connected`;
  if (!f.healthy) return `auth server ${r.authHost} is not healthy (${f.healthDetail || 'no detail'})`;
  if (f.healthVersion && f.healthVersion !== r.target)
    return `auth server ${r.authHost} reports version ${f.healthVersion}, not ${r.target}`;
  return undefined;
}

function reconcileMembers(w: Work, facts: FactsLookup): void {
  const members = activeHosts(w.r).filter((h) => h.agentId !== w.r.authHost);
  const inProgress = (): HostRun[] => members.filter((h) => h.state === 'updating' || h.state === 'waiting-healthy');
  for (const h of inProgress()) advanceHost(w, h, 'members');
  for (const next of members.filter((h) => h.state === 'backed-up')) {
    if (inProgress().length >= w.r.maxParallel) break;
    const gate = authGateProblem(w.r, facts);
    if (gate) return w.setState('paused', `${gate}; no member was started. Fix it, then run \`convoy rollout resume ${w.r.id}\``);
    advanceHost(w, next, 'members');
  }
  if (members.every((h) => h.state === 'updated')) w.setState('succeeded', `every host runs ${w.r.target}`);
}

// ---------------------------------------------------------------------------------------
// results from agents

const OUTCOMES: Record<string, RunOutcome> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed-out',
  CANCELLED: 'cancelled',
  REFUSED: 'refused',
  INTERRUPTED: 'interrupted',
};

/** Records a step result. A result for an unknown or already finished attempt changes nothing. */
export function applyStepResult(rollout: Rollout, agentId: string, result: StepResult, now: number): Transition {
  const w = new Work(rollout, now);
  const h = host(w, agentId);
  const run = h?.runs.find((x) => x.requestId === result.requestId);
  if (!h || !run || run.outcome !== 'running') return { rollout, effects: [] };
  run.outcome = OUTCOMES[result.outcome] ?? 'failed';
  run.exitCode = result.exitCode;
  run.reason = result.reason;
  run.finishedAtMs = result.finishedAtMs || now;
  if (result.startedAtMs) run.startedAtMs = result.startedAtMs;
  run.outputTail = result.outputTail.slice(-40);
  w.r.updatedAtMs = now;
  w.event({
    kind: 'step-finished',
    message: `${run.step} on ${agentId} ${run.outcome}${run.reason ? `: ${run.reason}` : ''}`,
    agentId,
    step: run.step,
  });
  if (run.step === 'checkout' && result.previousCommit) h.previousCommit = result.previousCommit;
  if (run.step === 'backup' && result.backup?.id) h.preBackupId = result.backup.id;
  if (run.outcome === 'succeeded') {
    if (run.step === 'backup') h.state = 'backed-up';
    return w.result();
  }
  if (run.outcome === 'interrupted' && h.rerunnable.includes(run.step) && !isTerminal(w.r.state)) {
    w.event({ kind: 'step-finished', message: `${run.step} on ${agentId} was interrupted and will be re-run`, agentId, step: run.step });
    return w.result();
  }
  h.state = 'failed';
  h.reason = `${run.step}: ${describeRun(run)}`;
  h.finishedAtMs = now;
  failRollout(w, agentId, run.step, describeRun(run));
  return w.result();
}

/** One line for a finished run: "exited with code 2" / "timed out …" / the agent's reason. */
export function describeRun(run: StepRun): string {
  if (run.reason) return run.reason;
  if (run.outcome === 'failed') return `exited with code ${run.exitCode}`;
  return run.outcome;
}

/** Records what preflight learned from one agent. */
export function applyInspectResult(rollout: Rollout, agentId: string, result: InspectResult, now: number): Transition {
  const w = new Work(rollout, now);
  const h = host(w, agentId);
  if (!h?.inspection || h.inspection.requestId !== result.requestId || h.inspection.done) return { rollout, effects: [] };
  h.inspection = {
    requestId: result.requestId,
    done: true,
    installedVersion: result.repo?.installedVersion ?? '',
    commit: result.repo?.commit ?? '',
    clean: result.repo?.clean ?? false,
    dirtyDetail: result.repo?.dirtyDetail ?? '',
    targetExists: result.targetExists,
    error: result.error,
    healthy: result.health ? result.health.healthy || !result.health.configured : false,
    healthDetail: result.health?.detail ?? '',
    notes: result.releaseNotes?.notes ?? [],
  };
  return w.result();
}

// ---------------------------------------------------------------------------------------
// operator actions

/** Applies an operator action, or returns why it is not possible ("cannot pause rollout r-4: it already succeeded"). */
export function applyAction(rollout: Rollout, action: RolloutAction, actor: string, now: number): Transition | { error: string } {
  const w = new Work(rollout, now);
  const { r } = w;
  if (isTerminal(r.state))
    return { error: `cannot ${action} rollout ${r.id}: it already ${r.state === 'aborted' ? 'was aborted' : r.state}` };
  w.event({ kind: 'action', message: `${action} requested by ${actor}`, actor });
  switch (action) {
    case 'ack':
      if (r.state !== 'awaiting-ack') return { error: `cannot ack rollout ${r.id}: it is ${r.state}, not awaiting-ack` };
      r.ackedBy = actor;
      r.ackedAtMs = now;
      w.setPhase('backup-all');
      w.setState('running', '', actor);
      return w.result();
    case 'pause':
      if (r.state === 'paused') return { error: `cannot pause rollout ${r.id}: it is already paused` };
      if (r.state === 'awaiting-ack')
        return { error: `cannot pause rollout ${r.id}: it is awaiting-ack and runs nothing until acknowledged` };
      w.setState('paused', `paused by ${actor}`, actor);
      return w.result();
    case 'resume':
      if (r.state !== 'paused') return { error: `cannot resume rollout ${r.id}: it is ${r.state}, not paused` };
      r.resumeAtMs = 0;
      w.setState(r.phase === 'preflight' ? 'pending' : 'running', '', actor);
      return w.result();
    case 'abort':
      for (const h of r.hosts) {
        for (const run of h.runs) {
          if (run.outcome === 'running')
            w.effects.push({
              kind: 'cancel-step',
              agentId: h.agentId,
              requestId: run.requestId,
              reason: `rollout ${r.id} aborted by ${actor}`,
            });
        }
      }
      w.setState('aborted', `aborted by ${actor}`, actor);
      return w.result();
  }
}
