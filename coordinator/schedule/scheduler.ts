/**
 * The scheduler: opens each schedule's maintenance windows (windows.ts says when), lets
 * opening.ts decide what a window does, and remembers the outcome in the state file.
 *
 * Two prompts open a window, both idempotent (a window is opened once, by its start):
 * node-cron fires at each occurrence, and the daemon's one-second tick asks whether a
 * window is open that was not opened yet. The tick is what opens a window node-cron does
 * not fire for (a start moved by a DST change), what opens the window a coordinator was
 * restarted in, and how unit tests drive the scheduler with a fake clock.
 *
 * The window's end is enforced by the rollout engine (no host starts at or after it); the
 * scheduler tells a rollout paused by it when the next window opens (resumeAtMs).
 */
import type { Clock } from '../../shared/clock.js';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ClusterConfig, ScheduleConfig } from '../config.js';
import type { Rollout } from '../rollout/model.js';
import type { EventRecord, EventStore, ScheduleState, ScheduleStore as ScheduleStates } from '../store/store.js';
import { startCron as nodeCronStart, type CronHandle } from './cron.js';
import {
  openScheduleWindow,
  resolveNow,
  rolloutsOnCluster,
  scheduleActor,
  type Decision,
  type ScheduleFleet,
  type ScheduleRollouts,
} from './opening.js';
import type { Resolution } from './target.js';
import { nextStart, nextWindows, windowAt, windowSpec, type MaintenanceWindow, type WindowSpec } from './windows.js';

export type { ScheduleFleet, ScheduleRollouts } from './opening.js';

/** What the scheduler persists. */
export type ScheduleStore = ScheduleStates & Pick<EventStore, 'appendEvents'>;

export type CronStarter = (expr: string, timezone: string, name: string, fn: () => void) => Promise<CronHandle>;

export interface SchedulerOptions {
  schedules: ScheduleConfig[];
  clusters: ClusterConfig[];
  rollouts: ScheduleRollouts;
  fleet: ScheduleFleet;
  store: ScheduleStore;
  clock: Clock;
  logger: Logger;
  /** Default: node-cron (cron.ts). Tests pass a stub and drive tick(). */
  startCron?: CronStarter;
  /** How long members may take to fetch their tags when a window opens (default 30s). */
  refreshTimeoutMs?: number;
  /** After start-up, how long a window waits for the cluster's agents to reconnect (default 30s). */
  startupGraceMs?: number;
}

/** One schedule as `convoy schedules` shows it. */
export interface ScheduleStatus {
  config: ScheduleConfig;
  enabled: boolean;
  /** Empty while disabled: no window will open. */
  nextWindows: MaintenanceWindow[];
  /** The target now, from the tags the members last reported. */
  resolution: Resolution;
  state: ScheduleState;
  /** The window opened last, while it is still open. */
  openWindow?: MaintenanceWindow;
  /** The rollout of the last outcome, as it is now. */
  lastRollout?: Rollout;
}

interface Entry {
  config: ScheduleConfig;
  spec: WindowSpec;
  members: string[];
  state: ScheduleState;
  /** The first window start after the last check (undefined: none ever again). */
  nextStartMs: number | undefined;
  /** Ask windows.ts again at the next tick (start-up, enabled again). */
  recheck: boolean;
  opening?: Promise<void>;
}

const NEXT_WINDOWS_SHOWN = 3;

function emptyState(name: string): ScheduleState {
  return { name, enabledOverride: null, lastWindowStartMs: 0, lastWindowEndMs: 0, lastRunAtMs: 0, lastOutcome: '', lastRolloutId: '' };
}

