/**
 * One instant query to Prometheus's HTTP API for the firing alerts of a cluster. Never throws:
 * every failure becomes a one-line reason, which the engine shows as the rollout's pause reason.
 */
import { HttpRequestError, type HttpResponse, httpRequest } from '../../shared/http-client.js';
import { oneLine, redactUrl } from '../../shared/http-text.js';

/**
 * Largest answer read. An ALERTS query answers a few hundred bytes per firing alert; a body
 * past this is not Prometheus answering that query, and reading on would only grow convoyd.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** What Prometheus answered: the names of the firing alerts, or why it could not be asked. */
export interface AlertAnswer {
  /** Unique alert names, sorted. */
  firing: string[];
  /** '' when Prometheus answered. */
  error: string;
}

/** GET <prometheus>/api/v1/query?query=<query>, keeping a path prefix such as /prometheus/. */
export function queryUrl(prometheus: string, query: string): string {
  const base = new URL(prometheus);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const url = new URL('api/v1/query', base);
  url.searchParams.set('query', query);
  return url.href;
}

interface QueryResponse {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** The alert names of a query response body, or what is wrong with it. */
export function alertNamesOf(body: unknown): AlertAnswer {
  const res = (body ?? {}) as QueryResponse;
  if (res.status === 'error') return { firing: [], error: `Prometheus refused the query: ${oneLine(`${res.errorType}: ${res.error}`)}` };
  const result = res.data?.result;
  if (res.status !== 'success' || res.data?.resultType !== 'vector' || !Array.isArray(result))
    return { firing: [], error: 'Prometheus answered something that is not an instant-vector result' };
  const names = new Set<string>();
  for (const sample of result as { metric?: Record<string, unknown> }[]) {
    const name = sample?.metric?.alertname;
    names.add(typeof name === 'string' && name ? name : '(unnamed alert)');
  }
  return { firing: [...names].sort(), error: '' };
}

/** Asks Prometheus which alerts fire; resolves with an error reason instead of rejecting. */
export async function queryFiringAlerts(prometheus: string, query: string, timeoutMs: number, signal: AbortSignal): Promise<AlertAnswer> {
  const where = redactUrl(prometheus);
  try {
    const res = await httpRequest(queryUrl(prometheus, query), {
      headers: { accept: 'application/json' },
      timeoutMs,
      maxBodyBytes: MAX_ANSWER_BYTES,
      signal,
      shownAs: where,
    });
    return answerOf(res, where);
  } catch (err) {
    return { firing: [], error: failureReason(err, where) };
  }
}

function answerOf(res: HttpResponse, where: string): AlertAnswer {
  const ok = res.status >= 200 && res.status < 300;
  const text = res.body.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const what = ok ? 'a body that is not JSON' : `HTTP ${res.status}${text.trim() ? `: ${oneLine(text, 120)}` : ''}`;
    return { firing: [], error: `Prometheus at ${where} answered ${what}` };
  }
  const answer = alertNamesOf(body);
  if (!ok && !answer.error) return { firing: [], error: `Prometheus at ${where} answered HTTP ${res.status}` };
  return answer;
}

/**
 * The engine shows this as the pause reason. A timeout says so first ("alert check timed
 * out"): it is the case an operator must tell apart from a Prometheus that refused.
 */
function failureReason(err: unknown, where: string): string {
  if (err instanceof HttpRequestError && err.kind === 'timeout') return `alert check timed out: ${err.message}`;
  const detail = err instanceof HttpRequestError ? err.detail : String(err);
  return `Prometheus at ${where}: ${detail}`;
}
