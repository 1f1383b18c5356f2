/** One POST of a JSON body to a webhook, and whether a failure is worth a retry. Never throws. */
import { describeFetchError, httpTarget, withTimeout } from './http.js';

/** How one attempt went. */
export interface PostResult {
  ok: boolean;
  /** A failure that may pass (network, timeout, 5xx, 408, 429); false for a refusal that will not. */
  retry: boolean;
  /** "HTTP 503", "no answer within 5.0s", "fetch failed (ECONNREFUSED)". */
  detail: string;
}

/** Sends one delivery attempt. */
export type PostJson = (url: string, body: string, timeoutMs: number, signal: AbortSignal) => Promise<PostResult>;

/** Whether an HTTP status is worth another attempt. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The real poster (node's fetch). Redirects are not followed: a POST turned into a GET would be lost silently. */
export function httpPoster(userAgent: string): PostJson {
  return async (url, body, timeoutMs, signal) => {
    try {
      const target = httpTarget(url);
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...target.headers },
        body,
        redirect: 'manual',
        signal: withTimeout(signal, timeoutMs),
      });
      await res.body?.cancel(); // the answer's body is not needed; free the connection
      if (res.ok) return { ok: true, retry: false, detail: `HTTP ${res.status}` };
      const redirect = res.status >= 300 && res.status < 400 ? ' (a redirect: configure the URL it points to)' : '';
      return { ok: false, retry: retryableStatus(res.status), detail: `HTTP ${res.status}${redirect}` };
    } catch (err) {
      return { ok: false, retry: !signal.aborted, detail: describeFetchError(err, timeoutMs) };
    }
  };
}
