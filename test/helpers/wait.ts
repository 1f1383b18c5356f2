/** Polling for external state in end-to-end tests (processes, files, HTTP answers). */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the failure message: "hoss-a to serve 0.2.0". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** More context for the failure message (last CLI output, a log tail). */
  describe?: () => string | Promise<string>;
}

/** Thrown by a predicate to stop waiting at once (the awaited thing can no longer happen). */
export class GiveUpError extends Error {
  override name = 'GiveUpError';
}

/**
 * Polls `predicate` until it returns a truthy value and returns that value. A predicate that
 * throws counts as "not yet" (the last error is reported), except a GiveUpError.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      if (err instanceof GiveUpError) throw new Error(`gave up waiting for ${opts.what}: ${err.message}`);
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(opts.intervalMs ?? 100);
  }
  const last = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
  const extra = opts.describe ? `\n${await opts.describe()}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${last}${extra}`);
}
