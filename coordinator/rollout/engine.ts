/**
 * The rollout engine: pure transitions. No I/O, no clock: `now` is an argument, and every
 * function returns the new rollout plus the effects the controller must perform after it
 * has persisted that rollout. Effects carry deterministic ids, so replaying them after a
 * crash is harmless (the agent recognises a request id it already ran).
 *
 * reconcile() reads as a flat list of phases, each able to return early.
 */
import { formatDuration } from '../../shared/durations.js';
import { isDowngrade, sameVersion } from '../../shared/versions.js';
import { type HostRun, type Inspection, type Phase, type Rollout, isTerminal } from './model.js';
import { expireLostSteps, stepLostAtMs } from './lost-steps.js';
import { ackReasons, gatherFromInspections, notesOf, reportMissingNotes } from './notes.js';
import { advanceRollback } from './rollback.js';
import { type Env, type Transition, Work, dispatch, failRollout, latestRun } from './work.js';

export * from './work.js';
export { applyAction, openWindow, setResumeAt, type ActionOptions, type RolloutAction } from './actions.js';
export { applyInspectResult, applyRemoteNotes, applyStepResult } from './results.js';
export { lostStepDeadline, stepLostAtMs } from './lost-steps.js';

/**
 * The next instant the rollout must be reconciled even if nothing happens meanwhile (a lost
 * step's deadline, the window's end, the auth gate's deadline); undefined when only an event
 * (a result, a reconnect, an operator, an alert check) can move it. The controller arms one
 * timer per rollout at this instant, the way Nomad's deployment watcher arms one at its cutoff.
 */
export function nextWakeAt(r: Rollout, env: Env, now: number): number | undefined {
  const times: number[] = [];
  for (const h of r.hosts) for (const run of h.runs) times.push(stepLostAtMs(r, h, run, env) ?? Infinity);
  if (!isTerminal(r.state)) {
    if (r.windowEndsAtMs > 0 && (r.state === 'running' || r.state === 'pending')) times.push(r.windowEndsAtMs);
    if (r.authWaitSinceMs) times.push(r.authWaitSinceMs + authWaitLimitMs(r, env));
  }
  // an instant already past was judged by the reconcile that just ran: only events move it now
  const next = Math.min(...times.filter((t) => t > now), Infinity);
  return Number.isFinite(next) ? next : undefined;
}

/** Advances the rollout as far as it can go now. Safe to call at any time, any number of times. */
export function reconcile(rollout: Rollout, env: Env, now: number): Transition {
  const w = new Work(rollout, now);
  for (let guard = 0; guard < 8; guard++) {
    const before = `${w.r.phase}/${w.r.state}`;
    reconcileOnce(w, env);
    if (`${w.r.phase}/${w.r.state}` === before) break;
  }
  return w.result();
}

function reconcileOnce(w: Work, env: Env): void {
  const { r } = w;
  expireLostSteps(w, env);
  for (const h of r.hosts) if (h.rollback && !h.rollback.done) advanceRollback(w, h);
  if (isTerminal(r.state) || r.state === 'awaiting-ack' || r.phase === 'rollback') return;
  if (r.state === 'paused') {
    if (r.pauseKind === 'operator' && !r.pauseNow) finishHostsInFlight(w);
    return resumeIfCleared(w, env);
  }
  if (r.phase === 'preflight') return reconcilePreflight(w, env);
  if (r.phase === 'backup-all') return reconcileBackupAll(w, env);
  if (r.phase === 'auth') return reconcileAuth(w, env);
  if (r.phase === 'members') return reconcileMembers(w, env);
}

// ---------------------------------------------------------------------------------------
// preflight

function reconcilePreflight(w: Work, env: Env): void {
  let waiting = false;
  for (const h of w.r.hosts) {
    if (h.inspection?.done) continue;
    waiting = true;
    if (h.inspection) continue; // asked already; the controller re-sends on reconnect
    if (!env.agent(h.agentId)?.connected) continue; // asked when it connects
    const requestId = `${w.r.id}.${h.agentId}.inspect`;
    h.inspection = emptyInspection(requestId);
    w.effects.push({ kind: 'inspect', agentId: h.agentId, requestId, target: w.r.target });
  }
  if (!waiting) finishPreflight(w);
}

