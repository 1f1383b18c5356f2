/**
 * One request to a GitHub-Releases-compatible API (github.com or GitHub Enterprise) and what
 * its answer means. "Not published" is said only when GitHub answered that the release does
 * not exist in a repository it shows us; everything else that stops us from knowing
 * (timeout, 5xx, rate limit, a token refused, a body that is not a release) is "unavailable"
 * with the reason. Conflating the two is how "no action required" was said without looking.
 */
import fs from 'node:fs';
import type { Clock } from '../../shared/clock.js';
import { formatDuration } from '../../shared/durations.js';
import { messageOf } from '../../shared/errors.js';
import { type HttpResponse, httpRequest } from '../../shared/http-client.js';
import { oneLine } from '../../shared/http-text.js';
import { tokenFileProblem } from './config.js';

/** Largest answer read: GitHub caps a release body at 125,000 characters. */
export const MAX_RELEASE_BYTES = 1024 * 1024;

/** Where to ask and how. */
export interface GithubApiOptions {
  /** https://api.github.com or https://ghe.example.com/api/v3, no trailing slash. */
  apiUrl: string;
  /** owner/name */
  repo: string;
  tokenFile?: string;
  timeoutMs: number;
  clock: Clock;
  /** Cancels requests in flight (convoyd stopping). */
  signal?: AbortSignal;
}

/** A published release as far as notes go. */
export interface Release {
  tag: string;
  name: string;
  body: string;
}

/** What one question to the API established. `retryAtMs`: a rate limit; asking before then is pointless. */
export type ApiAnswer<T> =
  { status: 'found'; value: T } | { status: 'not-found' } | { status: 'unavailable'; reason: string; retryAtMs?: number };

/** GET /repos/{owner}/{repo}/releases/tags/{tag}. A draft counts as not found: it is not published. */
export async function getReleaseByTag(o: GithubApiOptions, tag: string): Promise<ApiAnswer<Release>> {
  const answer = await getJson(o, `releases/tags/${encodeURIComponent(tag)}`);
  if (answer.status !== 'found') return answer;
  const r = answer.value as { tag_name?: unknown; name?: unknown; body?: unknown; draft?: unknown } | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r))
    return {
      status: 'unavailable',
      reason: `${whereOf(o, `releases/tags/${encodeURIComponent(tag)}`)} answered JSON that is not a release`,
    };
  if (r.draft === true) return { status: 'not-found' };
  return {
    status: 'found',
    value: { tag, name: typeof r.name === 'string' ? r.name : '', body: typeof r.body === 'string' ? r.body : '' },
  };
}

/** GET /repos/{owner}/{repo}: tells "no such release" from "no such repository, or not one we may see". */
export async function getRepository(o: GithubApiOptions): Promise<ApiAnswer<true>> {
  const answer = await getJson(o, '');
  return answer.status === 'found' ? { status: 'found', value: true } : answer;
}

/** The URL of `rest` under the repository: public facts only (apiUrl carries no credentials). */
function urlOf(o: GithubApiOptions, rest: string): string {
  const [owner = '', name = ''] = o.repo.split('/');
  const base = `${o.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  return rest ? `${base}/${rest}` : base;
}

function whereOf(o: GithubApiOptions, rest: string): string {
  return `GitHub API at ${urlOf(o, rest)}`;
}

async function getJson(o: GithubApiOptions, rest: string): Promise<ApiAnswer<unknown>> {
  const url = urlOf(o, rest);
  let res: HttpResponse;
  try {
    const headers = { accept: 'application/vnd.github+json', 'user-agent': 'convoy', 'x-github-api-version': '2022-11-28' };
    const token = o.tokenFile === undefined ? undefined : readToken(o.tokenFile);
    res = await httpRequest(url, {
      headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
      timeoutMs: o.timeoutMs,
      maxBodyBytes: MAX_RELEASE_BYTES,
      signal: o.signal,
      shownAs: url,
    });
  } catch (err) {
    return { status: 'unavailable', reason: messageOf(err) };
  }
  return classify(o, url, res);
}

/** The token, trimmed; throws (without the token) when the file is missing, shared with others or empty. */
function readToken(file: string): string {
  const problem = tokenFileProblem(file, 'tokenFile');
  if (problem) throw new Error(problem);
  return fs.readFileSync(file, 'utf8').trim();
}

function classify(o: GithubApiOptions, url: string, res: HttpResponse): ApiAnswer<unknown> {
  const where = `GitHub API at ${url}`;
  if (res.status === 404) return { status: 'not-found' };
  const limited = rateLimit(o, res);
  if (limited) return { status: 'unavailable', ...limited };
  if (res.status === 401)
    return { status: 'unavailable', reason: `${where} refused the token (HTTP 401${apiMessage(res)}); ${tokenFix(o)}` };
  if (res.status !== 200) return { status: 'unavailable', reason: `${where} answered HTTP ${res.status}${apiMessage(res)}` };
  try {
    return { status: 'found', value: JSON.parse(res.body.toString('utf8')) };
  } catch {
    return { status: 'unavailable', reason: `${where} answered a body that is not JSON` };
  }
}

function tokenFix(o: GithubApiOptions): string {
  return o.tokenFile ? `replace the token in ${o.tokenFile}` : 'configure releaseNotes.github.tokenFile';
}

/** GitHub's own words ({"message": "Bad credentials"}), when the body has them. */
function apiMessage(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { message?: unknown };
    return typeof body.message === 'string' && body.message ? `: ${oneLine(body.message, 120)}` : '';
  } catch {
    return '';
  }
}

/**
 * A primary rate limit (x-ratelimit-remaining: 0, with its reset time) or a secondary one
 * (retry-after). Both come as 403 or 429.
 */
function rateLimit(o: GithubApiOptions, res: HttpResponse): { reason: string; retryAtMs?: number } | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const now = o.clock.now();
  const retryAfterS = Number(res.headers['retry-after']);
  if (Number.isFinite(retryAfterS) && retryAfterS >= 0 && res.headers['retry-after'] !== undefined) {
    const retryAtMs = now + retryAfterS * 1000;
    return { reason: `GitHub API rate limit (HTTP ${res.status}): asked to wait ${formatDuration(retryAfterS * 1000)}`, retryAtMs };
  }
  if (res.headers['x-ratelimit-remaining'] !== '0') return undefined;
  const resetS = Number(res.headers['x-ratelimit-reset']);
  const retryAtMs = Number.isFinite(resetS) && resetS > 0 ? resetS * 1000 : undefined;
  const when =
    retryAtMs === undefined
      ? 'at an unknown time'
      : `at ${new Date(retryAtMs).toISOString()} (in ${formatDuration(Math.max(0, retryAtMs - now))})`;
  const more = o.tokenFile ? '' : '; a token (releaseNotes.github.tokenFile) raises the limit';
  return { reason: `GitHub API rate limit exhausted (x-ratelimit-remaining: 0); it resets ${when}${more}`, retryAtMs };
}
