/**
 * What the coordinator keeps, as the rest of it sees it: small interfaces in front of the
 * persistence, so the controller, the fleet, the scheduler and the RPC layer depend on what
 * they use, not on SQLite. Writes are synchronous today (SQLite); a transition is load ->
 * transform -> persist without interleaving.
 */
import type { Rollout } from '../rollout/model.js';

/** One line of the event log (who did what, every transition). */
export interface EventRecord {
  seq?: number;
  atMs: number;
  rolloutId: string;
  agentId: string;
  step: string;
  actor: string;
  kind: string;
  message: string;
}

/** What the coordinator remembers of an agent between its connections. */
export interface StoredAgent {
  id: string;
  lastSeenMs: number;
  /** JSON of the last Hello, repository, health and backups. */
  data: string;
}

/** One line of a step's output. */
export interface StoredLogLine {
  seq: number;
  rolloutId: string;
  agentId: string;
  step: string;
  atMs: number;
  line: string;
}

/** Lines and bytes (UTF-8) of stored output. */
export interface OutputSize {
  lines: number;
  bytes: number;
}

/** A schedule's persisted state; `enabledOverride` null means "as coordinator.yaml says". */
export interface ScheduleState {
  name: string;
  enabledOverride: boolean | null;
  /** Start of the last window opened (0: none); a window is opened at most once. */
  lastWindowStartMs: number;
  lastWindowEndMs: number;
  lastRunAtMs: number;
  /** "started r-4 to 0.2.0", "up to date: …", "skipped: rollout r-3 is running", … */
  lastOutcome: string;
  lastRolloutId: string;
}

/** Rollouts: one document each, saved whole with the events of the transition that made it. */
export interface RolloutStore {
  /** The next id ("r-1", "r-2", …), stable across restarts. */
  nextRolloutId(): string;
  /** Persists the rollout and the events of its transition, atomically. */
  saveRollout(r: Rollout, events: EventRecord[]): void;
  getRollout(id: string): Rollout | undefined;
  /** Newest first. */
  listRollouts(opts: { limit: number; cluster?: string }): Rollout[];
  /** Rollouts that still have work (oldest first). */
  unfinishedRollouts(): Rollout[];
}

export interface EventStore {
  appendEvents(events: EventRecord[]): void;
  /** The newest `limit` events, oldest first. */
  listEvents(opts: { rolloutId?: string; limit: number }): EventRecord[];
}

export interface AgentStore {
  /** Writes the records of several agents in one transaction (a batch: coordinator/fleet/agent-writes.ts). */
  saveAgents(agents: readonly StoredAgent[]): void;
  listAgents(): StoredAgent[];
  /** False once closed: while convoyd stops, late agent disconnects must not write. */
  readonly isOpen: boolean;
}

/** Step output, bounded by coordinator/logs/ and pruned by its retention. */
export interface LogStore {
  appendLogLines(rolloutId: string, agentId: string, step: string, requestId: string, atMs: number, lines: string[]): StoredLogLine[];
  listLogLines(rolloutId: string, afterSeq: number, filter: { host?: string; step?: string }): StoredLogLine[];
  sizeOfRun(requestId: string): OutputSize;
  sizeOfRollout(rolloutId: string): OutputSize;
  totalSize(): OutputSize;
  /** The finished rollout whose output is oldest, if any has output. */
  oldestFinishedWithOutput(): string | undefined;
  deleteOutputOf(rolloutId: string): OutputSize;
  /** Deletes finished rollouts' output and events older than the cutoff. */
  deleteFinishedBefore(cutoffMs: number): { rollouts: number; lines: number; events: number };
}

export interface ScheduleStore {
  listScheduleStates(): ScheduleState[];
  saveScheduleState(s: ScheduleState): void;
}

/** Everything convoyd keeps. */
export interface Store extends RolloutStore, EventStore, AgentStore, LogStore, ScheduleStore {
  /** The schema version of the state file (see the store's migrations). */
  readonly schemaVersion: number;
  close(): void;
}
