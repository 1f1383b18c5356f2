/**
 * Outbound HTTP of convoyd (webhooks, Prometheus queries) through node's fetch: credentials
 * written in a URL become a header, URLs are redacted before they reach a log line, and a
 * failed request is described in one line an operator can act on.
 */
import { formatDuration } from '../../shared/durations.js';

/** The URL to fetch (credentials removed) and the headers that carry them. */
export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
}

/** fetch refuses URLs with user:password@; send them as basic authentication instead. */
export function httpTarget(raw: string): HttpTarget {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: url.href, headers: {} };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.href, headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } };
}

/**
 * A URL fit for a log line: scheme, host and port only. Webhook URLs carry their secret in
 * the path (Slack: /services/T…/B…/secret), so the path never reaches the logs.
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return url.pathname === '/' && !url.search ? url.origin : `${url.origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}

/** One line for a fetch that threw: timeout, refused connection, DNS, TLS… */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return err.name === 'TimeoutError' ? `no answer within ${formatDuration(timeoutMs)}` : 'cancelled';
  }
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const base = err instanceof Error ? err.message : String(err);
  const detail = cause?.code ?? cause?.message;
  return oneLine(detail ? `${base} (${detail})` : base);
}

/** Collapses whitespace and cuts long text (an HTML error page, a stack) to one short line. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** An AbortSignal that fires on `signal` or after `timeoutMs`, whichever comes first. */
export function withTimeout(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}
