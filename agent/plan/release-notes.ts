/**
 * Release notes between the installed and the target version: annotated tag messages and
 * the version sections of a Markdown changelog. Parsing is pure; `collectReleaseNotes`
 * reads the inputs from git.
 *
 * A note requires action by the marker rule of shared/release-note-markers.ts, the same
 * rule convoyd applies to GitHub releases.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GitRepo } from '../exec/git.js';
import { StampedMemo } from '../exec/git-tags.js';
import { parseVersion, sortVersionsDesc, versionsBetween } from '../../shared/versions.js';
import type { ReleaseNote, ReleaseNotes } from '../../shared/wire.js';
import { findHeadings, makeReleaseNote as makeNote, sectionEnd } from '../../shared/release-note-markers.js';

export { MAX_NOTE_CHARS, findRequiredLines } from '../../shared/release-note-markers.js';

/** Changelog headings at these levels (#, ##, ###) can start a version section. */
const MAX_VERSION_HEADING_LEVEL = 3;

/** Everything the pure parser needs. */
export interface ReleaseNotesInput {
  tags: string[];
  fromVersion: string;
  toVersion: string;
  /** The highest release included when the target is a branch; default toVersion. */
  throughVersion?: string;
  /** Annotated tag messages by tag name; '' or missing for lightweight tags. */
  tagMessages: Record<string, string>;
  /** The changelog as of the target version, with its path for ReleaseNote.source. */
  changelog?: { path: string; text: string };
  markers: string[];
  /** Where the inputs came from, for "none found" to name where Convoy looked. */
  lookedIn?: string[];
}

/** Builds the notes of every version in (from, to], tag note before changelog note. */
export function buildReleaseNotes(input: ReleaseNotesInput): ReleaseNotes {
  const notes: ReleaseNote[] = [];
  const versions = releaseVersions(input.tags, input.fromVersion, input.throughVersion ?? input.toVersion);
  for (const version of versions) {
    const message = input.tagMessages[version]?.trim();
    if (message) notes.push(makeNote(version, 'tag', message, input.markers));
    const section = input.changelog && changelogSection(input.changelog.text, version);
    if (input.changelog && section) notes.push(makeNote(version, input.changelog.path, section, input.markers));
  }
  return {
    fromVersion: input.fromVersion,
    toVersion: input.toVersion,
    notes,
    requiresAction: notes.some((n) => n.requiresAction),
    versions,
    lookedIn: input.lookedIn ?? [],
  };
}

/** Versions on the way that have no note from any source. */
export function versionsWithoutNotes(notes: Pick<ReleaseNotes, 'notes' | 'versions'>): string[] {
  const have = new Set(notes.notes.map((n) => n.version));
  return (notes.versions ?? []).filter((v) => !have.has(v));
}

/** The tags an update from `from` to `to` passes through, ascending. */
export function releaseVersions(tags: string[], from: string, to: string): string[] {
  return versionsBetween(tags, describedBase(from), to);
}

/**
 * The tag part of `git describe` output: "0.1.0-3-gabc1234" is 3 commits after 0.1.0,
 * which semver would otherwise read as a pre-release of 0.1.0.
 */
export function describedBase(version: string): string {
  const m = /^(.+)-\d+-g[0-9a-f]{4,40}$/.exec(version);
  return m?.[1] && parseVersion(m[1]) ? m[1] : version;
}

/**
 * The changelog section of `version`: from a heading (# to ###) naming it, with or without
 * a "v", to the next heading of the same or a higher level. "0.2.0" does not match
 * "0.2.0-rc.1" or "10.2.0".
 */
export function changelogSection(text: string, version: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const headings = findHeadings(lines);
  const pattern = versionPattern(version);
  const heading = headings.find((h) => h.level <= MAX_VERSION_HEADING_LEVEL && pattern.test(h.title));
  if (!heading) return undefined;
  return trimBlankLines(lines.slice(heading.line, sectionEnd(headings, heading, lines.length))).join('\n');
}