export function emptyInspection(requestId: string): Inspection {
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
    healthVersion: '',
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
  const status = notesOf(r);
  if (status.remote !== 'asked' && status.remote !== 'done') {
    skipHostsAtTarget(w);
    if (r.hosts.every((h) => h.state === 'skipped')) return w.setState('succeeded', `every host already runs ${r.target}`);
    gatherFromInspections(r);
    if (status.remote === 'unasked') status.remote = 'asked';
  }
  if (status.remote === 'asked') {
    // the coordinator's own source (GitHub releases) is asked once the versions on the way are known;
    // asked again at every reconcile until it answers (the controller runs one fetch at a time)
    w.effects.push({ kind: 'fetch-release-notes', versions: status.versions });
    return;
  }
  reportMissingNotes(w);
  const reasons = ackReasons(r);
  r.ackRequired = reasons.length > 0;
  if (r.ackRequired && !r.ackedBy) {
    if (r.ackPreapproved) {
      r.ackedBy = r.initiator;
      r.ackedAtMs = w.now;
      w.event({
        kind: 'action',
        message: `release notes acknowledged at start by ${r.initiator}: ${reasons.join('; ')}`,
        actor: r.initiator,
      });
    } else {
      return w.setState('awaiting-ack', `${reasons.join('; ')}: make the changes, then run \`convoy rollout ack ${r.id}\``);
    }
  }
  w.setPhase('backup-all');
  w.setState('running', '');
}

/**
 * What preflight decides for a host it found fit: skip it (already at the target and serving
 * it), update it again (at the target but serving another version: left half-way by a failed
 * rollout), or update it.
 */
export function targetVerdict(r: Rollout, h: HostRun): { verdict: 'skip' | 'update'; reason: string } {
  const installed = h.inspection?.installedVersion ?? '';
  if (installed !== r.target) return { verdict: 'update', reason: '' };
  const served = h.inspection?.healthVersion ?? '';
  if (served && !sameVersion(served, r.target))
    return { verdict: 'update', reason: `its work tree is at ${r.target} but it serves ${served}; it is updated again` };
  return { verdict: 'skip', reason: `already at ${r.target}` };
}

/** Hosts already at the target are skipped, unless they do not serve it. */
function skipHostsAtTarget(w: Work): void {
  for (const h of w.r.hosts) {
    h.fromVersion = h.inspection?.installedVersion ?? '';
    const { verdict, reason } = targetVerdict(w.r, h);
    if (verdict === 'skip') {
      h.state = 'skipped';
      h.reason = reason;
    } else if (reason) {
      w.event({ kind: 'preflight', message: `${h.agentId}: ${reason}`, agentId: h.agentId });
    }
  }
}

// ---------------------------------------------------------------------------------------
// gates: checked just before a host starts (and before the backups start)

/** Why the auth server does not allow a member to start, or undefined when it does. */
export function authGateProblem(r: Rollout, env: Env): string | undefined {
  if (!r.authHost) return undefined;
  const f = env.agent(r.authHost);
  if (!f?.connected) return `auth server ${r.authHost} is not connected`;
  if (!f.healthy) return `auth server ${r.authHost} is not healthy (${f.healthDetail || 'no detail'})`;
  if (f.healthVersion && !sameVersion(f.healthVersion, r.target))
    return `auth server ${r.authHost} reports version ${f.healthVersion}, not ${r.target}`;
  return undefined;
}

function windowClosed(w: Work): boolean {
  return w.r.windowEndsAtMs > 0 && w.now >= w.r.windowEndsAtMs;
}

/**
 * Returns true when the next host may start. Otherwise it pauses the rollout (window closed,
 * alerts firing) or asks for a fresh alert check, and returns false.
 */
function mayStartHost(w: Work, env: Env, hostStartedAfterMs: number): boolean {
  if (windowClosed(w)) {
    w.pause('window', 'maintenance window closed');
    return false;
  }
  if (!w.r.cluster || !env.gatesOnAlerts?.(w.r.cluster)) return true;
  const alerts = env.alerts?.(w.r.cluster);
  if (!alerts || alerts.checkedAtMs < hostStartedAfterMs) {
    // ask Prometheus now, right before this host starts; reconcile runs again with the answer
    w.effects.push({ kind: 'check-alerts', cluster: w.r.cluster });
    return false;
  }
  if (alerts.error) {
    w.pause('alerts', `cannot ask Prometheus for firing alerts (${alerts.error}); resumes by itself once it answers with none firing`);
    return false;
  }
  if (alerts.firing.length) {
    w.pause('alerts', `alerts firing: ${alerts.firing.join(', ')}; resumes by itself when they clear`);
    return false;
  }
  return true;
}

/** Paused by alerts: resume as soon as a fresh check shows none firing. Other pauses wait for an operator or the window. */
function resumeIfCleared(w: Work, env: Env): void {
  if (w.r.pauseKind !== 'alerts' || !w.r.cluster) return;
  const alerts = env.alerts?.(w.r.cluster);
  if (!alerts || alerts.checkedAtMs <= w.r.updatedAtMs) {
    w.effects.push({ kind: 'check-alerts', cluster: w.r.cluster });
    return;
  }
  if (alerts.error || alerts.firing.length) {
    // ask again (the alert source spaces its queries by pollInterval while the rollout is paused)
    w.effects.push({ kind: 'check-alerts', cluster: w.r.cluster });
    return;
  }
  w.event({ kind: 'gate', message: 'alerts cleared; resuming' });
  w.setState(w.r.phase === 'preflight' ? 'pending' : 'running', '');
}

