/**
 * A step starts only once its start is in the journal. When the state directory is full or
 * read-only, refusing the step would fail the rollout for a disk an operator can free in a
 * minute; running it unjournalled would break the promise that a restarted agent knows what
 * it left. So the step waits, says why on its output stream (the coordinator keeps it running
 * and shows the lines), and starts by itself once the journal can be written again.
 */
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { StepRequest } from '../shared/wire.js';
import type { Journal } from './journal.js';
import { isRetryableStorageError } from './storage-error.js';

/** How waiting for the journal ended. */
export type BeginOutcome =
  /** journalled: the step may run */
  | { begun: true; startedAtMs: number }
  /** not journalled and never will be (a refusal reason), or given up (cancelled, stopping) */
  | { begun: false; refusal?: string };

export interface BeginOptions {
  journal: Journal;
  request: StepRequest;
  now: () => number;
  logger: Logger;
  /** The step's own abort signal: a cancel from the coordinator ends the wait. */
  signal: AbortSignal;
  /** False once the agent is stopping: the step is then left for the next session. */
  running: () => boolean;
  /** Output lines for the coordinator (the step's stream). */
  say: (lines: string[]) => void;
}

/** Journals the step's start, waiting for the disk as long as the problem is one an operator can fix. */
export async function beginWhenJournalled(opts: BeginOptions): Promise<BeginOutcome> {
  const { journal, request } = opts;
  let said = '';
  for (;;) {
    const startedAtMs = opts.now();
    try {
      const { requestId, rolloutId, step, targetVersion, attempt } = request;
      journal.begin({ requestId, rolloutId, step, targetVersion, attempt, startedAtMs });
      if (said) opts.say([`the journal can be written again; step ${request.step} starts now`]);
      return { begun: true, startedAtMs };
    } catch (err) {
      if (!isRetryableStorageError(err)) return { begun: false, refusal: `cannot write the journal: ${messageOf(err)}` };
      if (messageOf(err) !== said) {
        said = messageOf(err);
        const line = `step ${request.step} waits: ${said}. It starts by itself once the journal can be written (the agent retries)`;
        opts.logger.error(line, { rolloutId: request.rolloutId, step: request.step, requestId: request.requestId });
        opts.say([line]);
      }
    }
    await journal.whenWritable(opts.signal);
    if (opts.signal.aborted || !opts.running()) return { begun: false };
  }
}
