/**
 * Which backup archives an agent keeps (agent.yaml backup.keep). Pure: the catalogue and the
 * facts in, the decision out; agent/backups/prune.ts deletes.
 *
 * Kept: the newest `perMinor` archives of each major.minor version (by when they were taken;
 * a version that is no semver, a branch, is its own group), and whatever the count:
 * - the newest archive restorable into the installed version (backup.compatibility), so the
 *   server as it runs now can always be restored;
 * - the pre-update backup (step `backup`) of each rollout a restore may still come from: the
 *   rollout in progress on this host, and the rollout that last moved its work tree (a
 *   rollback acts only on that one, and restores its pre-update backup).
 */
import type { BackupRecord } from '../../shared/wire.js';
import { isRestorable, parseVersion, type CompatibilityRule } from '../../shared/versions.js';

export interface RetentionInput {
  /** The catalogue. */
  records: readonly BackupRecord[];
  /** Archives kept per major.minor; 0 keeps every archive. */
  keepPerMinor: number;
  /** The version checked out now ('' when unknown: then nothing counts as restorable). */
  installedVersion: string;
  compatibility: CompatibilityRule;
  /** Rollouts whose pre-update backup must stay (in progress here, or the last to move the work tree). */
  protectedRollouts: readonly string[];
}

/** An archive to delete, and why, in a sentence for the log. */
export interface Pruned {
  record: BackupRecord;
  why: string;
}

/** "0.2" for 0.2.0, 0.2.5 and 0.2.0-3-gabc (git describe); the name itself for a branch. */
export function majorMinor(version: string): string {
  const v = parseVersion(version);
  return v ? `${v.major}.${v.minor}` : version;
}

/** Newest first; ties (same millisecond) by id, so the decision is stable. */
function newestFirst(a: BackupRecord, b: BackupRecord): number {
  return b.createdAtMs - a.createdAtMs || b.id.localeCompare(a.id);
}

/** The archives that stay whatever the count, each with the reason. */
export function protectedArchives(input: RetentionInput): Map<string, string> {
  const kept = new Map<string, string>();
  const sorted = [...input.records].sort(newestFirst);
  const restorable = input.installedVersion
    ? sorted.find((r) => isRestorable(r.version, input.installedVersion, input.compatibility))
    : undefined;
  if (restorable) kept.set(restorable.id, `the newest archive restorable into the installed ${input.installedVersion}`);
  for (const r of sorted) {
    if (r.step === 'backup' && r.rolloutId && input.protectedRollouts.includes(r.rolloutId) && !kept.has(r.id))
      kept.set(r.id, `the pre-update backup of rollout ${r.rolloutId}, which a rollback may restore`);
  }
  return kept;
}

/** The archives the policy deletes (none when keepPerMinor is 0), oldest first. */
export function archivesToPrune(input: RetentionInput): Pruned[] {
  if (input.keepPerMinor <= 0) return [];
  const kept = protectedArchives(input);
  const groups = new Map<string, BackupRecord[]>();
  for (const r of [...input.records].sort(newestFirst)) {
    const key = majorMinor(r.version);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const pruned: Pruned[] = [];
  for (const [key, records] of groups) {
    records.slice(input.keepPerMinor).forEach((r) => {
      if (kept.has(r.id)) return;
      pruned.push({ record: r, why: `older than the newest ${input.keepPerMinor} of ${key} (backup.keep.perMinor)` });
    });
  }
  return pruned.sort((a, b) => -newestFirst(a.record, b.record));
}
