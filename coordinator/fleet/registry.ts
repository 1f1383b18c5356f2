/** The registry of agents: who is connected, what each runs, how healthy it is. */
import type { CertificateExpiry } from '../../shared/cert-info.js';
import { isHealthy } from '../../shared/health.js';
import { spokenProtocol } from '../../shared/protocol.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { BackupRecord, CoordinatorMessage, HealthState, Hello, InFlight, RepoState } from '../../shared/wire.js';
import type { AgentFacts } from '../rollout/engine.js';
import type { AgentStore } from '../store/store.js';
import { AgentWrites, type Defer } from './agent-writes.js';

/** The coordinator's end of one agent stream. */
export interface AgentSession {
  readonly id: number;
  send(msg: CoordinatorMessage): boolean;
  close(reason: string): void;
}

/** Everything known about one agent. */
export interface AgentRecord {
  id: string;
  connected: boolean;
  session?: AgentSession;
  labels: Record<string, string>;
  serverDir: string;
  hostname: string;
  agentVersion: string;
  /** The agent protocol of its last Hello (shared/protocol.ts). */
  protocolVersion?: number;
  /** backup.keep.perMinor of its last Hello (0: every archive kept). */
  backupKeepPerMinor?: number;
  /** The client certificate of its last connection (mutual TLS); kept while it is away, since an expired one keeps it away. */
  certificate?: CertificateExpiry;
  plan: string[];
  rerunnable: string[];
  hasRestore: boolean;
  stepTimeoutsMs: Record<string, number>;
  /** The agent's backup compatibility rule ('' when it did not say). */
  backupCompatibility?: string;
  /** The agent's rollback procedure ([] from agents that do not report one). */
  rollbackPlan?: string[];
  /** Steps that need the pre-update backup. */
  backupSteps?: string[];
  profile?: string;
  repo?: RepoState;
  health?: HealthState;
  backups: BackupRecord[];
  inFlight?: InFlight | null;
  lastSeenMs: number;
  /** When this coordinator last received the agent's health (its own clock; the agent's checkedAtMs is display). */
  healthReportedAtMs?: number;
  connectedSinceMs: number;
  /** When this coordinator lost it (or started, for an agent not seen since): judges lost steps. */
  disconnectedAtMs: number;
}

export type RegisterOutcome = { ok: true; record: AgentRecord } | { ok: false; code: 'ALREADY_EXISTS'; message: string };

export interface FleetOptions {
  store: AgentStore;
  clock: Clock;
  logger: Logger;
  heartbeatTimeoutMs: number;
  /** When queued agent records are written (default: once the current turn of the event loop is done). */
  defer?: Defer;
}

/** One page of agents in id order, and the id to continue after ('' on the last page). */
export interface AgentPage {
  agents: AgentRecord[];
  nextAfter: string;
}

/** Holds agent records in memory, persists what must survive a restart. */
export class Fleet {
  private readonly agents = new Map<string, AgentRecord>();
  /** Agent ids in order, rebuilt only after a new id joined (not for every listing or scrape). */
  private sortedIds: string[] | undefined;
  private readonly writes: AgentWrites;

  constructor(private readonly opts: FleetOptions) {
    this.writes = new AgentWrites(opts.store, opts.logger, opts.defer);
    const startedAtMs = opts.clock.now();
    for (const stored of opts.store.listAgents()) {
      try {
        const rec = JSON.parse(stored.data) as AgentRecord;
        // Where the agent is now is unknown until it reconnects: its steps get the grace from now.
        const loaded = { connected: false, session: undefined, lastSeenMs: stored.lastSeenMs, disconnectedAtMs: startedAtMs };
        this.agents.set(stored.id, { ...rec, ...loaded });
      } catch {
        opts.logger.warn('ignoring an unreadable agent record in the state file', { agentId: stored.id });
      }
    }
  }

  /**
   * Registers a connecting agent. A second connection for an id that is connected and alive
   * is refused; it replaces the first only when the first has gone silent.
   */
  register(hello: Hello, session: AgentSession, certificate?: CertificateExpiry): RegisterOutcome {
    const now = this.opts.clock.now();
    const existing = this.agents.get(hello.agentId);
    if (existing?.connected && existing.session) {
      const silentFor = now - existing.lastSeenMs;
      if (silentFor < this.opts.heartbeatTimeoutMs) {
        return {
          ok: false,
          code: 'ALREADY_EXISTS',
          message: `agent id ${hello.agentId} is already connected (from ${existing.hostname || 'another host'}, last heard ${Math.round(silentFor / 1000)}s ago); two agents must not share an id`,
        };
      }
      this.opts.logger.warn('replacing a silent session of the same agent', { agentId: hello.agentId, silentMs: silentFor });
      existing.session.close('replaced by a new connection of the same agent');
    }
    const record: AgentRecord = {
      id: hello.agentId,
      connected: true,
      session,
      labels: hello.labels,
      serverDir: hello.serverDir,
      hostname: hello.hostname,
      agentVersion: hello.agentVersion,
      protocolVersion: spokenProtocol(hello.protocolVersion),
      backupKeepPerMinor: hello.backupKeepPerMinor,
      certificate,
      plan: hello.plan,
      rerunnable: hello.rerunnableSteps,
      hasRestore: hello.hasRestore,
      stepTimeoutsMs: hello.stepTimeoutsMs ?? {},
      backupCompatibility: hello.backupCompatibility ?? '',
      rollbackPlan: hello.rollbackPlan ?? [],
      backupSteps: hello.backupSteps ?? [],
      profile: hello.profile ?? '',
      repo: hello.repo,
      health: hello.health,
      backups: hello.backups,
      inFlight: hello.inFlight,
      lastSeenMs: now,
      healthReportedAtMs: now,
      connectedSinceMs: now,
      disconnectedAtMs: 0,
    };
    if (!existing) this.sortedIds = undefined;
    this.agents.set(hello.agentId, record);
    this.persist(record);
    return { ok: true, record };
  }

