/** Operator actions on a rollout. An illegal request comes back as words, not an exception. */
import type { RolloutAction } from '../../shared/rollout-states.js';
import { type Rollout, isTerminal } from './model.js';
import { beginRollback, canRollBack, rollbackProblem, supersededBy } from './rollback.js';
import { type Transition, Work } from './work.js';

export type { RolloutAction };

/** What an action may carry beyond its name. */
export interface ActionOptions {
  /** pause: stop before the next step, not at the next safe point. */
  now?: boolean;
  /** rollback: rollouts newer than this one (from the store), to refuse a superseded rollback. */
  later?: Rollout[];
  /** rollback: go back past a later rollout anyway (documented override). */
  allowSuperseded?: boolean;
}

/** Applies an operator action, or returns why it is not possible ("cannot pause rollout r-4: it already succeeded"). */
export function applyAction(
  rollout: Rollout,
  action: RolloutAction,
  actor: string,
  now: number,
  opts: ActionOptions = {},
): Transition | { error: string } {
  const w = new Work(rollout, now);
  const { r } = w;
  if (action === 'rollback') return rollback(w, actor, opts);
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
    case 'pause': {
      if (r.state === 'paused' && !(opts.now && !r.pauseNow))
        return { error: `cannot pause rollout ${r.id}: it is already paused (${r.reason})` };
      if (r.state === 'awaiting-ack')
        return { error: `cannot pause rollout ${r.id}: it is awaiting-ack and runs nothing until acknowledged` };
      if (r.phase === 'rollback')
        return { error: `cannot pause rollout ${r.id}: it is rolling a host back, which a pause does not stop (abort stops it)` };
      const inFlight = r.hosts.filter((h) => h.state === 'updating' || h.state === 'waiting-healthy').map((h) => h.agentId);
      const safePoint = inFlight.length
        ? `; ${inFlight.join(', ')} finish${inFlight.length === 1 ? 'es' : ''} the update and health gate first`
        : '';
      w.pause('operator', opts.now ? `paused by ${actor} before the next step` : `paused by ${actor}${safePoint}`, actor);
      w.r.pauseNow = opts.now === true;
      return w.result();
    }
    case 'resume':
      if (r.state !== 'paused') return { error: `cannot resume rollout ${r.id}: it is ${r.state}, not paused` };
      if (r.pauseKind === 'window' && r.windowEndsAtMs && now >= r.windowEndsAtMs) {
        // an operator may override the window: the rollout then runs without one
        r.windowEndsAtMs = 0;
        w.event({ kind: 'action', message: `${actor} resumed outside the maintenance window`, actor });
      }
      w.setState(r.phase === 'preflight' ? 'pending' : 'running', '', actor);
      return w.result();
    case 'abort':
      for (const h of r.hosts) {
        for (const run of h.runs) {
          if (run.outcome === 'running') {
            w.effects.push({
              kind: 'cancel-step',
              agentId: h.agentId,
              requestId: run.requestId,
              reason: `rollout ${r.id} aborted by ${actor}`,
            });
          }
        }
      }
      w.setState('aborted', `aborted by ${actor}`, actor);
      return w.result();
  }
}

function rollback(w: Work, actor: string, opts: ActionOptions): Transition | { error: string } {
  const { r } = w;
  if (r.phase === 'rollback' && !isTerminal(r.state)) {
    const busy = r.hosts.filter((h) => h.rollback && !h.rollback.done).map((h) => h.agentId);
    return {
      error: `cannot rollback rollout ${r.id}: it is rolling ${busy.join(', ') || 'a host'} back now; follow it with \`convoy rollout watch ${r.id}\``,
    };
  }
  if (r.state !== 'failed' && r.state !== 'aborted') {
    return {
      error: `cannot rollback rollout ${r.id}: it is ${r.state}; only a failed or aborted rollout's failed host can be rolled back`,
    };
  }
  const hosts = r.hosts.filter(canRollBack);
  if (hosts.length === 0) {
    const busy = r.hosts.find((h) => h.rollback && !h.rollback.done);
    if (busy) return { error: `cannot rollback rollout ${r.id}: ${busy.agentId} is already being rolled back` };
    const failed = r.hosts.find((h) => h.state === 'failed' || h.rollback);
    const why = failed ? rollbackProblem(failed) : undefined;
    if (why) return { error: `cannot rollback rollout ${r.id}: ${why}` };
    return { error: `cannot rollback rollout ${r.id}: no host failed after its checkout (nothing was changed that a rollback would undo)` };
  }
  for (const h of hosts) {
    const later = supersededBy(r, h, opts.later ?? []);
    if (later && !opts.allowSuperseded) {
      return {
        error: `cannot rollback rollout ${r.id}: rollout ${later.id} changed ${h.agentId} after it (to ${later.target}); rolling ${r.id} back would move ${h.agentId} back past ${later.id} and restore a backup older than it. Roll back ${later.id} instead, or add --allow-superseded to do it anyway (docs/operations.md)`,
      };
    }
  }
  w.event({ kind: 'action', message: `rollback requested by ${actor}${opts.allowSuperseded ? ' (--allow-superseded)' : ''}`, actor });
  for (const h of hosts) beginRollback(w, h, actor);
  return w.result();
}

/**
 * A maintenance window of the rollout's schedule opened: it runs until `windowEndsAtMs`, and a
 * rollout the last window's close paused resumes.
 */
export function openWindow(rollout: Rollout, windowEndsAtMs: number, actor: string, now: number): Transition {
  const w = new Work(rollout, now);
  const { r } = w;
  r.windowEndsAtMs = windowEndsAtMs;
  w.event({ kind: 'action', message: `maintenance window opened until ${new Date(windowEndsAtMs).toISOString()}`, actor });
  if (r.state === 'paused' && r.pauseKind === 'window') {
    w.setState(r.phase === 'preflight' ? 'pending' : 'running', 'maintenance window opened', actor);
    r.reason = '';
  }
  r.updatedAtMs = now;
  return w.result();
}

/** When a rollout paused by its window's close resumes by itself (0: not scheduled); shown by the CLI. */
export function setResumeAt(rollout: Rollout, resumeAtMs: number, now: number): Transition {
  const w = new Work(rollout, now);
  w.r.resumeAtMs = resumeAtMs;
  return w.result();
}
