import fs from 'node:fs';
import os from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { addressProblem } from '../../shared/address.js';
import { privateKeyProblem } from '../../shared/file-security.js';
import { channelOptions, loadServices } from '../../shared/proto.js';
import { tlsChannel } from '../../shared/tls-client.js';
import { printable } from '../../shared/versions.js';
import { CliError, EXIT, toCliError, usageError } from './errors.js';
import type {
  AgentView,
  EventView,
  ListBackupsResponse,
  LogLine,
  PlanRequest,
  PlanResponse,
  RolloutAction,
  RolloutLogsRequest,
  RolloutView,
  ScheduleView,
  SnapshotView,
  StartRolloutRequest,
} from './views.js';

/** Where convoyd listens when neither --coordinator nor CONVOY_COORDINATOR says otherwise. */
export const DEFAULT_COORDINATOR = '127.0.0.1:7400';

/** Failures where no server answered at all: TLS cannot be the reason. */
const NOTHING_THERE = /\((connection refused|host name not found|host unreachable|connection timed out|no answer in time)\)/;
const PLAINTEXT_HINT =
  'This CLI spoke plaintext: if convoyd uses TLS (the default), give --ca, --cert and --key (or CONVOY_CA, CONVOY_CERT, CONVOY_KEY).';

/** Unary calls fail after this; streams (watch, logs) have no deadline. */
export const UNARY_DEADLINE_MS = 10_000;
/** Agents per ListAgents call (the most convoyd answers at once): well inside one gRPC message, and few round trips. */
const AGENT_PAGE_SIZE = 1000;
/**
 * Plan asks every agent to inspect its repository (a git fetch included), which convoyd
 * allows a minute for; its deadline leaves room for that answer.
 */
export const PLAN_DEADLINE_MS = 75_000;
/** RunSchedule waits while the members fetch their tags (convoyd allows them 30s) before it decides. */
export const SCHEDULE_RUN_DEADLINE_MS = 45_000;
/** SaveSnapshot copies the whole state file: a large one takes a while on a slow disk. */
export const SNAPSHOT_DEADLINE_MS = 300_000;

/** The global options every command accepts (commander's camelCase names). */
export interface GlobalOptions {
  coordinator?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

/** How to reach the coordinator, resolved from flags and the environment. */
export interface ConnectionOptions {
  address: string;
  /** Present when --ca/--cert/--key (or CONVOY_CA/CONVOY_CERT/CONVOY_KEY) are given. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** `user@host`, sent as x-convoy-actor so the coordinator journals who acted. */
  actor: string;
}

/** The ControlService as the commands use it: promises and async iterables, errors as CliError. */
/** An operator's action on a rollout, with its options. */
export interface ActRequest {
  id: string;
  action: RolloutAction;
  reason: string;
  /** rollback: go back past a later rollout of the same host anyway. */
  allowSuperseded?: boolean;
  /** pause: before the next step instead of at the next safe point. */
  now?: boolean;
}

export interface ControlApi {
  readonly address: string;
  listAgents(): Promise<AgentView[]>;
  plan(req: PlanRequest): Promise<PlanResponse>;
  startRollout(req: StartRolloutRequest): Promise<RolloutView>;
  getRollout(id: string): Promise<RolloutView>;
  listRollouts(req: { limit: number; cluster: string }): Promise<RolloutView[]>;
  actOnRollout(req: ActRequest): Promise<RolloutView>;
  listEvents(req: { rolloutId: string; limit: number }): Promise<EventView[]>;
  listBackups(agentId: string): Promise<ListBackupsResponse>;
  /** Every RolloutView the coordinator sends until it ends the stream or `signal` aborts. */
  watchRollout(id: string, signal?: AbortSignal): AsyncIterable<RolloutView>;
  rolloutLogs(req: RolloutLogsRequest, signal?: AbortSignal): AsyncIterable<LogLine>;
  listSchedules(): Promise<ScheduleView[]>;
  runSchedule(name: string): Promise<ScheduleView>;
  setScheduleEnabled(name: string, enabled: boolean): Promise<ScheduleView>;
  /** Asks convoyd for a snapshot of its state, written on its own host. */
  saveSnapshot(req: { file: string; force: boolean }): Promise<SnapshotView>;
  close(): void;
}

function readFileOption(flag: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw usageError(`${flag} ${file}: cannot read it (${reason}). Check the path.`);
  }
}