  /** Marks an agent disconnected if `sessionId` is still its current session. */
  disconnect(agentId: string, sessionId: number): boolean {
    const rec = this.agents.get(agentId);
    if (!rec?.session || rec.session.id !== sessionId) return false;
    rec.connected = false;
    rec.session = undefined;
    rec.disconnectedAtMs = this.opts.clock.now();
    this.persist(rec);
    return true;
  }

  /** Records that the agent is alive. */
  touch(agentId: string, fields: { health?: HealthState | null; inFlight?: InFlight | null } = {}): void {
    const rec = this.agents.get(agentId);
    if (!rec) return;
    rec.lastSeenMs = this.opts.clock.now();
    if (fields.health) {
      rec.health = fields.health;
      rec.healthReportedAtMs = rec.lastSeenMs;
    }
    if (fields.inFlight !== undefined) rec.inFlight = fields.inFlight;
  }

  setHealth(agentId: string, health: HealthState): void {
    const rec = this.agents.get(agentId);
    if (!rec) return;
    rec.health = health;
    rec.lastSeenMs = this.opts.clock.now();
    rec.healthReportedAtMs = rec.lastSeenMs;
  }

  setRepo(agentId: string, repo: RepoState | null | undefined, backups?: BackupRecord[]): void {
    const rec = this.agents.get(agentId);
    if (!rec) return;
    if (repo) rec.repo = repo;
    if (backups) rec.backups = backups;
    rec.lastSeenMs = this.opts.clock.now();
    this.persist(rec);
  }

  addBackup(agentId: string, backup: BackupRecord): void {
    const rec = this.agents.get(agentId);
    if (!rec || rec.backups.some((b) => b.id === backup.id)) return;
    rec.backups = [...rec.backups, backup];
    this.persist(rec);
  }

  get(agentId: string): AgentRecord | undefined {
    return this.agents.get(agentId);
  }

  /** Every agent, in id order. */
  list(): AgentRecord[] {
    return this.ids().map((id) => this.agents.get(id)!);
  }

  /** At most `limit` agents whose id sorts after `after` ('' from the first), in id order. */
  page(after: string, limit: number): AgentPage {
    const ids = this.ids();
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(ids[mid]!, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const start = after ? lo : 0;
    const slice = ids.slice(start, start + limit);
    const more = start + limit < ids.length;
    return { agents: slice.map((id) => this.agents.get(id)!), nextAfter: more ? slice.at(-1)! : '' };
  }

  /** Writes the agent records still queued (before the store closes). */
  flush(): void {
    this.writes.flush();
  }

  private ids(): string[] {
    this.sortedIds ??= [...this.agents.keys()].sort(compareIds);
    return this.sortedIds;
  }

  /**
   * What is known of an agent's server health now: healthy, unhealthy, none (no health check),
   * or unknown while the agent is disconnected (its last report says nothing about now).
   */
  healthState(agentId: string): 'healthy' | 'unhealthy' | 'unknown' | 'none' {
    const rec = this.agents.get(agentId);
    if (!rec?.connected || !rec.health) return 'unknown';
    if (!rec.health.configured) return 'none';
    return rec.health.healthy ? 'healthy' : 'unhealthy';
  }

  /** What the rollout engine needs to know about an agent. */
  facts(agentId: string): AgentFacts | undefined {
    const rec = this.agents.get(agentId);
    if (!rec) return undefined;
    return {
      connected: rec.connected,
      healthy: isHealthy(rec.health),
      healthVersion: rec.health?.version ?? '',
      healthDetail: rec.health?.detail ?? '',
      disconnectedAtMs: rec.connected ? 0 : rec.disconnectedAtMs,
    };
  }

  /** Sends a message to a connected agent; false when it is not connected. */
  send(agentId: string, msg: CoordinatorMessage): boolean {
    const rec = this.agents.get(agentId);
    if (!rec?.connected || !rec.session) return false;
    return rec.session.send(msg);
  }

  /**
   * convoyd itself stood still for `stalledMs`: agents were not silent, we were not listening.
   * Their last-seen times move forward by the stall (never past now), so no one is judged lost
   * for our own pause before the messages they sent meanwhile have been read.
   */
  creditStall(stalledMs: number): void {
    const now = this.opts.clock.now();
    for (const rec of this.agents.values()) {
      if (rec.connected) rec.lastSeenMs = Math.min(now, rec.lastSeenMs + stalledMs);
    }
  }

  /** Disconnects agents silent for longer than the heartbeat timeout; returns their ids. */
  sweep(): string[] {
    const now = this.opts.clock.now();
    const lost: string[] = [];
    for (const rec of this.agents.values()) {
      if (rec.connected && now - rec.lastSeenMs > this.opts.heartbeatTimeoutMs) {
        this.opts.logger.warn('agent stopped heartbeating; marking it disconnected', { agentId: rec.id, silentMs: now - rec.lastSeenMs });
        rec.session?.close('no heartbeat');
        rec.connected = false;
        rec.session = undefined;
        rec.disconnectedAtMs = rec.lastSeenMs;
        this.persist(rec);
        lost.push(rec.id);
      }
    }
    return lost;
  }

  /** Queues the record as it is when the batch is written (agent-writes.ts). */
  private persist(rec: AgentRecord): void {
    this.writes.save(rec.id, () => {
      const { session: _s, connected: _c, ...data } = rec;
      return { id: rec.id, lastSeenMs: rec.lastSeenMs, data: JSON.stringify(data) };
    });
  }
}

/** The order agents are listed and paged in (code-unit order: the same on every machine and locale). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
