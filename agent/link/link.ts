/**
 * The agent's one stream to the coordinator: Hello first, then heartbeats and whatever the
 * daemon sends; messages from the coordinator go to the daemon. Reconnects forever with a
 * capped, jittered backoff that starts over after a healthy session.
 */
import type * as grpc from '@grpc/grpc-js';
import { Backoff, type BackoffPolicy } from '../../shared/backoff.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { formatDuration } from '../../shared/durations.js';
import { messageOf } from '../../shared/errors.js';
import { PROTOCOL_MISMATCH, PROTOCOL_VERSION, protocolProblem } from '../../shared/protocol.js';
import type { AgentMessage, CoordinatorMessage, Heartbeat, Hello, Welcome } from '../../shared/wire.js';
import type { AgentStream, OpenStream } from './client.js';

/** The fastest heartbeat the agent agrees to send. */
export const MIN_HEARTBEAT_MS = 100;
import { retryPace, sessionWasHealthy, slowRetryDelay, statusName, type RetryPace } from './retry.js';

/** What the link asks of the daemon. */
export interface LinkHandlers {
  /** The Hello for a new session (fresh repo state and health, the journal's results). */
  hello(): Promise<Hello>;
  /** Right after the Hello went out: anything recorded while it was being built can go now. */
  onSessionOpen(hello: Hello): void;
  heartbeat(): Heartbeat;
  onMessage(msg: CoordinatorMessage): void;
}

export interface LinkOptions {
  address: string;
  agentId: string;
  /** This convoy-agent's release, named when its protocol does not match convoyd's. */
  agentVersion?: string;
  /** The agent protocol it speaks (default PROTOCOL_VERSION; tests play other releases). */
  protocolVersion?: number;
  heartbeatIntervalMs: number;
  backoff: BackoffPolicy;
  clock: Clock;
  logger: Logger;
  openStream: OpenStream;
  random?: () => number;
}

/** How long stop() waits for the coordinator to close the stream after our half-close. */
export const STOP_WAIT_MS = 2_000;

interface Session {
  stream: AgentStream;
  /** The Hello went out: other messages may follow. */
  ready: boolean;
  ended: boolean;
  ended$: Promise<void>;
  acceptedAtMs?: number;
  refusal?: { code: string; message: string };
  status?: grpc.StatusObject;
  heartbeatMs: number;
  cancelHeartbeat?: () => void;
}

const REFUSAL_HINTS: Record<string, string> = {
  ALREADY_EXISTS: 'another agent is connected with this id; give each agent its own id in agent.yaml',
  PERMISSION_DENIED:
    "the coordinator does not accept this identity; check the agent id against its TLS certificate and the coordinator's cluster members",
  [PROTOCOL_MISMATCH]:
    'this agent and convoyd speak different protocol versions (both are named above); upgrade convoyd first, then the agents (docs/upgrading.md). The agent retries at its slowest pace meanwhile',
};

/** The reconnecting stream to the coordinator. */
export class Link {
  private session: Session | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly random: () => number;

  constructor(private readonly opts: LinkOptions) {
    this.random = opts.random ?? Math.random;
  }

  /** True while a session is open and its Hello has been sent. */
  get connected(): boolean {
    return this.session !== undefined && this.session.ready && !this.session.ended;
  }

  start(handlers: LinkHandlers): void {
    this.loop ??= this.run(handlers);
  }

  /** Sends on the open session; false when there is none (results wait in the journal). */
  send(msg: AgentMessage): boolean {
    const s = this.session;
    if (!s || !s.ready || s.ended) return false;
    // Output is best effort: under back-pressure drop it rather than queue without bound.
    if (msg.output && s.stream.writableNeedDrain) return false;
    s.stream.write(msg);
    return true;
  }

  /** Half-closes the stream, waits briefly for the coordinator to finish it, then cancels. Safe twice. */
  async stop(): Promise<void> {
    if (!this.stopping.signal.aborted) {
      this.stopping.abort(new Error('link stopped'));
      const s = this.session;
      if (s && !s.ended) {
        s.ready = false;
        s.stream.end();
        await this.waitEnded(s, STOP_WAIT_MS);
        if (!s.ended) s.stream.cancel();
      }
    }
    await this.loop;
  }

  private async run(handlers: LinkHandlers): Promise<void> {
    const backoff = new Backoff(this.opts.backoff, this.random);
    while (!this.stopping.signal.aborted) {
      const s = await this.runSession(handlers);
      if (this.stopping.signal.aborted) return;
      // the agent never gives up on its coordinator; retryPace says how soon it tries again
      const status = s?.status?.code;
      if (sessionWasHealthy(s?.acceptedAtMs, this.opts.clock.now())) backoff.reset();
      const pace = retryPace(status, s?.refusal?.code);
      const delay = pace === 'slow' ? slowRetryDelay(this.opts.backoff, this.random()) : backoff.next();
      this.logEnd(s, delay, pace);
      try {
        await this.opts.clock.sleep(delay, this.stopping.signal);
      } catch {
        return;
      }
    }
  }

