/**
 * Every outbound HTTP request of convoyd (Prometheus queries, webhooks, the GitHub API) goes
 * through `httpRequest`, so that every one of them ends.
 *
 * - One deadline per request covers connecting, the headers and the whole body. It is one
 *   timer held for the life of the request, never a combined signal: on Node 20 a signal from
 *   `AbortSignal.any` is collected by a garbage collection with the timeout inside it, and a
 *   Prometheus that streamed forever then kept convoyd reading (and growing) for good.
 * - The body is read as a stream and cut past `maxBodyBytes`: memory stays bounded whatever
 *   the server sends.
 * - A caller's signal (convoyd stopping) is linked by one listener, removed when the request
 *   ends, so a long-lived signal does not collect a listener per request.
 * - Errors say what happened, naming the URL without its credentials or secrets.
 */
import http from 'node:http';
import https from 'node:https';
import { formatDuration } from './durations.js';
import { messageOf } from './errors.js';
import { formatBytes, httpTarget, oneLine, redactUrl } from './http-text.js';

/** One outbound request. */
export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as is; set content-type in `headers`. */
  body?: string;
  /** The one deadline: connect, headers and the whole body. */
  timeoutMs: number;
  /** The request fails, and the connection is closed, once the body grows past this. */
  maxBodyBytes: number;
  /** Close the connection after the headers without reading the body (a webhook's answer). */
  discardBody?: boolean;
  /** Cancels the request (convoyd stopping). */
  signal?: AbortSignal;
  /** How the URL appears in errors; default scheme, host and port only (paths can hold secrets). */
  shownAs?: string;
}

/** A complete answer. */
export interface HttpResponse {
  status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  /** Empty with `discardBody`. */
  body: Buffer;
}

/** Why a request did not complete. */
export type HttpFailure = 'timeout' | 'body-too-large' | 'cancelled' | 'network' | 'invalid-url';

/** A request that did not complete. `detail` is the message without the URL, for callers that name the server themselves. */
export class HttpRequestError extends Error {
  constructor(
    readonly kind: HttpFailure,
    readonly detail: string,
    /** The URL as shown (redacted). */
    readonly url: string,
  ) {
    super(messageFor(kind, detail, url));
    this.name = 'HttpRequestError';
  }
}

function messageFor(kind: HttpFailure, detail: string, url: string): string {
  if (kind === 'network') return `cannot reach ${url}: ${detail}`;
  if (kind === 'invalid-url') return `${url}: ${detail}`;
  if (kind === 'cancelled') return `request to ${url} ${detail}`;
  return `${detail} from ${url}`;
}

/** Sends one request; resolves with the complete answer or rejects with an HttpRequestError. */
export function httpRequest(url: string, o: HttpRequestOptions): Promise<HttpResponse> {
  const shown = o.shownAs ?? redactUrl(url);
  let target: ReturnType<typeof httpTarget>;
  try {
    target = httpTarget(url);
  } catch {
    return Promise.reject(new HttpRequestError('invalid-url', 'is not a URL', shown));
  }
  if (!/^https?:$/.test(new URL(target.url).protocol))
    return Promise.reject(new HttpRequestError('invalid-url', 'is not an http:// or https:// URL', shown));
  if (o.signal?.aborted) return Promise.reject(cancelled(o.signal, shown));
  return new Promise((resolve, reject) => new Exchange(target, o, shown, resolve, reject).start());
}

type Settle<T> = (value: T) => void;

/** One request in flight: its timer, its listener, what it has read so far. */
class Exchange {
  private readonly req: http.ClientRequest;
  private readonly timer: NodeJS.Timeout;
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private answered = false;
  private settled = false;

  constructor(
    target: { url: string; headers: Record<string, string> },
    private readonly o: HttpRequestOptions,
    private readonly shown: string,
    private readonly resolve: Settle<HttpResponse>,
    private readonly reject: Settle<HttpRequestError>,
  ) {
    const lib = target.url.startsWith('https:') ? https : http;
    const headers = { ...target.headers, ...o.headers };
    if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
    // agent: false: a fresh connection per request, closed when it ends; nothing pooled to go stale.
    this.req = lib.request(target.url, { method: o.method ?? 'GET', headers, agent: false });
    // The timer's closure holds the request: nothing here can be collected before it fires.
    this.timer = setTimeout(() => this.fail(this.timeout()), o.timeoutMs);
    this.timer.unref();
  }

  start(): void {
    this.o.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.req.on('error', (err) => this.fail(new HttpRequestError('network', describeNetworkError(err), this.shown)));
    this.req.on('response', (res) => this.onResponse(res));
    this.req.end(this.o.body);
  }

  private readonly onAbort = (): void => this.fail(cancelled(this.o.signal!, this.shown));

  private onResponse(res: http.IncomingMessage): void {
    this.answered = true;
    const answer = { status: res.statusCode ?? 0, headers: flatHeaders(res.headers) };
    if (this.o.discardBody) {
      this.done({ ...answer, body: Buffer.alloc(0) });
      return;
    }
    res.on('data', (chunk: Buffer) => this.onChunk(chunk));
    res.on('end', () => this.done({ ...answer, body: Buffer.concat(this.chunks) }));
    res.on('error', (err) => this.fail(new HttpRequestError('network', describeNetworkError(err), this.shown)));
    res.on('close', () => {
      if (!res.complete) this.fail(new HttpRequestError('network', 'the connection closed before the body was complete', this.shown));
    });
  }

  private onChunk(chunk: Buffer): void {
    if (this.settled) return; // a chunk already buffered when the request ended
    this.received += chunk.length;
    if (this.received > this.o.maxBodyBytes) {
      this.fail(new HttpRequestError('body-too-large', `response body over ${formatBytes(this.o.maxBodyBytes)}`, this.shown));
      return;
    }
    this.chunks.push(chunk);
  }

  private timeout(): HttpRequestError {
    const within = formatDuration(this.o.timeoutMs);
    const detail = this.answered
      ? `no complete answer within ${within} (the body was still arriving after ${formatBytes(this.received)})`
      : `no answer within ${within}`;
    return new HttpRequestError('timeout', detail, this.shown);
  }

  private done(res: HttpResponse): void {
    if (!this.end()) return;
    // with discardBody the rest of the body is not wanted; otherwise the socket is done anyway
    this.req.destroy();
    this.resolve(res);
  }

  private fail(err: HttpRequestError): void {
    if (!this.end()) return;
    this.req.destroy();
    this.chunks.length = 0;
    this.reject(err);
  }

  /** Releases the timer and the caller's listener; false when the request had already ended. */
  private end(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}

function cancelled(signal: AbortSignal, shown: string): HttpRequestError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.name !== 'AbortError' ? ` (${oneLine(reason.message)})` : '';
  return new HttpRequestError('cancelled', `cancelled${why}`, shown);
}

/** "connect ECONNREFUSED 127.0.0.1:9", "getaddrinfo ENOTFOUND prom", a TLS failure… in one line. */
function describeNetworkError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const text = oneLine(messageOf(err));
  return code && !text.includes(code) ? `${text} (${code})` : text;
}

function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
