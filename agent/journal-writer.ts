/**
 * Writes <stateDir>/journal.json, and keeps trying when it cannot. A full or read-only state
 * directory must not turn into a journal that silently lags what happened: a failed write is
 * kept as the one pending write, logged with the file and the fix, and retried on a timer with
 * backoff until it lands; then whoever waits for the disk (a step that needs its start
 * journalled) is woken. The retry writes whatever the journal holds by then.
 */
import { writeFileAtomicSync } from '../shared/atomic-write.js';
import { Backoff, type BackoffPolicy } from '../shared/backoff.js';
import type { Clock } from '../shared/clock.js';
import { formatDuration } from '../shared/durations.js';
import type { Logger } from '../shared/logger.js';
import { storageError, type StorageError } from './storage-error.js';

/** Delays between retries of a failed journal write: soon at first, then every quarter minute or so. */
export const JOURNAL_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 15_000, multiplier: 2, jitter: 0.2 };

export interface JournalWriterOptions {
  clock: Clock;
  logger: Logger;
  /** The journal's current content, written by a retry. */
  current: () => string;
  /** Writes a file atomically (unit tests inject a full disk). */
  writeFile?: (file: string, text: string) => void;
  retry?: BackoffPolicy;
}

/** One file, written atomically, retried after a failure. */
export class JournalWriter {
  private failure: StorageError | undefined;
  private failedAttempts = 0;
  private cancelRetry: (() => void) | undefined;
  private waiters: (() => void)[] = [];
  private readonly backoff: Backoff;
  private readonly writeFile: (file: string, text: string) => void;

  constructor(
    readonly file: string,
    private readonly opts: JournalWriterOptions,
  ) {
    this.backoff = new Backoff(opts.retry ?? JOURNAL_RETRY);
    this.writeFile = opts.writeFile ?? ((f, text) => writeFileAtomicSync(f, text));
  }

  /** Why the last write failed, until one succeeds: then undefined. */
  get problem(): StorageError | undefined {
    return this.failure;
  }

  /** Writes `text` now; on failure returns the error (naming the file and the fix) and schedules a retry. */
  write(text: string): StorageError | undefined {
    try {
      this.writeFile(this.file, text);
    } catch (err) {
      this.failed(storageError(this.file, err));
      return this.failure;
    }
    this.succeeded();
    return undefined;
  }

  /** Resolves once a write has succeeded (at once when none is failing), or when `signal` aborts. */
  whenWritten(signal?: AbortSignal): Promise<void> {
    if (!this.failure || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops retrying (the daemon is stopping); what is still not written is said in the log. */
  close(): void {
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    if (this.failure) this.opts.logger.error(`stopping with the journal not written: ${this.failure.message}`, { file: this.file });
  }

  private failed(err: StorageError): void {
    const repeated = this.failure?.message === err.message;
    this.failure = err;
    this.failedAttempts += 1;
    if (this.cancelRetry) return; // the retry already scheduled writes the newest content
    const delay = this.backoff.next();
    if (!repeated) {
      this.opts.logger.error(
        `journal not written: ${err.message}. convoy-agent retries by itself (next in ${formatDuration(delay)}); until a write succeeds, results go to the coordinator over the stream only and new steps wait`,
        { file: this.file, code: err.code },
      );
    }
    this.cancelRetry = this.opts.clock.setTimer(delay, () => {
      this.cancelRetry = undefined;
      this.write(this.opts.current());
    });
  }

  private succeeded(): void {
    if (this.failure) {
      this.opts.logger.info(`journal ${this.file} written again after ${this.failedAttempts} failed attempt(s)`, { file: this.file });
    }
    this.failure = undefined;
    this.failedAttempts = 0;
    this.backoff.reset();
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}