/** Like ssh with a private key: one that others can read is refused, with the fix. */
function readKeyOption(file: string): Buffer {
  const loose = privateKeyProblem(file, '--key');
  if (loose) throw usageError(loose);
  return readFileOption('--key', file);
}

/** The operator's identity as the coordinator journals it (under mTLS the coordinator uses the certificate instead). */
export function actorName(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.USER ?? env.LOGNAME ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep the environment's name
  }
  return `${user}@${os.hostname()}`;
}

/**
 * The coordinator's address: --coordinator, else CONVOY_COORDINATOR, else the default. A flag
 * given is always judged (`--coordinator ""` is a mistake, not "the default"); an empty
 * variable counts as unset, as shells leave them. A bad value is a usage error naming where
 * it came from, before anything dials it.
 */
export function coordinatorAddress(globals: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const [source, address] =
    globals.coordinator !== undefined
      ? ['--coordinator', globals.coordinator]
      : env.CONVOY_COORDINATOR
        ? ['CONVOY_COORDINATOR', env.CONVOY_COORDINATOR]
        : ['', DEFAULT_COORDINATOR];
  const problem = source ? addressProblem(address) : undefined;
  if (problem)
    throw usageError(`${source} "${printable(address, 60)}" is not host:port (${problem}): give the address convoyd listens on.`);
  return address;
}

/** Resolves flags and environment into connection options; bad flags are usage errors. */
export function resolveConnection(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const address = coordinatorAddress(globals, env);
  const caFile = globals.ca ?? env.CONVOY_CA;
  const certFile = globals.cert ?? env.CONVOY_CERT;
  const keyFile = globals.key ?? env.CONVOY_KEY;
  const actor = actorName(env);
  if (!caFile && !certFile && !keyFile) return { address, actor };
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw usageError('--cert and --key go together (a client certificate and its private key). Give both, or neither.');
  }
  return {
    address,
    actor,
    tls: {
      ca: caFile ? readFileOption('--ca', caFile) : undefined,
      cert: certFile ? readFileOption('--cert', certFile) : undefined,
      key: keyFile ? readKeyOption(keyFile) : undefined,
    },
  };
}

