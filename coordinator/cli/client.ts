import fs from 'node:fs';
import os from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { channelOptions, loadServices } from '../../shared/proto.js';
import { toCliError, usageError } from './errors.js';
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
  StartRolloutRequest,
} from './views.js';

/** Where convoyd listens when neither --coordinator nor CONVOY_COORDINATOR says otherwise. */
export const DEFAULT_COORDINATOR = '127.0.0.1:7400';

/** Unary calls fail after this; streams (watch, logs) have no deadline. */
export const UNARY_DEADLINE_MS = 10_000;
/**
 * Plan asks every agent to inspect its repository (a git fetch included), which convoyd
 * allows a minute for; its deadline leaves room for that answer.
 */
export const PLAN_DEADLINE_MS = 75_000;

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
export interface ControlApi {
  readonly address: string;
  listAgents(): Promise<AgentView[]>;
  plan(req: PlanRequest): Promise<PlanResponse>;
  startRollout(req: StartRolloutRequest): Promise<RolloutView>;
  getRollout(id: string): Promise<RolloutView>;
  listRollouts(req: { limit: number; cluster: string }): Promise<RolloutView[]>;
  actOnRollout(req: { id: string; action: RolloutAction; reason: string }): Promise<RolloutView>;
  listEvents(req: { rolloutId: string; limit: number }): Promise<EventView[]>;
  listBackups(agentId: string): Promise<ListBackupsResponse>;
  /** Every RolloutView the coordinator sends until it ends the stream or `signal` aborts. */
  watchRollout(id: string, signal?: AbortSignal): AsyncIterable<RolloutView>;
  rolloutLogs(req: RolloutLogsRequest, signal?: AbortSignal): AsyncIterable<LogLine>;
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

/** The operator's identity as the coordinator journals it. */
export function actorName(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.USER ?? env.LOGNAME ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep the environment's name
  }
  return `${user}@${os.hostname()}`;
}

/** Resolves flags and environment into connection options; bad TLS flags are usage errors. */
export function resolveConnection(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const address = (globals.coordinator ?? env.CONVOY_COORDINATOR ?? '').trim() || DEFAULT_COORDINATOR;
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
      key: keyFile ? readFileOption('--key', keyFile) : undefined,
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

  constructor(conn: ConnectionOptions) {
    const { ControlService } = loadServices();
    const creds = conn.tls ? grpc.credentials.createSsl(conn.tls.ca, conn.tls.key, conn.tls.cert) : grpc.credentials.createInsecure();
    this.address = conn.address;
    this.actor = conn.actor;
    this.raw = new ControlService(conn.address, creds, channelOptions);
  }

  async listAgents(): Promise<AgentView[]> {
    const res = await this.unary<{ agents: AgentView[] }>('ListAgents', {}, 'Run `convoy agents` to list them.');
    return res.agents;
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

  actOnRollout(req: { id: string; action: RolloutAction; reason: string }): Promise<RolloutView> {
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

  close(): void {
    this.raw.close();
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('x-convoy-actor', this.actor);
    return md;
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
        if (err) reject(toCliError(err, { address: this.address, hint, connected: this.connected(), deadlineMs }));
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
      throw toCliError(err, { address: this.address, hint, connected: this.connected() });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A consumer that stops early (break) must not leave the call open.
      call.cancel();
    }
  }
}
