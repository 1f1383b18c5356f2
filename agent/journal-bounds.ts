/**
 * What keeps the journal, and so every Hello, within the message limit. One result may not
 * grow past MAX_RESULT_BYTES (its output tail loses its oldest lines first); the journal as a
 * whole may not pass MAX_JOURNAL_BYTES (its oldest results keep their outcome and reason but
 * lose their output tail and release notes). Each cut is said in the result itself, so the
 * coordinator and the operator see it, and logged by the journal.
 */
import { MAX_MESSAGE_BYTES } from '../shared/proto.js';
import { agentMessageBytes } from '../shared/wire-size.js';
import type { StepResult } from '../shared/wire.js';

/** Largest encoded result the journal keeps (an eighth of the message limit). */
export const MAX_RESULT_BYTES = MAX_MESSAGE_BYTES / 8;
/** Largest sum of encoded results the journal keeps (twice the message limit). */
export const MAX_JOURNAL_BYTES = 2 * MAX_MESSAGE_BYTES;

/** Encoded sizes of the results the journal holds (they are never changed in place). */
const sizes = new WeakMap<StepResult, number>();

export function resultBytes(r: StepResult): number {
  let size = sizes.get(r);
  if (size === undefined) {
    size = agentMessageBytes({ result: r });
    sizes.set(r, size);
  }
  return size;
}

/** `r` within MAX_RESULT_BYTES, and what was cut ('' when nothing). */
export function fitResult(r: StepResult, maxBytes = MAX_RESULT_BYTES): { result: StepResult; cut: string } {
  if (resultBytes(r) <= maxBytes) return { result: r, cut: '' };
  const tail = [...r.outputTail];
  let dropped = 0;
  const withTail = (): StepResult => ({
    ...r,
    outputTail: dropped
      ? [`[convoy: ${dropped} earlier line(s) of the output tail dropped to fit the result in ${maxBytes} bytes]`, ...tail]
      : tail,
  });
  // Halve what is left until it fits: a handful of encodings, not one per line.
  while (tail.length > 0 && resultBytes(withTail()) > maxBytes) {
    const n = Math.max(1, Math.ceil(tail.length / 2));
    tail.splice(0, n);
    dropped += n;
  }
  let result = withTail();
  let cut = dropped ? `${dropped} line(s) of its output tail` : '';
  if (resultBytes(result) > maxBytes && result.releaseNotes) {
    result = {
      ...result,
      releaseNotes: null,
      reason: `${result.reason} [convoy: release notes dropped: too large for the journal]`.trim(),
    };
    cut = cut ? `${cut} and its release notes` : 'its release notes';
  }
  return { result, cut };
}

/** `r` reduced to what a rollout decides on: outcome, exit code, reason, versions; no tail, no notes. */
export function summariseResult(r: StepResult): StepResult {
  return {
    ...r,
    outputTail: r.outputTail.length ? ['[convoy: output tail dropped: the journal was over its size limit]'] : [],
    releaseNotes: r.releaseNotes ? { ...r.releaseNotes, notes: [] } : null,
  };
}

/**
 * The newest results whose encoded sizes fit `budget` bytes, in their original order; the rest
 * (the oldest) are returned apart, to be sent after the Hello.
 */
export function newestWithin(results: readonly StepResult[], budget: number): { kept: StepResult[]; left: StepResult[] } {
  let used = 0;
  let first = results.length;
  for (let i = results.length - 1; i >= 0; i--) {
    // a repeated field costs its bytes plus a tag and a length prefix of at most 5 bytes
    const size = resultBytes(results[i]!) + 6;
    if (used + size > budget) break;
    used += size;
    first = i;
  }
  return { kept: results.slice(first), left: results.slice(0, first) };
}