// ---------------------------------------------------------------------------------------
// backup-all, auth, members

function activeHosts(r: Rollout): HostRun[] {
  return r.hosts.filter((h) => h.state !== 'skipped');
}

function reconcileBackupAll(w: Work, env: Env): void {
  const hosts = activeHosts(w.r);
  if (hosts.every((h) => h.state === 'pending') && hosts.some((h) => h.hasBackup) && !mayStartHost(w, env, w.r.createdAtMs)) return;
  let pending = false;
  for (const h of hosts) {
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
  const auth = w.r.authHost ? w.r.hosts.find((h) => h.agentId === w.r.authHost) : undefined;
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
  w.progress();
  w.event({ kind: 'host', message: `${h.agentId} updated to ${w.r.target}`, agentId: h.agentId });
}

function inProgress(h: HostRun): boolean {
  return h.state === 'updating' || h.state === 'waiting-healthy';
}

/** When the last step finished (a gate check must be newer than this). */
function lastStepFinishedAt(r: Rollout): number {
  // any finished step counts (the backups too): a check made before a long backup is stale
  return Math.max(r.createdAtMs, ...r.hosts.flatMap((h) => [h.finishedAtMs || 0, ...h.runs.map((run) => run.finishedAtMs || 0)]));
}

/**
 * An operator's pause stops at the next safe point: a host in flight finishes its update and
 * its health gate (a host left checked out but not built is worse than either end), and no new
 * host starts.
 */
function finishHostsInFlight(w: Work): void {
  for (const h of activeHosts(w.r).filter(inProgress)) advanceHost(w, h, h.agentId === w.r.authHost ? 'auth' : 'members');
  const auth = w.r.hosts.find((h) => h.agentId === w.r.authHost);
  if (w.r.phase === 'auth' && auth?.state === 'updated') w.setPhase('members');
}

/** The least the auth gate waits for the auth server to come back (a restarted convoyd, a restarting agent). */
export const AUTH_WAIT_MIN_MS = 60_000;

/** How long the auth gate waits before it pauses for an operator. */
function authWaitLimitMs(r: Rollout, env: Env): number {
  return Math.max(r.healthDeadlineMs, env.stepGraceMs, AUTH_WAIT_MIN_MS);
}

/**
 * The auth server is not fit for a member to start: wait for it (a restarted convoyd sees its
 * agents come back one by one; the auth server may simply reconnect later than a member) with
 * the reason visible, and pause for an operator only after a deadline.
 */
function waitForAuth(w: Work, gate: string, env: Env): void {
  const since = (w.r.authWaitSinceMs ||= w.now);
  const limit = authWaitLimitMs(w.r, env);
  if (w.now < since + limit) {
    const reason = `waiting for the auth server: ${gate}; no member starts until it is back (pauses at ${new Date(since + limit).toISOString()} otherwise)`;
    if (w.r.reason !== reason) {
      w.r.reason = reason;
      w.r.updatedAtMs = w.now;
      w.event({ kind: 'gate', message: reason });
    }
    return;
  }
  w.r.authWaitSinceMs = 0;
  w.pause('auth', `${gate} for ${formatDuration(limit)}; no member was started. Fix it, then run \`convoy rollout resume ${w.r.id}\``);
}

function reconcileAuth(w: Work, env: Env): void {
  const auth = w.r.hosts.find((h) => h.agentId === w.r.authHost);
  if (!auth || auth.state === 'updated' || auth.state === 'skipped') return w.setPhase('members');
  if (auth.state === 'backed-up' && !mayStartHost(w, env, lastStepFinishedAt(w.r))) return;
  advanceHost(w, auth, 'auth');
  // advanceHost may have finished the host: read its state again
  if ((auth.state as HostRun['state']) === 'updated') w.setPhase('members');
}

function reconcileMembers(w: Work, env: Env): void {
  const members = activeHosts(w.r).filter((h) => h.agentId !== w.r.authHost);
  for (const h of members.filter(inProgress)) advanceHost(w, h, 'members');
  for (const next of members.filter((h) => h.state === 'backed-up')) {
    if (members.filter(inProgress).length >= w.r.maxParallel) break;
    if (windowClosed(w) && members.some(inProgress)) return; // hosts in progress finish first, then the rollout pauses
    if (!mayStartHost(w, env, lastStepFinishedAt(w.r))) return;
    const gate = authGateProblem(w.r, env);
    if (gate) return waitForAuth(w, gate, env);
    w.r.authWaitSinceMs = 0;
    advanceHost(w, next, 'members');
  }
  if (members.every((h) => h.state === 'updated')) w.setState('succeeded', `every host runs ${w.r.target}`);
}
