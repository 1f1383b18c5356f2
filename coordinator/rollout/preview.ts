/**
 * `convoy plan`: what `convoy rollout start` would do now, decided by the same functions the
 * engine's preflight uses (preflightProblem, targetVerdict, the release-notes rules), on the
 * rollout `start` would create. A plan that says "Ready" is a start that goes ahead.
 */
import type { Drift, InspectResult } from '../../shared/wire.js';
import { emptyInspection, preflightProblem, targetVerdict } from './engine.js';
import type { Rollout } from './model.js';
import { ackReasons, addRemoteNotes, gatherFromInspections, notesOf } from './notes.js';
import { applyInspectResult } from './results.js';

/** What the preview needs from the coordinator. */
export interface PreviewDeps {
  /** The rollout start would create (same settings), not persisted. */
  draft: Rollout;
  /** Why start would refuse the host before preflight (not connected, revoked, busy), or undefined. */
  admission(agentId: string): string | undefined;
  inspect(agentId: string, requestId: string, includeDiff: boolean): Promise<InspectResult>;
  /** The coordinator's release-notes source for this rollout, if any. */
  fetchRemoteNotes?: (versions: string[]) => Promise<import('./notes.js').RemoteNotes>;
  now(): number;
}

/** One host: what start would do with it, and why. */
export interface HostPreview {
  agentId: string;
  verdict: 'update' | 'skip' | 'refused';
  reason: string;
  inspection?: InspectResult;
  drift?: Drift | null;
}

export interface RolloutPreview {
  rollout: Rollout;
  hosts: HostPreview[];
  /** Why the rollout would wait for an acknowledgement. */
  ackReasons: string[];
}

/** Inspects every host (in parallel) and decides as preflight would. */
export async function previewRollout(deps: PreviewDeps, opts: { includeDiff: boolean; requestPrefix: string }): Promise<RolloutPreview> {
  let r = deps.draft;
  const answers = await Promise.all(
    r.hosts.map(async (h) => {
      const refused = deps.admission(h.agentId);
      if (refused) return { agentId: h.agentId, refused };
      try {
        return { agentId: h.agentId, result: await deps.inspect(h.agentId, `${opts.requestPrefix}.${h.agentId}`, opts.includeDiff) };
      } catch (err) {
        return { agentId: h.agentId, refused: (err as Error).message };
      }
    }),
  );
  for (const a of answers) {
    if (!a.result) continue;
    const h = r.hosts.find((x) => x.agentId === a.agentId);
    if (h) h.inspection = emptyInspection(a.result.requestId);
    r = applyInspectResult(r, a.agentId, a.result, deps.now()).rollout;
  }
  const hosts = r.hosts.map((h): HostPreview => {
    const a = answers.find((x) => x.agentId === h.agentId);
    if (a?.refused) return { agentId: h.agentId, verdict: 'refused', reason: a.refused };
    const problem = preflightProblem(r, h);
    if (problem) return { agentId: h.agentId, verdict: 'refused', reason: problem, inspection: a?.result, drift: a?.result?.drift };
    const { verdict, reason } = targetVerdict(r, h);
    if (verdict === 'skip') h.state = 'skipped';
    return { agentId: h.agentId, verdict, reason, inspection: a?.result, drift: a?.result?.drift };
  });
  gatherFromInspections(r);
  if (deps.fetchRemoteNotes && notesOf(r).versions.length && hosts.some((h) => h.verdict !== 'skip')) {
    addRemoteNotes(r, await deps.fetchRemoteNotes(notesOf(r).versions));
  }
  return { rollout: r, hosts, ackReasons: ackReasons(r) };
}
