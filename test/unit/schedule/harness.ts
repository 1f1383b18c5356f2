/**
 * A coordinator without ports for the scheduler's tests: the real Scheduler, RolloutController,
 * engine, Fleet and SqliteStore (a temp file) on a FakeClock, and fake agents that answer what
 * the coordinator sends them when the test calls deliver(). A step the test holds stays "in
 * progress" until released; restart() builds a new coordinator on the same state file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/logger.js';
import { compareVersions } from '../../../shared/versions.js';
import type { CoordinatorMessage, HealthState, Hello, ReleaseNote, RepoState, StepRequest } from '../../../shared/wire.js';
import type { ClusterConfig, CoordinatorConfig, ScheduleConfig } from '../../../coordinator/config.js';
import { Fleet } from '../../../coordinator/fleet/registry.js';
import { RolloutController } from '../../../coordinator/rollout/controller.js';
import type { Rollout } from '../../../coordinator/rollout/model.js';
import { Scheduler } from '../../../coordinator/schedule/scheduler.js';
import { SqliteStore } from '../../../coordinator/store/sqlite-store.js';

const PLAN = ['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after'];

/** One fake server host: what its repository has and runs. */
export interface FakeHost {
  id: string;
  installed: string;
  tags: string[];
  /** Versions whose release notes declare required changes. */
  requiresAction?: string[];
}

/** Options of a test world. */
export interface WorldOptions {
  schedules: ScheduleConfig[];
  hosts: FakeHost[];
  /** The linked cluster "hoss" of all hosts, the first being the auth server. */
  clusterName?: string;
  start: number;
}

export function schedule(over: Partial<ScheduleConfig> = {}): ScheduleConfig {
  return {
    name: 'weekly',
    cluster: 'hoss',
    cron: '0 2 * * 0',
    timezone: 'Europe/Zurich',
    windowMs: 3 * 3_600_000,
    target: 'latest',
    enabled: true,
    ackReleaseNotes: false,
    ...over,
  };
}

function configFor(stateFile: string, o: WorldOptions): CoordinatorConfig {
  const cluster: ClusterConfig = {
    name: o.clusterName ?? 'hoss',
    authServer: o.hosts[0]?.id ?? '',
    members: o.hosts.map((h) => h.id),
    maxParallel: 1,
    healthDeadlineMs: 60_000,
    allowDowngrade: false,
    autoRollback: false,
  };
  return {
    file: '/etc/convoy/coordinator.yaml',
    listen: '127.0.0.1:0',
    stateFile,
    insecure: true,
    heartbeatTimeoutMs: 3_600_000,
    heartbeatIntervalMs: 5000,
    stepGraceMs: 30_000,
    clusters: [cluster],
    operators: [],
    denyAgents: [],
    webhooks: [],
    schedules: o.schedules,
  };
}

/** A fake agent's end of its stream: what the coordinator sent, not yet answered. */
class Inbox {
  readonly id: number;
  messages: CoordinatorMessage[] = [];
  private static next = 1;
  constructor() {
    this.id = Inbox.next++;
  }
  send(msg: CoordinatorMessage): boolean {
    this.messages.push(msg);
    return true;
  }
  close(): void {}
}

export class World {
  readonly clock: FakeClock;
  readonly dir: string;
  store!: SqliteStore;
  fleet!: Fleet;
  controller!: RolloutController;
  scheduler!: Scheduler;
  /** Steps the agents do not answer yet, as "agent:step". */
  readonly held = new Set<string>();
  /** Steps the agents answer with a failure, as "agent:step". */
  readonly failing = new Set<string>();
  /** Step requests the agents received, in order, as "agent:step". */
  readonly ran: string[] = [];
  private inboxes = new Map<string, Inbox>();
  private readonly hosts = new Map<string, FakeHost>();

  private constructor(private readonly o: WorldOptions) {
    this.clock = new FakeClock(o.start);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-schedule-'));
    for (const h of o.hosts) this.hosts.set(h.id, { ...h, tags: [...h.tags] });
  }

  /** A started coordinator with every agent connected. */
  static async create(o: WorldOptions): Promise<World> {
    const w = new World(o);
    await w.boot();
    return w;
  }