/** Opens maintenance windows. One per coordinator; start() after the controller reloaded its rollouts. */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly crons: CronHandle[] = [];
  private startedAtMs = 0;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {
    const saved = new Map(o.store.listScheduleStates().map((s) => [s.name, s]));
    for (const config of o.schedules) {
      const members = o.clusters.find((c) => c.name === config.cluster)?.members ?? [];
      const spec = windowSpec(config.cron, config.timezone, config.windowMs);
      const state = saved.get(config.name) ?? emptyState(config.name);
      this.entries.set(config.name, { config, spec, members, state, nextStartMs: undefined, recheck: true });
    }
  }

  /** Starts the cron tasks, then opens a window the coordinator was started in. */
  async start(): Promise<void> {
    this.startedAtMs = this.o.clock.now();
    const start = this.o.startCron ?? nodeCronStart;
    for (const e of this.entries.values()) {
      this.crons.push(await start(e.config.cron, e.config.timezone, scheduleActor(e.config.name), () => this.prompt(e)));
      const next = nextWindows(e.spec, this.startedAtMs, 1)[0];
      this.o.logger.info(`schedule ${e.config.name}: next window ${next ? new Date(next.startMs).toISOString() : 'never'}`, {
        schedule: e.config.name,
        enabled: this.enabled(e),
      });
    }
    this.tick();
  }

  /** Stops the cron tasks; a window being opened decides nothing more. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.crons.splice(0).map((c) => c.stop()));
  }

  /** Opens due windows and keeps the resume time of window-paused rollouts current. Call every second. */
  tick(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    for (const e of this.entries.values()) this.tickEntry(e, now);
    this.forgetRemovedSchedules();
  }

  /** Resolves once no window is being opened (tests, and `convoy schedules run`). */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.entries.values()].map((e) => e.opening).filter((p) => p !== undefined);
      if (!pending.length) return;
      await Promise.all(pending);
    }
  }

  /** `convoy schedules run <name>`: opens a window of the schedule's length now. */
  async run(name: string, by: string): Promise<ScheduleStatus> {
    const e = this.entry(name);
    if (this.stopped) throw new ConvoyError('UNAVAILABLE', 'the coordinator is shutting down; run the schedule again once it is back');
    if (e.opening)
      throw new ConvoyError('FAILED_PRECONDITION', `a window of schedule ${name} is being opened right now; see \`convoy schedules\``);
    const now = this.o.clock.now();
    await this.open(e, { startMs: now, endMs: now + e.config.windowMs }, by, true);
    return this.status(name);
  }

  /** `convoy schedules enable|disable <name>`: persists; overrides `enabled` of coordinator.yaml. */
  setEnabled(name: string, enabled: boolean, by: string): ScheduleStatus {
    const e = this.entry(name);
    // an override equal to the file's value is no override: the file governs again
    e.state = { ...e.state, enabledOverride: enabled === e.config.enabled ? null : enabled };
    this.o.store.saveScheduleState(e.state);
    this.journal(e, by, '', `schedule ${name} ${enabled ? 'enabled' : 'disabled'} by ${by}`);
    e.recheck = true;
    this.tickEntry(e, this.o.clock.now());
    return this.status(name);
  }

  /** Each schedule's next window start (0 while disabled or never again), for metrics. Cheap: cached by tick(). */
  nextWindowStarts(): { name: string; cluster: string; nextStartMs: number }[] {
    return [...this.entries.values()].map((e) => ({
      name: e.config.name,
      cluster: e.config.cluster,
      nextStartMs: this.enabled(e) ? (e.nextStartMs ?? 0) : 0,
    }));
  }

  list(): ScheduleStatus[] {
    return [...this.entries.keys()].map((name) => this.status(name));
  }

  status(name: string): ScheduleStatus {
    const e = this.entry(name);
    const now = this.o.clock.now();
    const enabled = this.enabled(e);
    const { state } = e;
    const open = now >= state.lastWindowStartMs && now < state.lastWindowEndMs;
    const lastRollout = state.lastRolloutId
      ? (this.o.rollouts.activeRollouts().find((r) => r.id === state.lastRolloutId) ??
        this.o.rollouts.list(50, e.config.cluster).find((r) => r.id === state.lastRolloutId))
      : undefined;
    return {
      config: e.config,
      enabled,
      nextWindows: enabled ? nextWindows(e.spec, now, NEXT_WINDOWS_SHOWN) : [],
      resolution: resolveNow(this.o.fleet, e.config, e.members),
      state,
      openWindow: open ? { startMs: state.lastWindowStartMs, endMs: state.lastWindowEndMs } : undefined,
      lastRollout,
    };
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) {
      const known = [...this.entries.keys()].join(', ') || 'none configured';
      throw new ConvoyError('NOT_FOUND', `schedule "${name}" is not in the coordinator's configuration (schedules: ${known})`);
    }
    return e;
  }

  private enabled(e: Entry): boolean {
    return e.state.enabledOverride ?? e.config.enabled;
  }

  /** node-cron fired: a window starts now (tick() would see it within a second). */
  private prompt(e: Entry): void {
    try {
      if (!this.stopped) this.tickEntry(e, this.o.clock.now());
    } catch (err) {
      this.o.logger.error('schedule check failed', { schedule: e.config.name, error: messageOf(err) });
    }
  }

  private tickEntry(e: Entry, now: number): void {
    const due = this.dueWindow(e, now);
    if (due && !e.opening && !this.waitForAgents(e, now)) void this.open(e, due, scheduleActor(e.config.name), false);
    this.keepResumeTimes(e);
  }

  /** The window open now that was not opened yet, if the schedule is enabled. */
  private dueWindow(e: Entry, now: number): MaintenanceWindow | undefined {
    if (!this.enabled(e)) return undefined;
    if (!e.recheck && (e.nextStartMs === undefined || now < e.nextStartMs)) return undefined;
    const w = windowAt(e.spec, now);
    e.nextStartMs = nextStart(e.spec, now);
    // a due window is asked for again at every tick until it has been opened (it may have to wait)
    e.recheck = w !== undefined && w.startMs > e.state.lastWindowStartMs;
    return e.recheck ? w : undefined;
  }

  /** Right after start-up, a window waits (a little) for the cluster's agents to reconnect. */
  private waitForAgents(e: Entry, now: number): boolean {
    if (now >= this.startedAtMs + (this.o.startupGraceMs ?? 30_000)) return false;
    return e.members.some((m) => !this.o.fleet.get(m)?.connected);
  }

  /** Decides what window `w` does (opening.ts) and records it; the promise is also kept in `e.opening`. */
  private open(e: Entry, w: MaintenanceWindow, by: string, manual: boolean): Promise<void> {
    const ctx = {
      rollouts: this.o.rollouts,
      fleet: this.o.fleet,
      logger: this.o.logger,
      refreshTimeoutMs: this.o.refreshTimeoutMs ?? 30_000,
      stopping: () => this.stopped,
    };
    e.opening = openScheduleWindow(ctx, e.config, e.members, w, manual)
      .catch((err: unknown): Decision => ({ outcome: `failed: ${messageOf(err)}`, rolloutId: '' }))
      .then((decision) => {
        if (decision && !this.stopped) this.record(e, w, decision, by);
      })
      .finally(() => {
        e.opening = undefined;
      });
    return e.opening;
  }

  private record(e: Entry, w: MaintenanceWindow, d: Decision, by: string): void {
    const now = this.o.clock.now();
    e.state = {
      ...e.state,
      lastWindowStartMs: w.startMs,
      lastWindowEndMs: w.endMs,
      lastRunAtMs: now,
      lastOutcome: d.outcome,
      lastRolloutId: d.rolloutId,
    };
    this.o.store.saveScheduleState(e.state);
    const span = `${new Date(w.startMs).toISOString()} – ${new Date(w.endMs).toISOString()}`;
    this.journal(e, by, d.rolloutId, `schedule ${e.config.name}: window ${span} opened: ${d.outcome}`);
    this.keepResumeTimes(e);
  }

  private journal(e: Entry, actor: string, rolloutId: string, message: string): void {
    this.o.logger.info(message, { schedule: e.config.name, rolloutId: rolloutId || undefined, actor });
    const event: EventRecord = { atMs: this.o.clock.now(), rolloutId, agentId: '', step: '', actor, kind: 'schedule', message };
    this.o.store.appendEvents([event]);
  }

  /** A rollout paused by this schedule's window resumes at the next window (none while disabled). */
  private keepResumeTimes(e: Entry): void {
    const resumeAt = this.enabled(e) ? (e.nextStartMs ?? nextStart(e.spec, this.o.clock.now()) ?? 0) : 0;
    for (const r of rolloutsOnCluster(this.o.rollouts, e.config.cluster, e.members)) {
      if (r.schedule === e.config.name && r.state === 'paused' && r.pauseKind === 'window') this.o.rollouts.setResumeAt(r.id, resumeAt);
    }
  }

  /** A rollout whose schedule was removed from coordinator.yaml resumes only by hand. */
  private forgetRemovedSchedules(): void {
    for (const r of this.o.rollouts.activeRollouts()) {
      if (r.schedule && !this.entries.has(r.schedule) && r.pauseKind === 'window') this.o.rollouts.setResumeAt(r.id, 0);
    }
  }
}
