/**
 * Release notes and required changes, decided at the end of preflight: what the agents found,
 * what the coordinator's own source (GitHub releases) adds, which versions have no notes at
 * all, and whether the rollout must wait for an acknowledgement. Pure.
 *
 * "No notes found" is reported as such, with where Convoy looked; it is never "no action
 * required". A source that could not be asked is not a source that had nothing.
 */
import type { ReleaseNote } from '../../shared/wire.js';
import { compareVersions } from '../../shared/versions.js';
import type { NotesStatus, Rollout } from './model.js';
import type { Work } from './work.js';

/** What the coordinator's source answered for the versions on the way. */
export interface RemoteNotes {
  /** e.g. "GitHub releases of WyssCenter/hybrid-object-store" */
  source: string;
  notes: ReleaseNote[];
  /** Versions the source has no release for. */
  notPublished: string[];
  /** Versions it could not be asked about, with why. */
  unavailable: { version: string; reason: string }[];
}

/** The status of a rollout stored before notes were tracked. */
export function notesOf(r: Rollout): NotesStatus {
  return (r.notes ??= {
    versions: [],
    missing: [],
    lookedIn: [],
    remoteSource: '',
    remote: '',
    remoteError: '',
    requireNotes: false,
  });
}

/** Release notes from all hosts, one per (version, source), in the order first seen. */
export function mergeNotes(notes: ReleaseNote[]): ReleaseNote[] {
  const seen = new Map<string, ReleaseNote>();
  for (const n of notes) if (!seen.has(`${n.version}\u0000${n.source}`)) seen.set(`${n.version}\u0000${n.source}`, n);
  return [...seen.values()];
}

/** Collects what the agents' inspections found into the rollout (notes, versions, where they looked, drift). */
export function gatherFromInspections(r: Rollout): void {
  const status = notesOf(r);
  const active = r.hosts.filter((h) => h.state !== 'skipped');
  r.releaseNotes = mergeNotes(active.flatMap((h) => h.inspection?.notes ?? []));
  status.versions = sortedUnique(active.flatMap((h) => h.inspection?.notesVersions ?? h.inspection?.notes.map((n) => n.version) ?? []));
  status.lookedIn = unique(active.flatMap((h) => h.inspection?.notesLookedIn ?? []));
  status.missing = missingVersions(r);
  r.requiredChanges = active.flatMap((h) => (h.inspection?.requiredChanges ?? []).map((c) => `${h.agentId}: ${c}`));
}

/** Adds the coordinator's source's answer. */
export function addRemoteNotes(r: Rollout, remote: RemoteNotes): void {
  const status = notesOf(r);
  status.remote = 'done';
  status.lookedIn = unique([...status.lookedIn, remote.source]);
  r.releaseNotes = mergeNotes([...r.releaseNotes, ...remote.notes]);
  status.remoteError = remote.unavailable.length
    ? `${remote.source} could not be read for ${remote.unavailable.map((u) => u.version).join(', ')}: ${remote.unavailable[0]?.reason ?? ''}`
    : '';
  status.missing = missingVersions(r);
}

function missingVersions(r: Rollout): string[] {
  const have = new Set(r.releaseNotes.map((n) => n.version));
  return notesOf(r).versions.filter((v) => !have.has(v));
}

/** Why the rollout must wait for `convoy rollout ack`, one sentence each; [] when it need not. */
export function ackReasons(r: Rollout): string[] {
  const status = notesOf(r);
  const reasons: string[] = [];
  const action = sortedUnique(r.releaseNotes.filter((n) => n.requiresAction).map((n) => n.version));
  if (action.length) reasons.push(`release notes of ${action.join(', ')} declare required changes`);
  const changes = r.requiredChanges ?? [];
  if (changes.length) reasons.push(`${changes.length} required configuration change(s): ${changes[0]}${changes.length > 1 ? ' …' : ''}`);
  if (status.remoteError) reasons.push(`${status.remoteError} (read them there yourself)`);
  if (status.requireNotes && status.missing.length) {
    reasons.push(`no release notes found for ${status.missing.join(', ')} (looked in: ${status.lookedIn.join('; ') || 'nowhere'})`);
  }
  return reasons;
}

/** Records "none found" in the event log, naming where Convoy looked. */
export function reportMissingNotes(w: Work): void {
  const status = notesOf(w.r);
  if (!status.missing.length) return;
  w.event({
    kind: 'preflight',
    message: `release notes: none found for ${status.missing.join(', ')} (looked in: ${status.lookedIn.join('; ') || 'nowhere'}); that is not "no action required"`,
  });
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function sortedUnique(xs: string[]): string[] {
  return unique(xs).sort(compareVersions);
}
