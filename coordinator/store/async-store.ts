/**
 * The Store as a database across a network can offer it: the same records and methods as
 * store.ts, each method returning a Promise. PostgreSQL (postgres-store.ts) implements it, and
 * the SQLite store is wrapped into it (SqliteAsyncStore) so one controller and one contract test
 * suite serve both.
 *
 * Derived from Store rather than retyped, so the two cannot drift: a method added to Store
 * appears here, and the adapter below stops compiling until it forwards it.
 *
 * What an asynchronous store changes for callers: between `await`s another caller may run.
 * "Persist first, then perform the effects" still holds when the controller awaits saveRollout
 * before it performs the effects of that transition, and runs one transition of a rollout at a
 * time (see docs/high-availability.md, "What is not wired yet").
 */
import type { Store } from './store.js';
import type { SqliteStore } from './sqlite-store.js';
import type { EventRecord, OutputSize, ScheduleState, StoredAgent, StoredLogLine } from './store.js';
import type { Rollout } from '../rollout/model.js';

/** Each method of T returning a Promise of what it returned; properties stay as they are. */
export type Promised<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/** Everything convoyd keeps, asynchronously. */
export type AsyncStore = Promised<Store>;

/** The SQLite store behind the asynchronous interface. Each call is one synchronous SQLite call, so atomicity is SQLite's. */
export class SqliteAsyncStore implements AsyncStore {
  constructor(private readonly inner: SqliteStore) {}

  get schemaVersion(): number {
    return this.inner.schemaVersion;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async close(): Promise<void> {
    this.inner.close();
  }

  async nextRolloutId(): Promise<string> {
    return this.inner.nextRolloutId();
  }

  async saveRollout(r: Rollout, events: EventRecord[]): Promise<void> {
    this.inner.saveRollout(r, events);
  }

  async getRollout(id: string): Promise<Rollout | undefined> {
    return this.inner.getRollout(id);
  }

  async listRollouts(opts: { limit: number; cluster?: string }): Promise<Rollout[]> {
    return this.inner.listRollouts(opts);
  }

  async unfinishedRollouts(): Promise<Rollout[]> {
    return this.inner.unfinishedRollouts();
  }

  async appendEvents(events: EventRecord[]): Promise<void> {
    this.inner.appendEvents(events);
  }

  async listEvents(opts: { rolloutId?: string; limit: number }): Promise<EventRecord[]> {
    return this.inner.listEvents(opts);
  }

  async saveAgents(agents: readonly StoredAgent[]): Promise<void> {
    this.inner.saveAgents(agents);
  }

  async listAgents(): Promise<StoredAgent[]> {
    return this.inner.listAgents();
  }

  async appendLogLines(
    rolloutId: string,
    agentId: string,
    step: string,
    requestId: string,
    atMs: number,
    lines: string[],
  ): Promise<StoredLogLine[]> {
    return this.inner.appendLogLines(rolloutId, agentId, step, requestId, atMs, lines);
  }

  async listLogLines(rolloutId: string, afterSeq: number, filter: { host?: string; step?: string }): Promise<StoredLogLine[]> {
    return this.inner.listLogLines(rolloutId, afterSeq, filter);
  }

  async sizeOfRun(requestId: string): Promise<OutputSize> {
    return this.inner.sizeOfRun(requestId);
  }

  async sizeOfRollout(rolloutId: string): Promise<OutputSize> {
    return this.inner.sizeOfRollout(rolloutId);
  }

  async totalSize(): Promise<OutputSize> {
    return this.inner.totalSize();
  }

  async oldestFinishedWithOutput(): Promise<string | undefined> {
    return this.inner.oldestFinishedWithOutput();
  }

  async deleteOutputOf(rolloutId: string): Promise<OutputSize> {
    return this.inner.deleteOutputOf(rolloutId);
  }

  async deleteFinishedBefore(cutoffMs: number): Promise<{ rollouts: number; lines: number; events: number }> {
    return this.inner.deleteFinishedBefore(cutoffMs);
  }

  async listScheduleStates(): Promise<ScheduleState[]> {
    return this.inner.listScheduleStates();
  }

  async saveScheduleState(s: ScheduleState): Promise<void> {
    this.inner.saveScheduleState(s);
  }
}