  host(id: string): FakeHost {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no host ${id}`);
    return h;
  }

  /** Stops this coordinator and starts a new one on the same state file; agents reconnect unless told not to. */
  async restart(opts: { connect?: boolean } = {}): Promise<void> {
    await this.scheduler.stop();
    this.controller.drain();
    this.store.close();
    await this.boot(opts.connect ?? true);
  }

  private async boot(connect = true): Promise<void> {
    const config = configFor(path.join(this.dir, 'state.db'), this.o);
    const logger = silentLogger();
    this.store = new SqliteStore(config.stateFile);
    this.fleet = new Fleet({ store: this.store, clock: this.clock, logger, heartbeatTimeoutMs: config.heartbeatTimeoutMs });
    this.controller = new RolloutController({ store: this.store, fleet: this.fleet, clock: this.clock, logger, config });
    this.scheduler = new Scheduler({
      schedules: config.schedules,
      clusters: config.clusters,
      rollouts: this.controller,
      fleet: this.fleet,
      store: this.store,
      clock: this.clock,
      logger,
      startCron: () => Promise.resolve({ stop: () => Promise.resolve() }),
    });
    this.inboxes = new Map();
    this.controller.resumeUnfinished();
    await this.scheduler.start();
    if (connect) for (const id of this.hosts.keys()) this.connect(id);
  }

  repo(h: FakeHost): RepoState {
    return {
      installedVersion: h.installed,
      commit: 'abc1234',
      clean: true,
      tags: [...h.tags],
      branch: '',
      trackedBranch: '',
      dirtyDetail: '',
    };
  }

  private health(h: FakeHost): HealthState {
    return { healthy: true, version: h.installed, detail: '', checkedAtMs: this.clock.now(), configured: true };
  }

  connect(id: string): void {
    const h = this.host(id);
    const inbox = new Inbox();
    this.inboxes.set(id, inbox);
    const hello: Hello = {
      agentId: id,
      labels: {},
      serverDir: `/srv/${id}`,
      agentVersion: 'test',
      repo: this.repo(h),
      health: this.health(h),
      plan: PLAN,
      rerunnableSteps: PLAN,
      backups: [],
      undelivered: [],
      inFlight: null,
      hostname: id,
      hasRestore: false,
      stepTimeoutsMs: { build: 600_000, health: 60_000 },
      backupCompatibility: '',
      rollbackPlan: [],
      backupSteps: [],
      profile: '',
      protocolVersion: 1,
      backupKeepPerMinor: 3,
    };
    const reg = this.fleet.register(hello, inbox);
    if (!reg.ok) throw new Error(reg.message);
    this.controller.onHello(id, hello);
  }

  private notes(h: FakeHost, target: string): ReleaseNote[] {
    return (h.requiresAction ?? [])
      .filter((v) => compareVersions(v, h.installed) > 0 && compareVersions(v, target) <= 0)
      .map((v) => ({
        version: v,
        source: 'CHANGELOG.md',
        text: 'ACTION REQUIRED: edit local.env',
        requiresAction: true,
        requiredLines: ['edit local.env'],
      }));
  }

  private answerInspect(id: string, req: { requestId: string; targetVersion: string }): void {
    const h = this.host(id);
    const exists = h.tags.includes(req.targetVersion);
    const notes = exists ? this.notes(h, req.targetVersion) : [];
    this.fleet.setRepo(id, this.repo(h));
    this.controller.onInspectResult(id, {
      requestId: req.requestId,
      targetVersion: req.targetVersion,
      targetExists: exists,
      error: exists ? '' : `${req.targetVersion} is not a tag`,
      repo: this.repo(h),
      health: this.health(h),
      releaseNotes: {
        fromVersion: h.installed,
        toVersion: req.targetVersion,
        notes,
        requiresAction: notes.length > 0,
        versions: [],
        lookedIn: [],
      },
      plan: PLAN,
      drift: null,
    });
  }

  private answerStep(id: string, req: StepRequest): void {
    const h = this.host(id);
    const now = this.clock.now();
    if (req.step === 'checkout' && !this.failing.has(`${id}:checkout`)) h.installed = req.targetVersion;
    if (req.step === 'health') this.fleet.setHealth(id, this.health(h));
    const failed = this.failing.has(`${id}:${req.step}`);
    this.controller.onStepResult(id, {
      requestId: req.requestId,
      rolloutId: req.rolloutId,
      step: req.step,
      outcome: failed ? 'FAILED' : 'SUCCEEDED',
      exitCode: failed ? 2 : 0,
      reason: '',
      outputTail: [],
      startedAtMs: now,
      finishedAtMs: now,
      previousCommit: req.step === 'checkout' ? 'abc1234' : '',
      backup: null,
      releaseNotes: null,
      repo: req.step === 'checkout' ? this.repo(h) : null,
      health: null,
      attempt: req.attempt,
    });
  }

  /** Answers what the agents were sent (and what that leads to) until nothing but held steps is left. */
  deliver(): void {
    for (let progress = true; progress;) {
      progress = false;
      for (const [id, inbox] of this.inboxes) {
        const keep: CoordinatorMessage[] = [];
        for (const msg of inbox.messages.splice(0)) {
          if (msg.runStep && this.held.has(`${id}:${msg.runStep.step}`)) {
            keep.push(msg);
            continue;
          }
          progress = true;
          if (msg.inspect) this.answerInspect(id, msg.inspect);
          if (msg.runStep) {
            this.ran.push(`${id}:${msg.runStep.step}`);
            this.answerStep(id, msg.runStep);
          }
        }
        inbox.messages.unshift(...keep);
      }
    }
  }

  /** Lets the scheduler finish what it is deciding, answering the agents' part as it goes. */
  async settle(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      this.deliver();
      await Promise.race([this.scheduler.settled(), new Promise((resolve) => setImmediate(resolve))]);
    }
    await this.scheduler.settled();
    this.deliver();
  }

  /** Sets the fake clock to `ms`, then ticks the controller and the scheduler as convoyd's sweep does. */
  async tickAt(ms: number): Promise<void> {
    this.clock.set(ms);
    this.controller.tick();
    this.scheduler.tick();
    await this.settle();
  }

  /** True while a step of `agent` is held and was sent. */
  isRunning(agentStep: string): boolean {
    const [id] = agentStep.split(':');
    return (this.inboxes.get(id!)?.messages ?? []).some((m) => m.runStep && `${id}:${m.runStep.step}` === agentStep);
  }

  release(agentStep: string): void {
    this.held.delete(agentStep);
    this.deliver();
  }

  rollouts(): Rollout[] {
    return this.controller.list(100);
  }

  async close(): Promise<void> {
    await this.scheduler.stop();
    this.store.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
