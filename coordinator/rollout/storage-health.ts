/**
 * Whether convoyd can write its state file: the problem said once (logged on change), shown as
 * every unfinished rollout's reason until a write succeeds again.
 */
import type { Clock } from '../../shared/clock.js';
import { formatDuration } from '../../shared/durations.js';
import type { Logger } from '../../shared/logger.js';
import { describeStorageError, storageFix } from '../store/storage-errors.js';

export class StorageHealth {
  private problem: { message: string; sinceMs: number } | undefined;

  constructor(private readonly o: { stateFile: string; clock: Clock; logger: Logger }) {}

  /** '' while writes succeed. */
  get message(): string {
    return this.problem?.message ?? '';
  }

  failed(err: unknown, rolloutId: string): void {
    const why = describeStorageError(err);
    const message = `convoyd cannot write its state file ${this.o.stateFile}: ${why}; nothing new starts and agents keep their results until it can (${storageFix(why)})`;
    if (this.problem?.message !== message) this.o.logger.error(message, { rolloutId });
    this.problem = { message, sinceMs: this.problem?.sinceMs ?? this.o.clock.now() };
  }

  recovered(): void {
    if (!this.problem) return;
    this.o.logger.warn(`the state file is writable again after ${formatDuration(this.o.clock.now() - this.problem.sinceMs)}; going on`);
    this.problem = undefined;
  }
}