type UnaryFn = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;
type StreamFn = (req: unknown, md: grpc.Metadata, opts?: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

/** ControlApi over gRPC (grpc-js). */
export class GrpcControlClient implements ControlApi {
  readonly address: string;
  private readonly raw: grpc.Client;
  private readonly actor: string;
  private readonly tls: boolean;

  constructor(conn: ConnectionOptions) {
    const { ControlService } = loadServices();
    const { credentials, options } = conn.tls
      ? tlsChannel(conn.address, conn.tls)
      : { credentials: grpc.credentials.createInsecure(), options: {} };
    this.address = conn.address;
    this.actor = conn.actor;
    this.tls = Boolean(conn.tls);
    this.raw = new ControlService(conn.address, credentials, { ...channelOptions, ...options });
  }

  /** Every agent, a page at a time (a convoyd from before paging answers all at once, without a next page). */
  async listAgents(): Promise<AgentView[]> {
    const agents: AgentView[] = [];
    let pageToken = '';
    do {
      const res = await this.unary<{ agents: AgentView[]; nextPageToken?: string }>(
        'ListAgents',
        { pageSize: AGENT_PAGE_SIZE, pageToken },
        'Run `convoy agents` to list them.',
      );
      agents.push(...res.agents);
      pageToken = res.nextPageToken ?? '';
    } while (pageToken);
    return agents;
  }

  plan(req: PlanRequest): Promise<PlanResponse> {
    return this.unary('Plan', req, 'Run `convoy agents` to see clusters and hosts.', PLAN_DEADLINE_MS);
  }

  startRollout(req: StartRolloutRequest): Promise<RolloutView> {
    return this.unary('StartRollout', req, 'Run `convoy rollout list` to see rollouts in progress.');
  }

  getRollout(id: string): Promise<RolloutView> {
    return this.unary('GetRollout', { id }, 'Run `convoy rollout list` to see rollout ids.');
  }

  async listRollouts(req: { limit: number; cluster: string }): Promise<RolloutView[]> {
    const res = await this.unary<{ rollouts: RolloutView[] }>('ListRollouts', req);
    return res.rollouts;
  }

  actOnRollout(req: ActRequest): Promise<RolloutView> {
    return this.unary('ActOnRollout', req, `Run \`convoy rollout status ${req.id}\` to see its state.`);
  }

  async listEvents(req: { rolloutId: string; limit: number }): Promise<EventView[]> {
    const res = await this.unary<{ events: EventView[] }>('ListEvents', req, 'Run `convoy rollout list` to see rollout ids.');
    return res.events;
  }

  listBackups(agentId: string): Promise<ListBackupsResponse> {
    return this.unary('ListBackups', { agentId }, 'Run `convoy agents` to see agent ids.');
  }

  watchRollout(id: string, signal?: AbortSignal): AsyncIterable<RolloutView> {
    return this.stream<RolloutView>('WatchRollout', { id }, signal, 'Run `convoy rollout list` to see rollout ids.');
  }

  rolloutLogs(req: RolloutLogsRequest, signal?: AbortSignal): AsyncIterable<LogLine> {
    return this.stream<LogLine>('RolloutLogs', req, signal, 'Run `convoy rollout list` to see rollout ids.');
  }

  async listSchedules(): Promise<ScheduleView[]> {
    const res = await this.unary<{ schedules: ScheduleView[] }>('ListSchedules', {});
    return res.schedules;
  }

  runSchedule(name: string): Promise<ScheduleView> {
    return this.unary('RunSchedule', { name, enabled: false }, 'Run `convoy schedules` to list them.', SCHEDULE_RUN_DEADLINE_MS);
  }

  setScheduleEnabled(name: string, enabled: boolean): Promise<ScheduleView> {
    return this.unary('SetScheduleEnabled', { name, enabled }, 'Run `convoy schedules` to list them.');
  }

  saveSnapshot(req: { file: string; force: boolean }): Promise<SnapshotView> {
    return this.unary('SaveSnapshot', req, undefined, SNAPSHOT_DEADLINE_MS);
  }

  close(): void {
    this.raw.close();
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('x-convoy-actor', this.actor);
    return md;
  }

  /**
   * The CliError for a failed call. Identity refusals carry their own fix (the command's hint,
   * "run convoy agents", would mislead), and a plaintext client that cannot reach a TLS
   * coordinator is told about the TLS flags.
   */
  private failure(err: unknown, hint?: string, deadlineMs?: number): CliError {
    const code = (err as Partial<grpc.ServiceError>).code;
    const identity = code === grpc.status.UNAUTHENTICATED || code === grpc.status.PERMISSION_DENIED;
    const cliErr = toCliError(err, { address: this.address, hint: identity ? undefined : hint, connected: this.connected(), deadlineMs });
    if (this.tls || cliErr.exitCode !== EXIT.unreachable || NOTHING_THERE.test(cliErr.message)) return cliErr;
    return new CliError(cliErr.exitCode, `${cliErr.message} ${PLAINTEXT_HINT}`, cliErr.grpcCode);
  }

  private method<F>(name: string): F {
    return ((this.raw as unknown as Record<string, F>)[name] as F & { bind(t: unknown): F }).bind(this.raw);
  }

  private connected(): boolean {
    return this.raw.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  private unary<T>(name: string, req: unknown, hint?: string, deadlineMs = UNARY_DEADLINE_MS): Promise<T> {
    const fn = this.method<UnaryFn>(name);
    return new Promise<T>((resolve, reject) => {
      // waitForReady stays false: a coordinator that is down fails the call at once (exit 3).
      fn(req, this.metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) reject(this.failure(err, hint, deadlineMs));
        else resolve(res as T);
      });
    });
  }

  private async *stream<T>(name: string, req: unknown, signal: AbortSignal | undefined, hint?: string): AsyncGenerator<T> {
    if (signal?.aborted) return;
    const call = this.method<StreamFn>(name)(req, this.metadata());
    // The iterator reports errors; this listener keeps a late CANCELLED from being "unhandled".
    call.on('error', () => undefined);
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const msg of call) yield msg as T;
    } catch (err) {
      if (signal?.aborted && (err as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw this.failure(err, hint);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A consumer that stops early (break) must not leave the call open.
      call.cancel();
    }
  }
}
