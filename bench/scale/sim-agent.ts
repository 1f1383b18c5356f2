/**
 * One simulated agent of the scale benchmark. It speaks the real agent protocol through the
 * agent's own link (agent/link/link.ts: Hello first, heartbeats at the interval convoyd asks,
 * reconnection with the agent's backoff) over a real channel (mutual TLS with its own
 * certificate, or plaintext), and answers at once: inspections find a clean repository at
 * FROM_VERSION with TARGET_VERSION tagged, every step succeeds in no time, the backup steps
 * record an archive and the health step reports the version checked out.
 */
import * as grpc from '@grpc/grpc-js';
import { Link } from '../../agent/link/link.js';
import type { OpenStream } from '../../agent/link/client.js';
import { defaultBackoff } from '../../shared/backoff.js';
import { systemClock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { channelOptions, loadServices } from '../../shared/proto.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { tlsChannel } from '../../shared/tls-client.js';
import {
  DEFAULT_PLAN,
  type AgentMessage,
  type CoordinatorMessage,
  type HealthState,
  type Hello,
  type InspectRequest,
  type RepoState,
  type StepRequest,
  type StepResult,
} from '../../shared/wire.js';

export const FROM_VERSION = '0.1.0';
export const TARGET_VERSION = '0.2.0';

/** What every simulated agent counts; the worker sums them. */
export interface SimCounters {
  /** Streams opened (attempts). */
  attempts: number;
  /** Sessions convoyd welcomed. */
  welcomed: number;
  /** Sessions that ended after their Welcome while the benchmark still ran (never expected). */
  dropped: number;
  /** Attempts that ended before a Welcome (refused, unreachable, timed out). */
  failed: number;
  /** Refusal messages received. */
  refusals: number;
  inspections: number;
  steps: number;
  /** gRPC status names of drops and failures, counted. */
  statuses: Record<string, number>;
}

export function emptyCounters(): SimCounters {
  return { attempts: 0, welcomed: 0, dropped: 0, failed: 0, refusals: 0, inspections: 0, steps: 0, statuses: {} };
}

export interface SimAgentOptions {
  id: string;
  address: string;
  /** PEM material for mutual TLS; plaintext without it. */
  tls?: { ca: Buffer; cert: Buffer; key: Buffer };
  agentVersion: string;
  heartbeatIntervalMs: number;
  logger: Logger;
  counters: SimCounters;
  /** Called with each step request as it arrives (the worker times the coordinator's gaps). */
  onStep?: (req: StepRequest, atMs: number) => void;
}

const STEP_TIMEOUT_MS = 3_600_000;
const COMMIT = 'c0ffee'.padEnd(40, '0');

/** A simulated agent: start() dials and keeps dialing until stop(). */
export class SimAgent {
  private readonly link: Link;
  private version = FROM_VERSION;
  private backups = 0;
  private stopping = false;
  connected = false;

  constructor(private readonly o: SimAgentOptions) {
    this.link = new Link({
      address: o.address,
      agentId: o.id,
      agentVersion: o.agentVersion,
      protocolVersion: PROTOCOL_VERSION,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      backoff: defaultBackoff,
      clock: systemClock,
      logger: o.logger,
      openStream: this.opener(),
    });
  }

  start(): void {
    this.link.start({
      hello: async () => this.hello(),
      onSessionOpen: () => undefined,
      heartbeat: () => ({ sentAtMs: Date.now(), health: this.health(), inFlight: null }),
      onMessage: (msg) => this.onMessage(msg),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.link.stop();
  }

  /** A fresh channel per attempt, as the agent's own opener does; counts how each attempt ends. */
  private opener(): OpenStream {
    const { AgentService } = loadServices();
    const { credentials, options } = this.o.tls
      ? tlsChannel(this.o.address, this.o.tls)
      : { credentials: grpc.credentials.createInsecure(), options: {} };
    const c = this.o.counters;
    return () => {
      const client = new AgentService(this.o.address, credentials, { ...channelOptions, ...options });
      const stream = (client as unknown as { Connect(): grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage> }).Connect();
      c.attempts++;
      let welcomed = false;
      stream.on('data', (msg: CoordinatorMessage) => {
        if (msg.refusal) c.refusals++;
        if (msg.welcome && !welcomed) {
          welcomed = true;
          this.connected = true;
          c.welcomed++;
        }
      });
      stream.on('status', (status: grpc.StatusObject) => {
        this.connected = false;
        if (this.stopping) return;
        const name = `${welcomed ? 'drop' : 'fail'} ${grpc.status[status.code] ?? status.code}`;
        c.statuses[name] = (c.statuses[name] ?? 0) + 1;
        if (welcomed) c.dropped++;
        else c.failed++;
      });
      return { stream, close: () => client.close() };
    };
  }

  private repo(): RepoState {
    return {
      installedVersion: this.version,
      commit: COMMIT,
      clean: true,
      tags: [TARGET_VERSION, FROM_VERSION],
      branch: '',
      trackedBranch: '',
      dirtyDetail: '',
    };
  }

  private health(): HealthState {
    return { healthy: true, version: this.version, detail: '', checkedAtMs: Date.now(), configured: true };
  }

  private hello(): Hello {
    return {
      agentId: this.o.id,
      labels: { site: 'bench' },
      serverDir: '/srv/sample/server',
      agentVersion: this.o.agentVersion,
      repo: this.repo(),
      health: this.health(),
      plan: [...DEFAULT_PLAN],
      rerunnableSteps: ['backup', 'release-notes', 'config', 'build', 'up', 'health', 'backup-after'],
      backups: [],
      undelivered: [],
      inFlight: null,
      hostname: `${this.o.id}.bench`,
      hasRestore: false,
      stepTimeoutsMs: Object.fromEntries(DEFAULT_PLAN.map((s) => [s, STEP_TIMEOUT_MS])),
      backupCompatibility: 'same-major-minor',
      rollbackPlan: [],
      backupSteps: [],
      profile: '',
      protocolVersion: PROTOCOL_VERSION,
      backupKeepPerMinor: 0,
    };
  }

  private onMessage(msg: CoordinatorMessage): void {
    if (msg.inspect) this.answerInspect(msg.inspect);
    else if (msg.runStep) this.answerStep(msg.runStep);
    else if (msg.cancel) this.o.logger.warn(`${this.o.id}: cancel ${msg.cancel.requestId}`);
  }

  private answerInspect(req: InspectRequest): void {
    this.o.counters.inspections++;
    this.link.send({
      inspectResult: {
        requestId: req.requestId,
        targetVersion: req.targetVersion,
        targetExists: true,
        error: '',
        repo: this.repo(),
        health: this.health(),
        releaseNotes: {
          fromVersion: this.version,
          toVersion: req.targetVersion,
          notes: [{ version: req.targetVersion, source: 'CHANGELOG.md', text: 'Faster.', requiresAction: false, requiredLines: [] }],
          requiresAction: false,
          versions: [req.targetVersion],
          lookedIn: ['CHANGELOG.md'],
        },
        plan: [...DEFAULT_PLAN],
        drift: null,
      },
    });
  }

  private answerStep(req: StepRequest): void {
    const now = Date.now();
    this.o.onStep?.(req, now);
    this.o.counters.steps++;
    const previousCommit = req.step === 'checkout' ? COMMIT : '';
    if (req.step === 'checkout') this.version = req.targetVersion;
    const backup =
      req.step === 'backup' || req.step === 'backup-after'
        ? {
            id: `${this.o.id}-b${++this.backups}`,
            path: `/var/backups/${this.o.id}-${this.backups}.tar.gz`,
            version: this.version,
            sizeBytes: 4096,
            sha256: 'f'.repeat(64),
            createdAtMs: now,
            step: req.step,
            rolloutId: req.rolloutId,
          }
        : null;
    const result: StepResult = {
      requestId: req.requestId,
      rolloutId: req.rolloutId,
      step: req.step,
      outcome: 'SUCCEEDED',
      exitCode: 0,
      reason: '',
      outputTail: [],
      startedAtMs: now,
      finishedAtMs: now,
      previousCommit,
      backup,
      releaseNotes: null,
      repo: req.step === 'checkout' ? this.repo() : null,
      health: req.step === 'health' || req.step === 'up' ? this.health() : null,
      attempt: req.attempt,
    };
    this.link.send({ result });
  }
}
