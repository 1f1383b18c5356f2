/**
 * Who a rollout covers and whether it may start: the targets a request names, why a host is
 * refused before preflight, and the rollout `start` would create (which `convoy plan` previews).
 */
import { ConvoyError } from '../../shared/errors.js';
import { versionSyntaxProblem } from '../../shared/versions.js';
import type { ClusterConfig, CoordinatorConfig } from '../config.js';
import type { Fleet } from '../fleet/registry.js';
import type { Rollout } from './model.js';
import { createRollout } from './planner.js';

/** What a start (or a plan) asks for. */
export interface RolloutRequest {
  cluster: string;
  host: string;
  target: string;
  ackReleaseNotes: boolean;
  actor: string;
  /** Scheduled rollouts: the schedule's name and the end of its window. */
  schedule?: string;
  windowEndsAtMs?: number;
}

export interface AdmissionDeps {
  config: CoordinatorConfig;
  fleet: Pick<Fleet, 'get'>;
  /** The unfinished rollout that involves an agent, if any. */
  activeFor(agentId: string): Rollout | undefined;
  /** The label of the coordinator's release-notes source for a cluster ('' when none). */
  notesSourceLabel(cluster: string): string;
  now(): number;
}

export function clusterNamed(config: CoordinatorConfig, name: string): ClusterConfig | undefined {
  return config.clusters.find((c) => c.name === name);
}

/** Agent id -> its cluster, per cluster list (fixed while convoyd runs): listing agents is one lookup each, not a scan. */
const clusterIndexes = new WeakMap<readonly ClusterConfig[], Map<string, ClusterConfig>>();

export function clusterOfAgent(config: CoordinatorConfig, agentId: string): ClusterConfig | undefined {
  let index = clusterIndexes.get(config.clusters);
  if (!index) {
    index = new Map();
    // the first cluster that names an agent is its cluster (config validation refuses an agent in two)
    for (const c of config.clusters) for (const m of c.members) if (!index.has(m)) index.set(m, c);
    clusterIndexes.set(config.clusters, index);
  }
  return index.get(agentId);
}

/** Resolves who a rollout covers; throws ConvoyError with the next step. */
export function resolveTargets(
  deps: Pick<AdmissionDeps, 'config' | 'fleet'>,
  req: { cluster: string; host: string; target: string },
): { cluster?: ClusterConfig; members: string[] } {
  if (!!req.cluster === !!req.host)
    throw new ConvoyError('INVALID_ARGUMENT', 'name either a cluster or --host <agent>, not both and not neither');
  const problem = versionSyntaxProblem(req.target);
  if (problem) throw new ConvoyError('INVALID_ARGUMENT', `--to: ${problem}`);
  if (req.cluster) {
    const c = clusterNamed(deps.config, req.cluster);
    if (!c) {
      const known = deps.config.clusters.map((x) => x.name).join(', ') || 'none configured';
      throw new ConvoyError('NOT_FOUND', `cluster "${req.cluster}" is not in ${deps.config.file} (clusters: ${known})`);
    }
    return { cluster: c, members: c.members };
  }
  if (!deps.fleet.get(req.host))
    throw new ConvoyError(
      'NOT_FOUND',
      `agent "${req.host}" has never connected to this coordinator; run \`convoy agents\` to see the known agents`,
    );
  return { members: [req.host] };
}

/** Why `start` refuses a host before preflight (never connected, not connected, revoked, busy), or undefined. */
export function admissionProblem(deps: AdmissionDeps, id: string): string | undefined {
  const rec = deps.fleet.get(id);
  const cluster = clusterOfAgent(deps.config, id);
  if (!rec)
    return `agent "${id}"${cluster ? ` of cluster ${cluster.name}` : ''} has never connected; start convoy-agent on that host (or fix the member list)`;
  if (!rec.connected)
    return `agent "${id}" is not connected (last seen ${new Date(rec.lastSeenMs).toISOString()}); start it, then try again`;
  if (deps.config.denyAgents.includes(id)) return `agent "${id}" is revoked (denyAgents in ${deps.config.file})`;
  const busy = deps.activeFor(id);
  if (busy)
    return `rollout ${busy.id} is already ${busy.state} on ${busy.cluster ? `cluster ${busy.cluster}` : `host ${id}`} (host ${id}); wait for it or run \`convoy rollout abort ${busy.id}\``;
  return undefined;
}

/**
 * The rollout `start` would create now, without its admission checks (`convoy plan` previews
 * it). A `--host` rollout takes the settings of the host's cluster (autoRollback,
 * allowDowngrade, health deadline, release notes); a host in no cluster gets the defaults.
 */
export function draftRollout(deps: AdmissionDeps, req: RolloutRequest, id: string): Rollout {
  const { cluster, members } = resolveTargets(deps, req);
  const settings = cluster ?? clusterOfAgent(deps.config, req.host);
  return createRollout({
    id,
    cluster: cluster?.name ?? '',
    target: req.target,
    initiator: req.actor,
    now: deps.now(),
    ackPreapproved: req.ackReleaseNotes,
    maxParallel: cluster?.maxParallel ?? 1,
    authHost: cluster?.authServer ?? '',
    allowDowngrade: settings?.allowDowngrade ?? false,
    autoRollback: settings?.autoRollback ?? false,
    healthDeadlineMs: settings?.healthDeadlineMs ?? 0,
    hosts: members.map((agentId) => {
      const rec = deps.fleet.get(agentId);
      return {
        agentId,
        plan: rec?.plan ?? [],
        rerunnable: rec?.rerunnable ?? [],
        stepTimeoutsMs: rec?.stepTimeoutsMs ?? {},
        hasRestore: rec?.hasRestore ?? false,
        rollbackPlan: rec?.rollbackPlan ?? [],
        backupSteps: rec?.backupSteps ?? [],
      };
    }),
    schedule: req.schedule,
    windowEndsAtMs: req.windowEndsAtMs,
    notesSource: settings ? deps.notesSourceLabel(settings.name) : '',
    requireNotes: settings?.releaseNotes?.requireNotes ?? false,
  });
}
