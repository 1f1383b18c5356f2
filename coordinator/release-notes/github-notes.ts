/**
 * Release notes that convoyd fetches from GitHub Releases, for the versions on the way of an
 * update. Agents may have no internet access, and a server such as Hoss publishes its notes
 * only there (lightweight tags, no changelog).
 *
 * Answers are cached so that `convoy plan` and a rollout's preflight do not hammer the API:
 * a published note for `cacheTtl`, "not published" for a shorter while (it may be published
 * any minute), errors not at all. Concurrent questions about one tag share one request, and
 * a bounded number of requests are in flight. After a rate limit, nothing is asked until it
 * resets.
 */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { makeReleaseNote } from '../../shared/release-note-markers.js';
import type { ReleaseNote } from '../../shared/wire.js';
import type { ClusterConfig } from '../config.js';
import type { GithubNotesConfig } from './config.js';
import { type ApiAnswer, type GithubApiOptions, type Release, getReleaseByTag, getRepository } from './github-api.js';
import { Limiter } from './limiter.js';

/** What convoyd knows about the notes of one version. */
export type VersionNotes =
  /** GitHub has a published release for the tag. */
  | { status: 'found'; note: ReleaseNote }
  /** GitHub answered: the repository exists, the tag has no published release. */
  | { status: 'not-published' }
  /** GitHub could not be asked, or its answer made no sense: nothing is known. */
  | { status: 'unavailable'; reason: string };

/** "Not published" is reused this long at most: a release may be published any minute. */
export const NOT_PUBLISHED_TTL_MS = 5 * 60_000;
/** Requests in flight to the API at once, per repository. */
export const MAX_IN_FLIGHT = 4;
/** Tags remembered; the oldest answer is forgotten first. */
const MAX_CACHED = 1000;

export interface GithubReleaseNotesOptions {
  github: GithubNotesConfig;
  /** The marker rule's markers (requiresAction, requiredLines). */
  markers: readonly string[];
  clock: Clock;
  logger?: Logger;
  maxInFlight?: number;
}

interface Cached {
  answer: VersionNotes;
  expiresAtMs: number;
}

export class GithubReleaseNotes {
  /** ReleaseNote.source of every note: "github:owner/name". */
  readonly source: string;
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<VersionNotes>>();
  private readonly limiter: Limiter;
  private readonly abort = new AbortController();
  private readonly api: GithubApiOptions;
  /** Until when the repository is known to be visible (a 404 on a tag then means "not published"). */
  private repoSeenUntilMs = Number.NEGATIVE_INFINITY;
  private repoCheck?: Promise<VersionNotes>;
  private rateLimited?: { untilMs: number; reason: string };

  constructor(private readonly o: GithubReleaseNotesOptions) {
    this.source = `github:${o.github.repo}`;
    this.limiter = new Limiter(o.maxInFlight ?? MAX_IN_FLIGHT);
    const { apiUrl, repo, tokenFile, timeoutMs } = o.github;
    this.api = { apiUrl, repo, tokenFile, timeoutMs, clock: o.clock, signal: this.abort.signal };
  }

  /** The source of a cluster whose releaseNotes name a GitHub repository; undefined otherwise. */
  static fromCluster(cluster: ClusterConfig, deps: { clock: Clock; logger?: Logger }): GithubReleaseNotes | undefined {
    const notes = cluster.releaseNotes;
    if (!notes?.github) return undefined;
    return new GithubReleaseNotes({ github: notes.github, markers: notes.markers, ...deps });
  }

  /** The notes of each version (tag), in the order given; never rejects. */
  async notesFor(versions: string[]): Promise<Map<string, VersionNotes>> {
    const unique = [...new Set(versions)];
    const answers = await Promise.all(unique.map((v) => this.noteFor(v)));
    return new Map(unique.map((v, i) => [v, answers[i]!]));
  }

  /** Cancels requests in flight; later questions answer "unavailable". Safe to call twice. */
  stop(): void {
    this.abort.abort(new Error('convoyd is stopping'));
  }

