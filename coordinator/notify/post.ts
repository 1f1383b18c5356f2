/** One POST of a JSON body to a webhook, and whether a failure is worth a retry. Never throws. */
import { HttpRequestError, httpRequest } from '../../shared/http-client.js';
import { messageOf } from '../../shared/errors.js';

/** How one attempt went. */
export interface PostResult {
  ok: boolean;
  /** A failure that may pass (network, timeout, 5xx, 408, 429); false for a refusal that will not. */
  retry: boolean;
  /** "HTTP 503", "no answer within 5.0s", "connect ECONNREFUSED 127.0.0.1:9". */
  detail: string;
}

/** Sends one delivery attempt. */
export type PostJson = (url: string, body: string, timeoutMs: number, signal: AbortSignal) => Promise<PostResult>;

/** Whether an HTTP status is worth another attempt. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * The real poster. Redirects are not followed: a POST turned into a GET would be lost
 * silently. The answer's body is not read (the status says it all), so a receiver that
 * streams one cannot hold the delivery queue.
 */
export function httpPoster(userAgent: string): PostJson {
  return async (url, body, timeoutMs, signal) => {
    try {
      const res = await httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': userAgent },
        body,
        timeoutMs,
        maxBodyBytes: 0,
        discardBody: true,
        signal,
      });
      if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, detail: `HTTP ${res.status}` };
      const redirect = res.status >= 300 && res.status < 400 ? ' (a redirect: configure the URL it points to)' : '';
      return { ok: false, retry: retryableStatus(res.status), detail: `HTTP ${res.status}${redirect}` };
    } catch (err) {
      const detail = err instanceof HttpRequestError ? err.detail : messageOf(err);
      return { ok: false, retry: !signal.aborted, detail };
    }
  };
}
