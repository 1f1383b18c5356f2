/**
 * What version a schedule's `target` means right now, from the members' tags and installed
 * versions. Pure. A target is "latest", a semver range ("~0.2") or an exact tag.
 */
import semver from 'semver';
import { isDowngrade, parseVersion, sameVersion } from '../../shared/versions.js';

/** One cluster member as the fleet registry last heard from it. */
export interface MemberVersions {
  agentId: string;
  installedVersion: string;
  /** The tags of its repository; undefined when the agent never reported them. */
  tags: string[] | undefined;
}

/** update: some members are behind `target`; up-to-date: every member runs it; problem: no safe target. */
export type Resolution =
  { kind: 'update'; target: string; behind: string[] } | { kind: 'up-to-date'; target: string } | { kind: 'problem'; problem: string };

/** Tags every member has. */
function commonTags(members: MemberVersions[]): string[] {
  const [first, ...rest] = members;
  return (first?.tags ?? []).filter((t) => rest.every((m) => m.tags?.includes(t)));
}

/** The highest of `tags` accepted by `accept`; prereleases only when `accept` names them (semver's rule). */
function highest(tags: string[], accept: (v: semver.SemVer) => boolean): string | undefined {
  let best: { tag: string; v: semver.SemVer } | undefined;
  for (const tag of tags) {
    const v = parseVersion(tag);
    if (v && accept(v) && (!best || semver.gt(v, best.v))) best = { tag, v };
  }
  return best?.tag;
}

/** The tag `spec` selects among `common`, or why none. */
function pick(spec: string, members: MemberVersions[], common: string[]): { tag: string } | { problem: string } {
  if (spec === 'latest') {
    // "latest" is a release: a release candidate is chosen only by naming it or a range that admits it
    const tag = highest(common, (v) => v.prerelease.length === 0);
    return tag ? { tag } : { problem: 'no release tag is present on every member' };
  }
  if (common.includes(spec)) return { tag: spec };
  const exact = parseVersion(spec);
  const sameAsSpec = common.find((t) => exact && sameVersion(t, spec)); // "0.2.0" finds "v0.2.0"
  if (sameAsSpec) return { tag: sameAsSpec };
  const range = exact ? null : semver.validRange(spec);
  if (range) {
    const tag = highest(common, (v) => semver.satisfies(v, range));
    return tag ? { tag } : { problem: `no tag present on every member satisfies "${spec}"` };
  }
  const missing = members.filter((m) => !m.tags?.some((t) => sameVersion(t, spec))).map((m) => m.agentId);
  return { problem: `tag ${spec} is missing on ${missing.join(', ')}` };
}

/**
 * Resolves `spec` for a cluster. A scheduled rollout never downgrades: a member already
 * past the resolved version is a problem to report, not something to undo.
 */
export function resolveTarget(spec: string, members: MemberVersions[]): Resolution {
  if (members.length === 0) return { kind: 'problem', problem: 'the cluster has no members' };
  const unknown = members.filter((m) => m.tags === undefined).map((m) => m.agentId);
  if (unknown.length) return { kind: 'problem', problem: `${unknown.join(', ')} never reported its tags (has its agent ever connected?)` };
  const picked = pick(spec, members, commonTags(members));
  if ('problem' in picked) return { kind: 'problem', problem: picked.problem };
  const target = picked.tag;
  const ahead = members.filter((m) => isDowngrade(m.installedVersion, target));
  if (ahead.length) {
    const who = ahead.map((m) => `${m.agentId} runs ${m.installedVersion}`).join(', ');
    return { kind: 'problem', problem: `${who}, newer than ${target} ("${spec}"); a schedule never downgrades` };
  }
  const behind = members.filter((m) => !sameVersion(m.installedVersion, target)).map((m) => m.agentId);
  return behind.length ? { kind: 'update', target, behind } : { kind: 'up-to-date', target };
}