  private noteFor(tag: string): Promise<VersionNotes> {
    const cached = this.cache.get(tag);
    if (cached && cached.expiresAtMs > this.o.clock.now()) return Promise.resolve(cached.answer);
    let pending = this.inflight.get(tag);
    if (!pending) {
      pending = this.fetch(tag)
        .catch((err: unknown): VersionNotes => ({ status: 'unavailable', reason: String(err) }))
        .then((answer) => this.remember(tag, answer))
        .finally(() => this.inflight.delete(tag));
      this.inflight.set(tag, pending);
    }
    return pending;
  }

  private async fetch(tag: string): Promise<VersionNotes> {
    const blocked = this.askingBlockedBy();
    if (blocked) return { status: 'unavailable', reason: blocked };
    const answer = await this.ask(() => getReleaseByTag(this.api, tag));
    if (answer.status === 'found') return { status: 'found', note: this.noteOf(answer.value) };
    if (answer.status === 'unavailable') return { status: 'unavailable', reason: answer.reason };
    return this.notPublishedOrHidden();
  }

  /** A 404 on a tag means "not published" only in a repository GitHub shows us (one lookup shared by all tags). */
  private async notPublishedOrHidden(): Promise<VersionNotes> {
    if (this.repoSeenUntilMs > this.o.clock.now()) return { status: 'not-published' };
    this.repoCheck ??= this.checkRepository().finally(() => (this.repoCheck = undefined));
    return this.repoCheck;
  }

  private async checkRepository(): Promise<VersionNotes> {
    const repo = await this.ask(() => getRepository(this.api));
    if (repo.status === 'unavailable') return { status: 'unavailable', reason: repo.reason };
    if (repo.status === 'not-found') return { status: 'unavailable', reason: this.hiddenRepoReason() };
    this.repoSeenUntilMs = this.o.clock.now() + NOT_PUBLISHED_TTL_MS;
    return { status: 'not-published' };
  }

  private hiddenRepoReason(): string {
    const { repo, apiUrl, tokenFile } = this.o.github;
    const why = tokenFile ? `the token in ${tokenFile} may not read it` : 'it is private and no tokenFile is configured';
    return `repository ${repo} not found at ${apiUrl}: it does not exist, or ${why}`;
  }

  /** One request through the limiter; a rate limit it reports holds every later request until it resets. */
  private async ask<T>(request: () => Promise<ApiAnswer<T>>): Promise<ApiAnswer<T>> {
    const answer = await this.limiter.run(async () => this.askingBlockedBy() ?? (await request()));
    if (typeof answer === 'string') return { status: 'unavailable', reason: answer };
    if (answer.status === 'unavailable') {
      if (answer.retryAtMs !== undefined) this.rateLimited = { untilMs: answer.retryAtMs, reason: answer.reason };
      this.o.logger?.warn(`release notes from ${this.source} unavailable: ${answer.reason}`, { source: this.source });
    }
    return answer;
  }

  /** Why no request may go out now: convoyd is stopping, or a rate limit has not reset yet. */
  private askingBlockedBy(): string | undefined {
    if (this.abort.signal.aborted) return 'convoyd is stopping';
    const limited = this.rateLimited;
    return limited && limited.untilMs > this.o.clock.now() ? limited.reason : undefined;
  }

  /** Text = release name and body; the marker rule reads both. */
  private noteOf(r: Release): ReleaseNote {
    const title = r.name.trim() || r.tag;
    const text = r.body.trim() ? `${title}\n\n${r.body.trim()}` : title;
    return makeReleaseNote(r.tag, this.source, text, this.o.markers);
  }

  private remember(tag: string, answer: VersionNotes): VersionNotes {
    const ttl =
      answer.status === 'found'
        ? this.o.github.cacheTtlMs
        : answer.status === 'not-published'
          ? Math.min(NOT_PUBLISHED_TTL_MS, this.o.github.cacheTtlMs)
          : 0;
    this.cache.delete(tag);
    if (ttl > 0) this.cache.set(tag, { answer, expiresAtMs: this.o.clock.now() + ttl });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return answer;
  }
}
