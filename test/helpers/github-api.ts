/**
 * A local stand-in for the GitHub REST API, as far as release notes go: a real HTTP server on
 * 127.0.0.1 (free port) that serves
 *   GET {prefix}/repos/{owner}/{repo}                      the repository (200), else 404
 *   GET {prefix}/repos/{owner}/{repo}/releases/tags/{tag}  a release the test gave it, else 404
 * It checks the bearer token when one is set (401 "Bad credentials" otherwise), counts
 * requests per path (to prove caching), and misbehaves on demand: slow, hung, streaming
 * forever, HTTP 500, rate-limited, or holding answers until the test releases them.
 *
 *   const gh = await startFakeGithub({ repo: 'WyssCenter/hybrid-object-store', releases: [{ tag: '0.2.13', body: '…' }] });
 *   // configure apiUrl: gh.apiUrl
 *   gh.behave({ kind: 'rate-limit', resetAtS: 1767225600 });
 *   expect(gh.count('/repos/WyssCenter/hybrid-object-store/releases/tags/0.2.13')).to.equal(1);
 */
import type http from 'node:http';
import { type BadBehaviours, startLocalHttp } from './local-http.js';

/** A release as the test describes it; the server answers with GitHub's field names. */
export interface FakeRelease {
  tag: string;
  name?: string | null;
  body?: string | null;
  draft?: boolean;
  prerelease?: boolean;
}

/** How the server answers from now on. */
export type FakeGithubBehaviour =
  | { kind: 'normal' }
  /** Answers after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Never sends headers. */
  | { kind: 'hang' }
  /** Headers, then a body that never ends. */
  | { kind: 'stream' }
  | { kind: 'error'; status: number }
  /** 403 with x-ratelimit-remaining: 0 and x-ratelimit-reset (epoch seconds). */
  | { kind: 'rate-limit'; resetAtS: number }
  | { kind: 'not-json' }
  /** Holds every answer until release() is called; counts how many waited at once. */
  | { kind: 'held' };

export interface FakeGithubOptions {
  /** owner/name */
  repo: string;
  releases?: FakeRelease[];
  /** When set, requests must carry "Authorization: Bearer <token>". */
  token?: string;
  /** A GitHub Enterprise path prefix such as /api/v3 (default none, like api.github.com). */
  prefix?: string;
}

export interface FakeGithub {
  /** What to configure as releaseNotes.github.apiUrl. */
  apiUrl: string;
  /** Requests received for a path (without the prefix), whatever the answer. */
  count(path: string): number;
  /** Requests received in total. */
  total(): number;
  /** Headers of the last request. */
  lastHeaders(): http.IncomingHttpHeaders;
  setRelease(release: FakeRelease): void;
  behave(b: FakeGithubBehaviour): void;
  /** Answers the held requests (normally) and answers normally from now on. */
  release(): void;
  /** Answers the oldest held request; later ones stay held. */
  releaseOne(): void;
  /** The most requests held at once since behave({ kind: 'held' }). */
  maxHeld(): number;
  /** Resolves once `n` requests are held. */
  heldReached(n: number): Promise<void>;
  /** Resolves when the next request arrives (call it before sending). */
  nextRequest(): Promise<void>;
  /** Resolves once every client connection has been closed. */
  clientsGone(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeGithub(o: FakeGithubOptions): Promise<FakeGithub> {
  const prefix = o.prefix ?? '';
  const releases = new Map((o.releases ?? []).map((r) => [r.tag, r]));
  const counts = new Map<string, number>();
  let behaviour: FakeGithubBehaviour = { kind: 'normal' };
  let headers: http.IncomingHttpHeaders = {};
  const held: (() => void)[] = [];
  let maxHeld = 0;
  const heldWaiters: { n: number; resolve: () => void }[] = [];

  const answer = (req: http.IncomingMessage, res: http.ServerResponse, path: string): void => {
    if (o.token !== undefined && req.headers.authorization !== `Bearer ${o.token}`) {
      return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    json(res, ...route(o.repo, releases, path));
  };

  const server = await startLocalHttp((req, res, bad) => {
    const path = (req.url ?? '/').startsWith(prefix) ? (req.url ?? '/').slice(prefix.length) : '(outside the prefix)';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    headers = req.headers;
    if (behaviour.kind === 'held') {
      held.push(() => answer(req, res, path));
      maxHeld = Math.max(maxHeld, held.length);
      for (const w of heldWaiters.filter((h) => held.length >= h.n)) {
        heldWaiters.splice(heldWaiters.indexOf(w), 1);
        w.resolve();
      }
      return;
    }
    misbehave(behaviour, req, res, bad, () => answer(req, res, path));
  });

  return {
    apiUrl: `${server.url}${prefix}`,
    count: (path) => counts.get(path) ?? 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    lastHeaders: () => headers,
    setRelease: (r) => releases.set(r.tag, r),
    behave(b) {
      behaviour = b;
      maxHeld = 0;
    },
    release() {
      behaviour = { kind: 'normal' };
      for (const send of held.splice(0)) send();
    },
    releaseOne: () => held.shift()?.(),
    maxHeld: () => maxHeld,
    heldReached: (n) => (held.length >= n ? Promise.resolve() : new Promise((resolve) => heldWaiters.push({ n, resolve }))),
    nextRequest: () => server.requestArrived(),
    clientsGone: () => server.clientsGone(),
    close: () => server.close(),
  };
}

function misbehave(b: FakeGithubBehaviour, _req: http.IncomingMessage, res: http.ServerResponse, bad: BadBehaviours, ok: () => void): void {
  switch (b.kind) {
    case 'slow': {
      const timer = setTimeout(ok, b.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'hang':
      return bad.neverAnswer(res);
    case 'stream':
      return bad.trickleForever(res);
    case 'error':
      return json(res, b.status, { message: 'Server Error' });
    case 'rate-limit':
      res.setHeader('x-ratelimit-limit', '60');
      res.setHeader('x-ratelimit-remaining', '0');
      res.setHeader('x-ratelimit-reset', String(b.resetAtS));
      return json(res, 403, { message: 'API rate limit exceeded for 127.0.0.1.' });
    case 'not-json':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
      return;
    default:
      return ok();
  }
}

/** The answer GitHub would give for `path` (already without the prefix). */
function route(repo: string, releases: Map<string, FakeRelease>, path: string): [number, unknown] {
  const base = `/repos/${repo}`;
  if (path === base) return [200, { full_name: repo, private: false }];
  const m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/([^/?]+)$/.exec(path);
  if (!m || `${m[1]}/${m[2]}` !== repo) return [404, { message: 'Not Found' }];
  const r = releases.get(decodeURIComponent(m[3]!));
  if (!r) return [404, { message: 'Not Found' }];
  // served even as a draft (a compatible server may do so): the client must ignore it
  const body = { tag_name: r.tag, name: r.name ?? r.tag, body: r.body ?? null, draft: r.draft ?? false, prerelease: r.prerelease ?? false };
  return [200, body];
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
