/**
 * Agent records are written behind, in batches: one transaction for every registration,
 * disconnect and repository report that arrived in one turn of the event loop. In a connect
 * storm thousands of Hellos arrive within seconds; one fsynced write each held the event loop
 * for the whole storm (every agent's keepalive and heartbeat waited behind the disk).
 *
 * Nothing is decided from these records before they are written: a rollout persists its own
 * state before any effect, and an agent reports its repository and backups again in its next
 * Hello. A crash between a change and its flush loses what a crash just before the change
 * would have lost.
 */
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { AgentStore, StoredAgent } from '../store/store.js';

/** Runs `flush` once the current turn of the event loop has read its I/O (setImmediate). */
export type Defer = (flush: () => void) => void;

export const deferToNextTurn: Defer = (flush) => {
  setImmediate(flush);
};

/** The latest record of each changed agent, written together. */
export class AgentWrites {
  /** Agent id -> how to build its record now (built at flush: a record changed ten times is serialized once). */
  private readonly pending = new Map<string, () => StoredAgent>();
  private armed = false;

  constructor(
    private readonly store: AgentStore,
    private readonly logger: Logger,
    private readonly defer: Defer = deferToNextTurn,
  ) {}

  /** Queues the agent's record; written at the next flush. */
  save(id: string, record: () => StoredAgent): void {
    this.pending.delete(id); // re-inserted: a batch is written in the order agents last changed
    this.pending.set(id, record);
    if (this.armed) return;
    this.armed = true;
    this.defer(() => this.flush());
  }

  /** Writes every queued record in one transaction; returns how many were written. Safe to call at any time. */
  flush(): number {
    this.armed = false;
    if (this.pending.size === 0) return 0;
    const batch = [...this.pending.values()].map((build) => build());
    this.pending.clear();
    // Stopping convoyd cancels the agent streams, whose disconnects arrive after the store closed.
    // Skipping them loses nothing: every agent is loaded as disconnected at the next start, and
    // its Hello reports its repository and backups again.
    if (!this.store.isOpen) return 0;
    try {
      this.store.saveAgents(batch);
      return batch.length;
    } catch (err) {
      // the records live in memory; each agent's next Hello reports them again once the disk can be written
      this.logger.warn(`cannot save ${batch.length} agent record(s) in the state file: ${messageOf(err)}`, {
        agentId: batch.length === 1 ? batch[0]!.id : undefined,
      });
      return 0;
    }
  }
}