function versionPattern(version: string): RegExp {
  const bare = version.replace(/^[vV](?=\d)/, '');
  const escaped = bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z_.+-])[vV]?${escaped}(?![0-9A-Za-z_+-]|\\.[0-9A-Za-z])`);
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]?.trim() === '') start++;
  while (end > start && lines[end - 1]?.trim() === '') end--;
  return lines.slice(start, end);
}

/** Where to read what the target version ships. */
export interface CollectReleaseNotesOptions {
  git: GitRepo;
  repoDir: string;
  /** Changelog path, relative to the repository (or absolute). */
  changelog: string;
  markers: string[];
  fromVersion: string;
  toVersion: string;
}

/**
 * Reads tag messages and the changelog AT THE TARGET (the installed tree still has the
 * older changelog, without the sections being installed) and builds the notes.
 */
export async function collectReleaseNotes(opts: CollectReleaseNotesOptions): Promise<ReleaseNotes> {
  const ref = await targetRef(opts.git, opts.toVersion);
  const onBranch = ref !== undefined && !ref.startsWith('refs/tags/');
  // A branch names no release: take the releases it contains, up to the highest.
  const tags = onBranch ? await opts.git.tagsMergedInto(ref) : await opts.git.listTags();
  const throughVersion = onBranch ? sortVersionsDesc(tags)[0] : undefined;
  const versions = releaseVersions(tags, opts.fromVersion, throughVersion ?? opts.toVersion);
  const tagMessages: Record<string, string> = {};
  for (const v of versions) tagMessages[v] = await opts.git.annotatedTagMessage(v);
  const changelog = ref ? await readChangelogAt(opts, ref) : undefined;
  const { fromVersion, toVersion, markers } = opts;
  const annotated = versions.filter((v) => tagMessages[v]?.trim()).length;
  const lookedIn = [
    `tag messages (${annotated} of ${versions.length} tags annotated)`,
    changelog ? `${changelog.path} at ${toVersion}` : `${opts.changelog} (not in the repository at ${toVersion})`,
  ];
  return buildReleaseNotes({ tags, fromVersion, toVersion, throughVersion, tagMessages, changelog, markers, lookedIn });
}

/** The notes last collected, kept for the release-notes step that follows preflight's inspection. */
export type ReleaseNotesMemo = StampedMemo<ReleaseNotes>;

export function newReleaseNotesMemo(): ReleaseNotesMemo {
  return new StampedMemo<ReleaseNotes>();
}

/**
 * collectReleaseNotes, answered from memory when nothing it reads can have changed: the
 * release-notes step asks for the very notes preflight's inspection collected moments before.
 * Kept only for a tag target and a changelog inside the repository (a tag's tree and message
 * do not change while the tags' stamp is the same); a branch target, whose upstream moves
 * without any tag changing, is always read again.
 */
export async function collectReleaseNotesOnce(memo: ReleaseNotesMemo | undefined, opts: CollectReleaseNotesOptions): Promise<ReleaseNotes> {
  if (!memo || !(await opts.git.tagExists(opts.toVersion)) || changelogOutside(opts)) return collectReleaseNotes(opts);
  const stamp = (): string | undefined => {
    const tags = opts.git.tagsStamp();
    return tags === undefined ? undefined : JSON.stringify([opts.fromVersion, opts.toVersion, opts.changelog, opts.markers, tags]);
  };
  // a copy: the inspection's answer and the step's result must not share one object
  return structuredClone(await memo.get(stamp, () => collectReleaseNotes(opts)));
}

function changelogOutside(opts: CollectReleaseNotesOptions): boolean {
  const rel = path.isAbsolute(opts.changelog) ? path.relative(opts.repoDir, opts.changelog) : path.normalize(opts.changelog);
  return rel.startsWith('..') || path.isAbsolute(rel);
}

async function readChangelogAt(opts: CollectReleaseNotesOptions, ref: string): Promise<{ path: string; text: string } | undefined> {
  const rel = path.isAbsolute(opts.changelog) ? path.relative(opts.repoDir, opts.changelog) : path.normalize(opts.changelog);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    // Outside the repository there is no "version of the file at the target": read it as it is.
    const text = await readFile(opts.changelog, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : { path: opts.changelog, text };
  }
  const text = await opts.git.showFile(ref, rel.split(path.sep).join('/'));
  return text === undefined ? undefined : { path: rel, text };
}

/** The ref holding the target's tree: its tag, else the branch's upstream, else the branch. */
export async function targetRef(git: GitRepo, version: string): Promise<string | undefined> {
  if (await git.tagExists(version)) return `refs/tags/${version}`;
  if (!(await git.branchExists(version))) return undefined;
  return (await git.upstreamOf(version)) ?? `refs/heads/${version}`;
}
