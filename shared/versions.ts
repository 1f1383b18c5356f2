// the three functions used, not semver's index (which loads every range and function module:
// a tenth of a `convoy` command's start-up)
import SemVer from 'semver/classes/semver.js';
import compare from 'semver/functions/compare.js';
import valid from 'semver/functions/valid.js';
import { inertText } from './terminal-text.js';

/**
 * A version string as it may reach a command: a tag or branch name. Strict on purpose:
 * no leading '-' (would read as a git option), no whitespace, no shell metacharacters,
 * no "..", bounded length.
 */
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+/-]{0,99}$/;

/** Returns why `v` is not an acceptable version string, or undefined when it is. */
export function versionSyntaxProblem(v: string): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return 'the version is empty';
  if (v.length > 100) return `the version is ${v.length} characters long (at most 100)`;
  if (!VERSION_RE.test(v)) {
    return `"${printable(v)}" is not a version: use a tag or branch name made of letters, digits and . _ + - / (not starting with - )`;
  }
  if (v.includes('..') || v.endsWith('/') || v.endsWith('.lock') || v.includes('//')) {
    return `"${printable(v)}" is not a valid git ref name`;
  }
  return undefined;
}

/** Shows a hostile string safely in a message: control characters escaped (shared/terminal-text.ts), length capped. */
export function printable(s: string, max = 80): string {
  return inertText(s.length > max ? s.slice(0, max) + '…' : s);
}

/** The semver of a tag ("v1.2.3" and "1.2.3" both parse), or null for non-version tags. */
export function parseVersion(tag: string): SemVer | null {
  const clean = valid(tag.trim());
  return clean ? new SemVer(clean) : null;
}

/** Orders versions: semver tags by precedence, then non-semver names lexically after. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va && vb) return compare(va, vb) || a.localeCompare(b);
  if (va) return -1;
  if (vb) return 1;
  return a.localeCompare(b);
}

/** Version tags (semver only) sorted highest first. */
export function sortVersionsDesc(tags: string[]): string[] {
  return tags.filter((t) => parseVersion(t) !== null).sort((a, b) => compareVersions(b, a));
}

/** Tags in the half-open interval (from, to], ascending: the releases an update passes through. */
export function versionsBetween(tags: string[], from: string, to: string): string[] {
  const vf = parseVersion(from);
  const vt = parseVersion(to);
  if (!vt) return tags.includes(to) ? [to] : [];
  return tags
    .filter((t) => {
      const v = parseVersion(t);
      if (!v) return false;
      if (compare(v, vt) > 0) return false;
      return vf ? compare(v, vf) > 0 : compare(v, vt) === 0;
    })
    .sort(compareVersions);
}

/** True when moving from `from` to `to` goes to a lower version. */
export function isDowngrade(from: string, to: string): boolean {
  const vf = parseVersion(from);
  const vt = parseVersion(to);
  if (!vf || !vt) return false;
  return compare(vt, vf) < 0;
}

/** How a backup's version must relate to the version it is restored into. */
export type CompatibilityRule = 'same-major-minor' | 'same-major' | 'exact' | 'any';

export function isCompatibilityRule(v: unknown): v is CompatibilityRule {
  return v === 'same-major-minor' || v === 'same-major' || v === 'exact' || v === 'any';
}

/** Whether a backup taken at `backupVersion` can be restored into `installedVersion`. */
export function isRestorable(backupVersion: string, installedVersion: string, rule: CompatibilityRule = 'same-major-minor'): boolean {
  if (rule === 'any') return true;
  if (rule === 'exact') return stripV(backupVersion) === stripV(installedVersion);
  const a = parseVersion(backupVersion);
  const b = parseVersion(installedVersion);
  if (!a || !b) return stripV(backupVersion) === stripV(installedVersion);
  if (rule === 'same-major') return a.major === b.major;
  return a.major === b.major && a.minor === b.minor;
}

function stripV(v: string): string {
  return v.startsWith('v') ? v.slice(1) : v;
}

/** "v0.2.0" and "0.2.0" name the same release: tags and services disagree on the prefix. */
export function sameVersion(a: string | undefined, b: string): boolean {
  const strip = (v: string): string => v.trim().replace(/^[vV](?=\d)/, '');
  return a !== undefined && strip(a) === strip(b);
}
