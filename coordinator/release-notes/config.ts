/**
 * A cluster's `releaseNotes:` block in coordinator.yaml: where convoyd looks for release
 * notes beyond what the agents find in git (GitHub Releases, for servers such as Hoss whose
 * tags are lightweight and that keep no changelog), and whether a rollout must wait for an
 * acknowledgement when a version on the way has none.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { boundedDuration } from '../../shared/bounded-values.js';
import { expandHome, resolvePath } from '../../shared/config-file.js';
import { NOTES_CACHE_TTL, NOTES_TIMEOUT } from '../config-bounds.js';
import { secretFileProblem } from '../../shared/file-security.js';
import { DEFAULT_RELEASE_NOTE_MARKERS } from '../../shared/release-note-markers.js';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** GitHub: owner up to 39 letters, digits and hyphens; repository letters, digits, . _ - */
const REPO_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

const githubSchema = z.strictObject({
  repo: z.string().regex(REPO_RE, 'is not owner/name (e.g. WyssCenter/hybrid-object-store)'),
  apiUrl: z
    .url({ protocol: /^https?$/, error: 'is not a URL (expected http:// or https://, e.g. https://ghe.example.com/api/v3)' })
    .default(DEFAULT_GITHUB_API_URL),
  tokenFile: z.string().min(1).optional(),
  timeout: boundedDuration(NOTES_TIMEOUT).prefault('10s'),
  cacheTtl: boundedDuration(NOTES_CACHE_TTL).prefault('1h'),
});

/** What operators write under clusters[i].releaseNotes. */
export const releaseNotesSchema = z.strictObject({
  github: githubSchema.optional(),
  requireNotes: z.boolean().default(false),
  markers: z
    .array(z.string().min(1))
    .min(1, 'must list at least one marker')
    .default([...DEFAULT_RELEASE_NOTE_MARKERS]),
});

/** A GitHub (or GitHub Enterprise) repository whose Releases hold the notes, resolved. */
export interface GithubNotesConfig {
  /** owner/name */
  repo: string;
  /** Without a trailing slash: https://api.github.com, https://ghe.example.com/api/v3. */
  apiUrl: string;
  /** Absolute; absent: anonymous requests (public repositories, lower rate limit). */
  tokenFile?: string;
  timeoutMs: number;
  /** How long a published note is reused; "not published" is reused for at most NOT_PUBLISHED_TTL_MS. */
  cacheTtlMs: number;
}

/** A cluster's release-note settings, resolved. */
export interface ReleaseNotesConfig {
  github?: GithubNotesConfig;
  /** A rollout waits for an acknowledgement when a version on the way has no notes. */
  requireNotes: boolean;
  /** The marker rule's markers for notes convoyd fetches (shared/release-note-markers.ts). */
  markers: string[];
}

/** Resolves paths and URLs; `problems` receives the operator sentences for what is wrong. */
export function resolveReleaseNotes(
  configFile: string,
  at: string,
  raw: z.output<typeof releaseNotesSchema>,
  problems: string[],
): ReleaseNotesConfig {
  const github = raw.github && resolveGithub(configFile, `${at}.github`, raw.github, problems);
  return { ...(github && { github }), requireNotes: raw.requireNotes, markers: raw.markers };
}

function resolveGithub(configFile: string, at: string, raw: z.output<typeof githubSchema>, problems: string[]): GithubNotesConfig {
  const api = new URL(raw.apiUrl);
  if (api.username || api.password || api.search)
    problems.push(`${at}.apiUrl must not carry credentials or a query; write the token into a file and name it in tokenFile`);
  const tokenFile = raw.tokenFile === undefined ? undefined : resolvePath(configFile, expandHome(raw.tokenFile));
  if (tokenFile !== undefined) {
    const problem = tokenFileProblem(tokenFile, `${at}.tokenFile`);
    if (problem) problems.push(problem);
  }
  return {
    repo: raw.repo,
    apiUrl: raw.apiUrl.replace(/\/+$/, ''),
    ...(tokenFile !== undefined && { tokenFile }),
    timeoutMs: raw.timeout,
    cacheTtlMs: raw.cacheTtl,
  };
}

/** Missing, shared with others, or empty: each with the fix. Never reads the token into a message. */
export function tokenFileProblem(file: string, what: string): string | undefined {
  if (!fs.existsSync(file)) return `${what} "${file}" does not exist; write the token into it (chmod 600) or fix the path`;
  const loose = secretFileProblem(file, what);
  if (loose) return loose;
  try {
    if (fs.readFileSync(file, 'utf8').trim() === '') return `${what} "${file}" is empty; write the token into it`;
  } catch (err) {
    return `${what} "${file}" cannot be read by this user (${(err as NodeJS.ErrnoException).code ?? 'error'}); make convoyd's user its owner`;
  }
  return undefined;
}
