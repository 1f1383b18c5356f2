/**
 * The one host:port rule: convoyd's `listen` and `http`, the agent's `coordinator.address` and
 * the CLI's `--coordinator` / CONVOY_COORDINATOR. A text that passes here binds or dials as it
 * reads; anything else is refused with the reason and an example, so "127.0.0.1:99999" fails at
 * validation with exit 2 instead of inside grpc-js at start.
 */
import net from 'node:net';
import { printable } from './versions.js';

/** A host:port that parsed. `host` is bare (no brackets around an IPv6 address). */
export interface Address {
  host: string;
  port: number;
}

/** A DNS label: letters, digits, - and _ (compose service names), not starting or ending with -. */
const LABEL_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
/** The longest DNS name (RFC 1035). */
const MAX_HOST_NAME = 253;
/** [host]:65535 with the longest host name. */
const MAX_ADDRESS = MAX_HOST_NAME + 8;
const PORT_RE = /^\d{1,5}$/;
const MAX_PORT = 65535;
const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** Splits "host:port" or "[v6]:port" without judging either part; undefined when there is no port separator. */
function split(text: string): { host: string; port: string; bracketed: boolean } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    return { host: text.slice(1, close), port: text.slice(close + 2), bracketed: true };
  }
  const idx = text.lastIndexOf(':');
  if (idx < 0) return undefined;
  return { host: text.slice(0, idx), port: text.slice(idx + 1), bracketed: false };
}

/**
 * Why `host` is not a host name or IP address, or undefined. A name whose last label is a
 * number is no DNS name (RFC 3696, 2): resolvers read it as an IPv4 address in a legacy form
 * ("127.1", "2130706433"), so it must be written as a.b.c.d.
 */
function hostProblem(host: string, bracketed: boolean): string | undefined {
  if (bracketed) return net.isIPv6(host) ? undefined : `[${printable(host)}] is not an IPv6 address`;
  if (net.isIPv4(host)) return undefined;
  if (net.isIPv6(host)) return 'an IPv6 address goes in brackets';
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  if (/^(0x[0-9a-f]+|\d+)$/i.test(labels[labels.length - 1] ?? ''))
    return `"${printable(host)}" is not an IPv4 address (four numbers from 0 to 255)`;
  if (name.length > MAX_HOST_NAME || !labels.every((l) => LABEL_RE.test(l)))
    return `"${printable(host)}" is neither a host name (letters, digits, - and _ between dots) nor an IP address`;
  return undefined;
}

/**
 * Why `text` is not host:port, with an example built from what was written, or undefined.
 * `examplePort` is the port the example shows (7400 for gRPC, 9464 for metrics).
 */
export function addressProblem(text: string, examplePort = 7400): string | undefined {
  const example = (host: string): string => `e.g. ${host}:${examplePort}`;
  if (text.trim() === '') return `it is empty; ${example('127.0.0.1')}`;
  if (text.length > MAX_ADDRESS) return `it is ${text.length} characters long (at most ${MAX_ADDRESS}); ${example('127.0.0.1')}`;
  if (text !== text.trim()) return `it has spaces around it; write "${printable(text.trim())}"`;
  if (/^\d+$/.test(text)) return `the host is missing; ${example('127.0.0.1')}`;
  if (net.isIPv6(text)) {
    // "::1:7400" is itself an IPv6 address: the brackets say where the port starts
    const guess = split(text);
    const hint = guess && net.isIPv6(guess.host) && PORT_RE.test(guess.port) ? `e.g. [${guess.host}]:${guess.port}` : example(`[${text}]`);
    return `an IPv6 address goes in brackets, followed by the port; ${hint}`;
  }
  if (SCHEME_RE.test(text)) {
    const rest = text.replace(SCHEME_RE, '').replace(/[/?#].*$/, '');
    const inner = split(rest);
    const suggestion = inner && !partsProblem(inner, examplePort) ? rest : `${inner?.host || rest || 'convoy.example.com'}:${examplePort}`;
    return `a URL is not an address: write host:port without the scheme, e.g. ${printable(suggestion)}`;
  }
  return partsProblem(split(text) ?? { host: text, port: '', bracketed: false }, examplePort);
}

function partsProblem(parts: { host: string; port: string; bracketed: boolean }, examplePort: number): string | undefined {
  const host = parts.host === '' ? 'the host is missing' : hostProblem(parts.host, parts.bracketed);
  const portOk = PORT_RE.test(parts.port) && Number(parts.port) >= 1 && Number(parts.port) <= MAX_PORT;
  const port = portOk
    ? undefined
    : parts.port === ''
      ? 'the port is missing'
      : `port ${printable(parts.port)} is not a number from 1 to ${MAX_PORT}`;
  if (!host && !port) return undefined;
  const exampleHost = net.isIPv6(parts.host) ? `[${parts.host}]` : host ? '127.0.0.1' : parts.host;
  return `${[host, port].filter(Boolean).join('; ')}; e.g. ${exampleHost}:${examplePort}`;
}

/** Parses host:port; undefined when addressProblem has something to say. */
export function parseAddress(text: string): Address | undefined {
  if (addressProblem(text) !== undefined) return undefined;
  const parts = split(text) as { host: string; port: string };
  return { host: parts.host, port: Number(parts.port) };
}

/** host:port as written for a dialer or a log line: IPv6 hosts in brackets. */
export function formatAddress(a: Address): string {
  return net.isIPv6(a.host) ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
