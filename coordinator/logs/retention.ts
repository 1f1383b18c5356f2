/**
 * Retention of what convoyd stores about finished rollouts (coordinator.yaml `retention:`):
 * the step output and events of a rollout finished more than maxAge ago are deleted (its status
 * and step results stay), and when the stored output passes maxLogSize the output of the oldest
 * finished rollouts goes first, with an event saying so. Unfinished rollouts are never pruned;
 * while they alone fill the store, new output is not stored (output-gate.ts).
 */
import type { Clock } from '../../shared/clock.js';
import { formatDuration } from '../../shared/durations.js';
import type { Logger } from '../../shared/logger.js';
import { formatSize } from '../../shared/sizes.js';
import type { AgentStore, EventStore, LogStore } from '../store/store.js';
import type { RetentionConfig } from './output-limits.js';

/** How often the age rule is applied (the size rule is applied as output arrives). */
export const RETENTION_SWEEP_MS = 60 * 60_000;

export interface RetentionDeps {
  store: LogStore & EventStore & Pick<AgentStore, 'isOpen'>;
  config: RetentionConfig;
  clock: Clock;
  logger: Logger;
}

export class Retention {
  private total: number;
  private cancelTimer?: () => void;

  constructor(private readonly o: RetentionDeps) {
    this.total = o.store.totalSize().bytes;
  }

  /** Bytes of step output stored now (as far as this process knows; re-read at each sweep). */
  get storedBytes(): number {
    return this.total;
  }

  /** Applies both rules now, then every RETENTION_SWEEP_MS until stop(). */
  start(): void {
    this.sweep();
    const again = (): void => {
      this.sweep();
      this.cancelTimer = this.o.clock.setTimer(RETENTION_SWEEP_MS, again);
    };
    this.cancelTimer = this.o.clock.setTimer(RETENTION_SWEEP_MS, again);
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Deletes what is older than maxAge, then what is over maxLogSize. Safe to call at any time. */
  sweep(): void {
    const { store, config, clock, logger } = this.o;
    if (!store.isOpen) return;
    const gone = store.deleteFinishedBefore(clock.now() - config.maxAgeMs);
    if (gone.lines || gone.events) {
      logger.info(
        `retention: deleted the step output and events of ${gone.rollouts} rollout(s) finished more than ${formatDuration(config.maxAgeMs)} ago (${gone.lines} line(s), ${gone.events} event(s); retention.maxAge)`,
        gone,
      );
    }
    this.total = store.totalSize().bytes;
    this.makeRoom(0);
  }

  /**
   * Grants up to `bytes` of new output: room is made by deleting the output of the oldest
   * finished rollouts; what still does not fit under maxLogSize is not granted.
   */
  reserve(bytes: number): number {
    this.makeRoom(bytes);
    const granted = Math.max(0, Math.min(bytes, this.o.config.maxLogBytes - this.total));
    this.total += granted;
    return granted;
  }

  private makeRoom(bytes: number): void {
    const { store, config, clock, logger } = this.o;
    while (this.total + bytes > config.maxLogBytes) {
      const id = store.oldestFinishedWithOutput();
      if (!id) return;
      const freed = store.deleteOutputOf(id);
      this.total = Math.max(0, this.total - freed.bytes);
      const message = `step output deleted (${freed.lines} line(s), ${formatSize(freed.bytes)}): the stored output of all rollouts reached ${formatSize(config.maxLogBytes)} (retention.maxLogSize); the oldest finished rollouts go first`;
      store.appendEvents([{ atMs: clock.now(), rolloutId: id, agentId: '', step: '', actor: 'convoyd', kind: 'retention', message }]);
      logger.info(`retention: rollout ${id}: ${message}`, { rolloutId: id });
    }
  }
}
