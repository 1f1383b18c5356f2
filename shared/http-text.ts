/**
 * The words around outbound HTTP: credentials written in a URL become a header, URLs are
 * redacted before they reach an error or a log line, sizes and server text fit on one line.
 */

/** The URL to request (credentials removed) and the headers that carry them. */
export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
}

/** A URL with user:password@ is sent as basic authentication, never as part of the request line. Throws on a malformed URL. */
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

/** Collapses whitespace and cuts long text (an HTML error page, a stack) to one short line. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB'];

/** 512 bytes, 64 KiB, 1 MiB, 1.5 MiB. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${UNITS[unit]}`;
}