  /** One attempt; resolves when the stream has ended (undefined when it could not be opened). */
  private async runSession(handlers: LinkHandlers): Promise<Session | undefined> {
    let opened;
    try {
      opened = this.opts.openStream();
    } catch (err) {
      this.opts.logger.error(`cannot open a stream to coordinator ${this.opts.address}: ${messageOf(err)}`);
      return undefined;
    }
    let markEnded = (): void => {};
    const s: Session = {
      stream: opened.stream,
      ready: false,
      ended: false,
      ended$: new Promise((resolve) => (markEnded = resolve)),
      heartbeatMs: this.opts.heartbeatIntervalMs,
    };
    this.session = s;
    s.stream.on('data', (msg) => this.onData(s, msg, handlers));
    s.stream.on('error', () => {}); // the 'status' event that follows carries the same code and details
    s.stream.on('status', (status) => {
      s.status = status;
      s.ended = true;
      s.cancelHeartbeat?.();
      // Let messages already received (a refusal just before the close) be handled first.
      setImmediate(markEnded);
    });
    void this.sendHello(s, handlers);
    await s.ended$;
    opened.close();
    if (this.session === s) this.session = undefined;
    return s;
  }

  private async sendHello(s: Session, handlers: LinkHandlers): Promise<void> {
    let hello: Hello;
    try {
      hello = await handlers.hello();
    } catch (err) {
      this.opts.logger.error(`cannot build the Hello for coordinator ${this.opts.address}: ${messageOf(err)}`);
      s.stream.cancel();
      return;
    }
    if (s.ended || this.stopping.signal.aborted) return;
    s.stream.write({ hello });
    s.ready = true;
    handlers.onSessionOpen(hello);
    this.scheduleHeartbeat(s, handlers);
  }

  private scheduleHeartbeat(s: Session, handlers: LinkHandlers): void {
    s.cancelHeartbeat = this.opts.clock.setTimer(s.heartbeatMs, () => {
      if (s.ended) return;
      this.send({ heartbeat: handlers.heartbeat() });
      this.scheduleHeartbeat(s, handlers);
    });
  }

  private onData(s: Session, msg: CoordinatorMessage, handlers: LinkHandlers): void {
    if (msg.refusal) return this.recordRefusal(s, msg.refusal);
    if (s.acceptedAtMs === undefined && msg.welcome && this.refusesCoordinator(s, msg.welcome)) return;
    if (s.acceptedAtMs === undefined) {
      s.acceptedAtMs = this.opts.clock.now();
      this.opts.logger.info(`connected to coordinator ${this.opts.address}`, { coordinatorVersion: msg.welcome?.coordinatorVersion });
    }
    const wanted = Number(msg.welcome?.heartbeatIntervalMs ?? 0);
    // The coordinator's interval comes from its timeout: never beat slower than it asks,
    // and never faster than MIN_HEARTBEAT_MS whatever a (hostile) coordinator asks.
    if (wanted > 0) s.heartbeatMs = Math.max(MIN_HEARTBEAT_MS, Math.min(this.opts.heartbeatIntervalMs, wanted));
    handlers.onMessage(msg);
  }

  /** The coordinator refused us (or we refused it): logged with the hint; the retry pace follows the code. */
  private recordRefusal(s: Session, refusal: { code: string; message: string }): void {
    s.refusal = refusal;
    const { code, message } = refusal;
    this.opts.logger.error(`coordinator ${this.opts.address} refused agent ${this.opts.agentId}: ${code}: ${message}`, {
      code,
      hint: REFUSAL_HINTS[code] ?? 'see the coordinator log for details',
    });
  }

  /**
   * A convoyd too old to judge our protocol welcomes us anyway: we judge its Welcome ourselves
   * (shared/protocol.ts), and leave as if refused (logged with the hint, retried slowly).
   */
  private refusesCoordinator(s: Session, welcome: Welcome): boolean {
    const problem = protocolProblem(
      this.opts.agentId,
      { version: this.opts.agentVersion ?? '', protocol: this.opts.protocolVersion ?? PROTOCOL_VERSION },
      { version: welcome.coordinatorVersion, protocol: welcome.protocolVersion, minAgentProtocol: 0 },
    );
    if (!problem) return false;
    this.recordRefusal(s, { code: PROTOCOL_MISMATCH, message: problem });
    s.ready = false;
    s.stream.cancel();
    return true;
  }

  private logEnd(s: Session | undefined, delayMs: number, pace: RetryPace): void {
    const address = this.opts.address;
    const wait = formatDuration(delayMs);
    if (s?.refusal) {
      this.opts.logger.warn(
        `disconnected from coordinator ${address} (refused: ${s.refusal.code}); retrying in ${wait}` +
          (pace === 'slow' ? ' (the maximum backoff, so a refused agent does not hammer the coordinator)' : ''),
      );
      return;
    }
    const why = s?.status ? `${statusName(s.status.code)}${s.status.details ? ` (${s.status.details})` : ''}` : 'no stream';
    if (s?.acceptedAtMs !== undefined) this.opts.logger.warn(`disconnected from coordinator ${address}: ${why}; reconnecting in ${wait}`);
    else this.opts.logger.warn(`cannot reach coordinator ${address}: ${why}; retrying in ${wait}`);
  }

  private async waitEnded(s: Session, ms: number): Promise<void> {
    const timeout = new AbortController();
    await Promise.race([s.ended$, this.opts.clock.sleep(ms, timeout.signal).catch(() => {})]);
    timeout.abort();
  }
}
