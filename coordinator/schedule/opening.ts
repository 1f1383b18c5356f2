/**
 * What a maintenance window does for its cluster when it opens, as a flat list of checks,
 * each able to return early:
 * 1. this schedule's own unfinished rollout: the window is its to continue (a rollout the
 *    last window paused resumes);
 * 2. another rollout on the cluster: the window is skipped, and says which;
 * 3. the cluster's last rollout failed or was aborted: skipped until an operator has looked;
 * 4. the target, resolved from tags the members fetch now: up to date, a problem, or
 * 5. a new linked rollout, initiated by `schedule:<name>`, that must stop at the window's end.
 */
import { ConvoyError, messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { InspectResult, RepoState } from '../../shared/wire.js';
import type { ScheduleConfig } from '../config.js';
import { isTerminal, type Rollout } from '../rollout/model.js';
import type { StartRequest } from '../rollout/controller.js';
import { resolveTarget, type MemberVersions, type Resolution } from './target.js';
import type { MaintenanceWindow } from './windows.js';

/** What the scheduler needs of the rollout controller (RolloutController has it). */
export interface ScheduleRollouts {
  activeRollouts(): Rollout[];
  list(limit: number, cluster?: string): Rollout[];
  start(req: StartRequest): Rollout;
  openWindow(id: string, windowEndsAtMs: number, actor: string): Rollout;
  setResumeAt(id: string, resumeAtMs: number): void;
  inspect(agentId: string, requestId: string, target: string, timeoutMs: number): Promise<InspectResult>;
}

/** What the scheduler needs of the fleet registry (Fleet has it). */
export interface ScheduleFleet {
  get(agentId: string): { connected: boolean; repo?: RepoState } | undefined;
}

/** How a window opening ended: one line for `convoy schedules`, and the rollout it concerns. */
export interface Decision {
  outcome: string;
  rolloutId: string;
}

export interface OpeningContext {
  rollouts: ScheduleRollouts;
  fleet: ScheduleFleet;
  logger: Logger;
  /** How long members may take to fetch and report their tags. */
  refreshTimeoutMs: number;
  /** True once the coordinator is stopping: decide nothing more. */
  stopping(): boolean;
}

/** The schedule's actor: the initiator of its rollouts. */
export function scheduleActor(name: string): string {
  return `schedule:${name}`;
}

/** Unfinished rollouts touching any member of the cluster (a single-host rollout of a member counts). */
export function rolloutsOnCluster(rollouts: ScheduleRollouts, cluster: string, members: string[]): Rollout[] {
  return rollouts.activeRollouts().filter((r) => r.cluster === cluster || r.hosts.some((h) => members.includes(h.agentId)));
}

/** "skipped: rollout r-3 is running" (a failed rollout still busy is rolling a host back). */
function skippedFor(r: Rollout): Decision {
  const doing = isTerminal(r.state) ? 'rolling a host back' : r.state;
  return { outcome: `skipped: rollout ${r.id} is ${doing}`, rolloutId: r.id };
}

function continueOwn(ctx: OpeningContext, own: Rollout, w: MaintenanceWindow, actor: string): Decision {
  const windowPaused = own.state === 'paused' && own.pauseKind === 'window';
  const r = ctx.rollouts.openWindow(own.id, w.endMs, actor);
  const id = r.id;
  if (windowPaused) return { outcome: `resumed ${id} (to ${r.target})`, rolloutId: id };
  if (r.state === 'awaiting-ack')
    return { outcome: `${id} still awaits acknowledgement of its release notes: run \`convoy rollout ack ${id}\``, rolloutId: id };
  if (r.state === 'paused') return { outcome: `${id} stays paused (${r.reason})`, rolloutId: id };
  return { outcome: `continued ${id} (to ${r.target}) in this window`, rolloutId: id };
}

/** Asks each connected member to fetch and report its tags; falls back to what it reported last. */
async function refreshedMembers(ctx: OpeningContext, members: string[], requestPrefix: string): Promise<MemberVersions[]> {
  const asOf = (agentId: string, repo: RepoState | null | undefined): MemberVersions => ({
    agentId,
    installedVersion: repo?.installedVersion ?? '',
    tags: repo?.tags,
  });
  return Promise.all(
    members.map(async (agentId) => {
      const rec = ctx.fleet.get(agentId);
      if (!rec?.connected) return asOf(agentId, rec?.repo);
      try {
        // the installed version is a tag the agent has: inspecting it fetches and costs nothing else
        const target = rec.repo?.installedVersion || 'HEAD';
        const res = await ctx.rollouts.inspect(agentId, `${requestPrefix}.${agentId}`, target, ctx.refreshTimeoutMs);
        return asOf(agentId, res.repo ?? rec.repo);
      } catch (err) {
        ctx.logger.warn('could not refresh tags before a maintenance window; using the last ones reported', {
          host: agentId,
          error: messageOf(err),
        });
        return asOf(agentId, rec.repo);
      }
    }),
  );
}

/** The target right now from the tags the members last reported (no fetch): for `convoy schedules`. */
export function resolveNow(fleet: ScheduleFleet, config: ScheduleConfig, members: string[]): Resolution {
  return resolveTarget(
    config.target,
    members.map((agentId) => {
      const repo = fleet.get(agentId)?.repo;
      return { agentId, installedVersion: repo?.installedVersion ?? '', tags: repo?.tags };
    }),
  );
}

function startRollout(ctx: OpeningContext, s: ScheduleConfig, target: string, w: MaintenanceWindow): Decision {
  try {
    const r = ctx.rollouts.start({
      cluster: s.cluster,
      host: '',
      target,
      ackReleaseNotes: s.ackReleaseNotes,
      actor: scheduleActor(s.name),
      schedule: s.name,
      windowEndsAtMs: w.endMs,
    });
    return { outcome: `started ${r.id} to ${target}`, rolloutId: r.id };
  } catch (err) {
    if (err instanceof ConvoyError) return { outcome: `not started: ${err.message}`, rolloutId: '' };
    throw err;
  }
}

/** Decides what the window `w` of schedule `s` does; `manual` for `convoy schedules run`. */
export async function openScheduleWindow(
  ctx: OpeningContext,
  s: ScheduleConfig,
  members: string[],
  w: MaintenanceWindow,
  manual: boolean,
): Promise<Decision | undefined> {
  const actor = scheduleActor(s.name);
  const busy = rolloutsOnCluster(ctx.rollouts, s.cluster, members);
  const own = busy.find((r) => r.schedule === s.name && !isTerminal(r.state));
  if (own) return continueOwn(ctx, own, w, actor);
  const other = busy[0];
  if (other) return skippedFor(other);
  const last = ctx.rollouts.list(1, s.cluster)[0];
  if (!manual && last && (last.state === 'failed' || last.state === 'aborted')) {
    return {
      outcome: `skipped: the last rollout of ${s.cluster}, ${last.id}, ${last.state === 'failed' ? 'failed' : 'was aborted'}; a schedule does not retry by itself. See \`convoy rollout status ${last.id}\`, then run \`convoy schedules run ${s.name}\``,
      rolloutId: last.id,
    };
  }
  const resolution = resolveTarget(s.target, await refreshedMembers(ctx, members, `${s.name}-${w.startMs}.tags`));
  if (ctx.stopping()) return undefined;
  // the cluster may have become busy while the members fetched
  const late = rolloutsOnCluster(ctx.rollouts, s.cluster, members)[0];
  if (late) return skippedFor(late);
  if (resolution.kind === 'problem') return { outcome: `not started: ${resolution.problem}`, rolloutId: '' };
  if (resolution.kind === 'up-to-date') return { outcome: `up to date: every member runs ${resolution.target}`, rolloutId: '' };
  return startRollout(ctx, s, resolution.target, w);
}
