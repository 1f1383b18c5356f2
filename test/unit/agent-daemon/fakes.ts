/** Test doubles for the agent daemon's unit tests: a plan, a link, a gRPC stream, a log capture. */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import winston from 'winston';
import type { AgentStream, StreamSession } from '../../../agent/link/client.js';
import type { Plan, StepHooks } from '../../../agent/types.js';
import { makeResult } from '../../../agent/journal.js';
import type { Logger } from '../../../shared/logger.js';
import type {
  AgentMessage,
  BackupRecord,
  CoordinatorMessage,
  HealthState,
  InspectResult,
  RepoState,
  StepRequest,
  StepResult,
} from '../../../shared/wire.js';

/** Lets promise callbacks and setImmediate callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function request(over: Partial<StepRequest> = {}): StepRequest {
  return {
    requestId: 'q1',
    rolloutId: 'r1',
    agentId: 'hoss-a',
    step: 'build',
    targetVersion: 'v1.2.0',
    fromVersion: 'v1.1.0',
    backupId: '',
    restoreCommit: '',
    attempt: 1,
    healthDeadlineMs: 0,
    ...over,
  };
}

export const REPO: RepoState = {
  installedVersion: 'v1.1.0',
  commit: 'abc',
  clean: true,
  tags: ['v1.2.0', 'v1.1.0'],
  branch: '',
  trackedBranch: '',
  dirtyDetail: '',
};
export const HEALTHY: HealthState = { healthy: true, version: 'v1.1.0', detail: '', checkedAtMs: 0, configured: true };

interface PendingRun {
  request: StepRequest;
  hooks: StepHooks;
  finish(result?: Partial<StepResult>): void;
}

/** A plan whose runs finish when the test says so (or when their signal aborts). */
export class FakePlan implements Plan {
  refusal: string | undefined;
  runs: PendingRun[] = [];
  health: HealthState = HEALTHY;
  inspectError: Error | undefined;

  stepNames(): string[] {
    return ['backup', 'build'];
  }
  rollbackStepNames(): string[] {
    return ['rollback-checkout', 'build'];
  }
  backupStepNames(): string[] {
    return [];
  }
  rerunnableSteps(): string[] {
    return ['build'];
  }
  async validate(): Promise<string | undefined> {
    return this.refusal;
  }
  run(req: StepRequest, hooks: StepHooks): Promise<StepResult> {
    return new Promise((resolve) => {
      const finish = (over: Partial<StepResult> = {}) => resolve({ ...makeResult(req, 'SUCCEEDED', '', 0, 1), exitCode: 0, ...over });
      hooks.signal.addEventListener('abort', () =>
        finish({ outcome: 'CANCELLED', exitCode: -1, reason: String((hooks.signal.reason as Error).message) }),
      );
      this.runs.push({ request: req, hooks, finish });
    });
  }
  async inspect(requestId: string, targetVersion: string): Promise<InspectResult> {
    if (this.inspectError) throw this.inspectError;
    return {
      requestId,
      targetVersion,
      targetExists: true,
      error: '',
      repo: REPO,
      health: this.health,
      releaseNotes: null,
      plan: this.stepNames(),
      drift: null,
    };
  }
  async repoState(): Promise<RepoState> {
    return REPO;
  }
  async probeHealth(): Promise<HealthState> {
    return this.health;
  }
  backups(): BackupRecord[] {
    return [];
  }
  /** Rollouts whose backup steps asked for backup.keep, in order. */
  pruned: string[] = [];
  async pruneBackups(rolloutId: string): Promise<{ deleted: BackupRecord[]; vanished: BackupRecord[] }> {
    this.pruned.push(rolloutId);
    return { deleted: [], vanished: [] };
  }
  async forgetVanishedBackups(): Promise<number> {
    return 0;
  }
}

/** The daemon's view of a link: records what was sent. */
export class FakeLink {
  sent: AgentMessage[] = [];
  up = true;
  started = false;
  stopped = 0;
  start(): void {
    this.started = true;
  }
  send(msg: AgentMessage): boolean {
    if (!this.up) return false;
    this.sent.push(msg);
    return true;
  }
  async stop(): Promise<void> {
    this.stopped += 1;
  }
  of<K extends keyof AgentMessage>(kind: K): NonNullable<AgentMessage[K]>[] {
    return this.sent.flatMap((m) => (m[kind] ? [m[kind] as NonNullable<AgentMessage[K]>] : []));
  }
}

/** A gRPC duplex stream the test drives: `receive` delivers, `close` ends with a status. */
export class FakeStream extends EventEmitter implements AgentStream {
  written: AgentMessage[] = [];
  ended = false;
  cancelled = false;
  writableNeedDrain = false;
  write(msg: AgentMessage): boolean {
    this.written.push(msg);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
    this.close(1, 'Cancelled on client');
  }
  receive(msg: CoordinatorMessage): void {
    this.emit('data', msg);
  }
  close(code: status, details = ''): void {
    if (code !== status.OK) this.emit('error', Object.assign(new Error(details), { code }));
    const end: StatusObject = { code, details, metadata: new Metadata() };
    this.emit('status', end);
  }
}

/** Opens FakeStreams and remembers them in order. */
export function streamFactory(): { open: () => StreamSession; streams: FakeStream[]; closed: number } {
  const f = {
    streams: [] as FakeStream[],
    closed: 0,
    open: () => {
      const stream = new FakeStream();
      f.streams.push(stream);
      return { stream, close: () => (f.closed += 1) };
    },
  };
  return f;
}

/** A logger whose lines the test can read ("level message"). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, cb) {
      lines.push(`${info.level} ${info.message}`);
      cb();
    },
  });
  return { logger: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines };
}
