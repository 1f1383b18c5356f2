/**
 * What exec/git.ts hands git, checked and shaped here: refs that may come from the network
 * (validated, fully qualified), pathspecs (literal or operator globs), the environment (the
 * operator's GIT_* variables only), and how git's answers are read (tags, status lines).
 */
import type { CommandResult } from './command.js';
import { formatDuration } from '../../shared/durations.js';
import { ConvoyError } from '../../shared/errors.js';
import { compareVersions, parseVersion, printable, versionSyntaxProblem } from '../../shared/versions.js';

/** Paths listed in RepoState.dirtyDetail. */
const DIRTY_DETAIL_PATHS = 5;
const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Git variables the operator may set for the agent (deploy keys, a private CA). simple-git
 * drops ambient GIT_* variables unless allowed; these are the operator's, never the network's.
 */
export const OPERATOR_GIT_ENV = [
  'GIT_SSH_COMMAND',
  'GIT_SSH',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_SSL_CERT',
  'GIT_SSL_KEY',
  'GIT_TERMINAL_PROMPT',
];

/** True for a full 40-hex commit id. */
export function isFullSha(s: string): boolean {
  return FULL_SHA.test(s);
}

/** Programs git could start on its own (an editor, a pager, an askpass prompt): never passed. */
const GUARDED_ENV = /^(editor|visual|pager|prefix|ssh_askpass)$/i;

/**
 * The agent's environment minus what simple-git refuses to pass explicitly: GIT_* variables
 * other than the operator's allowed ones, and the editor, pager and askpass programs.
 */
export function gitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || GUARDED_ENV.test(key)) continue;
    if (/^git_/i.test(key) && !OPERATOR_GIT_ENV.includes(key)) continue;
    env[key] = value;
  }
  return env;
}

/** A path from git itself, matched literally (no glob, no magic). */
export function literalPathspec(p: string): string {
  return `:(literal)${p}`;
}

/** Operator globs as git pathspecs: `**` crosses directories, nothing outside the repository. */
export function globPathspecs(globs: string[]): string[] {
  return globs.map((g) => `:(glob)${g.replace(/^\.\//, '')}`);
}

/** Sorts tags: semver tags by precedence, highest first, then other tags by name. */
export function sortTags(tags: string[]): string[] {
  const versions = tags.filter((t) => parseVersion(t) !== null).sort((a, b) => compareVersions(b, a));
  const others = tags.filter((t) => parseVersion(t) === null).sort((a, b) => a.localeCompare(b));
  return [...versions, ...others];
}

export function describeDirty(status: string[]): string {
  if (status.length === 0) return '';
  const shown = status.slice(0, DIRTY_DETAIL_PATHS).join(', ');
  const more = status.length - DIRTY_DETAIL_PATHS;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

export function splitLines(out: string): string[] {
  return out.split('\n').filter((l) => l.trim() !== '');
}

export function checkRefName(ref: string): void {
  const problem = versionSyntaxProblem(ref);
  if (problem) throw new ConvoyError('INVALID_ARGUMENT', problem);
}

export function checkSha(sha: string): void {
  if (!isFullSha(sha)) throw new ConvoyError('INVALID_ARGUMENT', `"${printable(sha)}" is not a full commit id (40 hex digits)`);
}

export function checkQualifiedRef(ref: string): void {
  if (isFullSha(ref)) return;
  const m = /^refs\/(?:tags|heads|remotes)\/(.+)$/.exec(ref);
  if (!m?.[1]) throw new ConvoyError('INVALID_ARGUMENT', `"${printable(ref)}" is not a fully qualified ref`);
  checkRefName(m[1]);
}

/** Paths per git command line: a checkout of thousands of files must not overflow the argument list. */
const PATHS_PER_CALL = 500;

export function batches(paths: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < paths.length; i += PATHS_PER_CALL) out.push(paths.slice(i, i + PATHS_PER_CALL));
  return out;
}

/**
 * git's own words first (callers show the first line), then how the command ended; a
 * cancellation or a timeout comes first, since git's last words are then beside the point.
 */
export function describeGitFailure(command: string, r: CommandResult, blockTimeoutMs: number): string {
  const said = r.tail.filter((l) => l.trim() !== '');
  if (r.cancelled) return [`git ${command} was cancelled`, ...said].join('\n');
  if (r.timedOut) return [`git ${command} did not finish within ${formatDuration(blockTimeoutMs)} and was killed`, ...said].join('\n');
  return [...said, r.error ? `git ${command}: ${r.error}` : `git ${command} exited with code ${r.exitCode}`].join('\n');
}
