/** AgentService.Connect: one long-lived stream per agent. Thin: validate, hand to fleet/controller. */
import * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { peerCertificateExpiry } from '../../shared/cert-info.js';
import { MIN_AGENT_PROTOCOL, PROTOCOL_MISMATCH, PROTOCOL_VERSION, protocolProblem } from '../../shared/protocol.js';
import { printable } from '../../shared/versions.js';
import type { CoordinatorMessage, DecodedAgentMessage, Hello, StepOutput, StepResult } from '../../shared/wire.js';
import type { AgentSession, Fleet } from '../fleet/registry.js';
import type { RolloutController } from '../rollout/controller.js';
import type { AccessPolicy } from './access.js';
import { malformedReason } from './decode.js';
import { agentMessageSchemas as schemas, parseWire, type WireSchema } from './validate.js';

export interface AgentServiceDeps {
  fleet: Fleet;
  controller: RolloutController;
  clock: Clock;
  logger: Logger;
  heartbeatIntervalMs: number;
  coordinatorVersion: string;
  /** Identity and revocation checks; without it every caller is trusted (unit tests). */
  access?: AccessPolicy;
  /** Which step output is stored (coordinator/logs/output-gate.ts); without it all is (unit tests). */
  output?: { admit(agentId: string, out: StepOutput): StepOutput | undefined };
}

const HELLO_TIMEOUT_MS = 10_000;
let nextSessionId = 1;

type Stream = grpc.ServerDuplexStream<DecodedAgentMessage, CoordinatorMessage>;

/** Ends a stream with a status and a refusal message the agent can log. */
function refuse(call: Stream, code: grpc.status, refusalCode: string, message: string): void {
  try {
    call.write({ refusal: { code: refusalCode, message } });
  } catch {
    // the stream may already be gone
  }
  call.emit('error', { code, details: message });
}

export function agentServiceHandlers(deps: AgentServiceDeps): grpc.UntypedServiceImplementation {
  return {
    connect: (call: Stream) => {
      const admitted = deps.access?.admitAgent(call) ?? { ok: true, name: '' };
      if (!admitted.ok) {
        deps.logger.warn(`agent stream from ${call.getPeer()} refused: ${admitted.reason}`, {
          peer: call.getPeer(),
          reason: admitted.reason,
        });
        return refuse(call, admitted.status, grpc.status[admitted.status], admitted.reason);
      }
      new AgentConnection(deps, call, admitted.name).run();
    },
  };
}

/** The state of one agent stream. */
class AgentConnection {
  private agentId = '';
  private readonly sessionId = nextSessionId++;
  private closed = false;

  constructor(
    private readonly deps: AgentServiceDeps,
    private readonly call: Stream,
    /** The agent id its certificate proves ('' without mTLS): the Hello must carry exactly this id. */
    private readonly certifiedId: string,
  ) {}

  run(): void {
    const { logger, clock } = this.deps;
    const stopWatchingAccess = this.deps.access?.onChange(() => this.closeIfRevoked());
    const cancelHelloTimer = clock.setTimer(HELLO_TIMEOUT_MS, () => {
      if (!this.agentId && !this.closed) refuse(this.call, grpc.status.DEADLINE_EXCEEDED, 'NO_HELLO', 'no hello received within 10s');
    });
    this.call.on('data', (msg: DecodedAgentMessage) => {
      try {
        this.onMessage(msg);
      } catch (err) {
        logger.error('failed to handle an agent message', { host: this.agentId, error: String(err) });
      }
    });
    const onGone = (): void => {
      cancelHelloTimer();
      stopWatchingAccess?.();
      if (this.closed) return;
      this.closed = true;
      if (this.agentId && this.deps.fleet.disconnect(this.agentId, this.sessionId)) {
        logger.info('agent disconnected', { host: this.agentId });
        this.deps.controller.onAgentChanged(this.agentId);
      }
    };
    this.call.on('end', () => {
      onGone();
      this.call.end();
    });
    this.call.on('error', onGone);
    this.call.on('cancelled', onGone);
    this.call.on('close', onGone);
  }

  /** After a SIGHUP that revoked this agent: close its stream now, not at its next reconnect. */
  private closeIfRevoked(): void {
    const id = this.agentId || this.certifiedId;
    const problem = id ? this.deps.access?.revokedProblem(id) : undefined;
    if (!problem || this.closed) return;
    this.deps.logger.warn(`closing the stream of agent ${id}: ${problem}`, { host: id });
    refuse(this.call, grpc.status.PERMISSION_DENIED, 'PERMISSION_DENIED', problem);
  }

  private onMessage(msg: DecodedAgentMessage): void {
    if (this.closed) return;
    const malformed = malformedReason(msg);
    if (malformed) {
      this.deps.logger.warn('malformed message from agent; closing its stream', {
        host: this.agentId,
        peer: this.call.getPeer(),
        problem: malformed,
      });
      return refuse(this.call, grpc.status.INVALID_ARGUMENT, 'INVALID_MESSAGE', malformed);
    }
    if (!this.agentId) {
      if (msg.msg !== 'hello' || !msg.hello)
        return refuse(this.call, grpc.status.INVALID_ARGUMENT, 'HELLO_FIRST', 'the first message on the stream must be hello');
      const hello = this.valid(schemas.hello, msg.hello, 'hello');
      if (hello) this.onHello(hello);
      return;
    }
    const { fleet, controller } = this.deps;
    const id = this.agentId;
    switch (msg.msg) {
      case 'heartbeat': {
        const beat = this.valid(schemas.heartbeat, msg.heartbeat, 'heartbeat');
        if (!beat) return;
        const before = JSON.stringify(fleet.facts(id));
        fleet.touch(id, { health: beat.health, inFlight: beat.inFlight });
        if (JSON.stringify(fleet.facts(id)) !== before) controller.onAgentChanged(id);
        return;
      }
      case 'health': {
        const report = this.valid(schemas.health, msg.health, 'health');
        if (!report) return;
        fleet.setHealth(id, report.health);
        controller.onAgentChanged(id);
        return;
      }
      case 'output': {
        const output = this.valid(schemas.output, msg.output, 'output');
        if (!output || this.notOwn(output.requestId, 'output')) return;
        fleet.touch(id);
        // Only output of a step this agent runs, within the bounds; the rest is dropped and counted.
        const admitted = this.deps.output ? this.deps.output.admit(id, output) : output;
        if (admitted) controller.onStepOutput(id, admitted);
        return;
      }
      case 'result': {
        const result = this.valid(schemas.result, msg.result, 'result');
        if (!result) return;
        if (!this.onResult(result)) return this.closeForRedelivery();
        this.call.write({ ack: { requestId: result.requestId } });
        return;
      }
      case 'inspectResult': {
        const inspected = this.valid(schemas.inspectResult, msg.inspectResult, 'inspect result');
        if (!inspected || this.notOwn(inspected.requestId, 'inspect result')) return;
        fleet.setRepo(id, inspected.repo);
        if (inspected.health) fleet.setHealth(id, inspected.health);
        controller.onInspectResult(id, inspected);
        return;
      }
      case 'repo': {
        const report = this.valid(schemas.repo, msg.repo, 'repo report');
        if (!report) return;
        fleet.setRepo(id, report.repo, report.backups);
        return;
      }
      case 'hello':
        return refuse(this.call, grpc.status.INVALID_ARGUMENT, 'HELLO_TWICE', 'hello may be sent only once per stream');
      default:
        return refuse(this.call, grpc.status.INVALID_ARGUMENT, 'UNKNOWN_MESSAGE', 'unknown message type');
    }
  }

  /**
   * `value` as its schema parses it (typed as validation guarantees), or undefined after
   * refusing the stream because it does not validate.
   */
  private valid<T>(schema: WireSchema<T>, value: unknown, what: string): T | undefined {
    const parsed = parseWire(schema, value);
    if (parsed.ok) return parsed.value;
    const { problem } = parsed;
    this.deps.logger.warn('invalid message from agent; closing its stream', { host: this.agentId, what, problem });
    refuse(this.call, grpc.status.INVALID_ARGUMENT, 'INVALID_MESSAGE', `invalid ${what}: ${problem}`);
    return undefined;
  }

  /**
   * Output and inspection answers for a request convoyd sent to another agent (as it recorded
   * when it sent it, not as the request id reads: agent "build" or "1" is in many ids) close the
   * stream: one agent may not write into another's step log or answer `convoy plan` for another.
   * Requests unknown here go on to the output gate and the controller, which drop them.
   */
  private notOwn(requestId: string, what: string): boolean {
    const id = this.agentId;
    const owner = this.deps.controller.requestOwner(requestId);
    if (owner === undefined || owner === id) return false;
    const problem = `${what} for request "${printable(requestId)}", which was not sent to agent ${id}`;
    this.deps.logger.warn('invalid message from agent; closing its stream', { host: id, what, problem });
    refuse(this.call, grpc.status.INVALID_ARGUMENT, 'INVALID_MESSAGE', problem);
    return true;
  }

  private onHello(hello: Hello): void {
    const { fleet, controller, logger } = this.deps;
    const identity = this.identityProblem(hello.agentId);
    if (identity) {
      logger.warn(`agent connection refused: ${identity}`, { host: hello.agentId, peer: this.call.getPeer(), reason: identity });
      return refuse(this.call, grpc.status.PERMISSION_DENIED, 'PERMISSION_DENIED', identity);
    }
    const incompatible = protocolProblem(
      hello.agentId,
      { version: hello.agentVersion, protocol: hello.protocolVersion },
      { version: this.deps.coordinatorVersion, protocol: PROTOCOL_VERSION, minAgentProtocol: MIN_AGENT_PROTOCOL },
    );
    if (incompatible) {
      logger.warn(`agent connection refused: ${incompatible}`, { host: hello.agentId, agentVersion: hello.agentVersion });
      return refuse(this.call, grpc.status.FAILED_PRECONDITION, PROTOCOL_MISMATCH, incompatible);
    }
    const session: AgentSession = {
      id: this.sessionId,
      send: (m) => {
        if (this.closed) return false;
        return this.call.write(m) || true;
      },
      close: (reason) => {
        if (this.closed) return;
        refuse(this.call, grpc.status.ABORTED, 'SESSION_CLOSED', reason);
      },
    };
    const reg = fleet.register(hello, session, peerCertificateExpiry(this.call.getAuthContext().sslPeerCertificate));
    if (!reg.ok) {
      logger.warn('agent connection refused', { host: hello.agentId, reason: reg.message });
      return refuse(this.call, grpc.status.ALREADY_EXISTS, reg.code, reg.message);
    }
    this.agentId = hello.agentId;
    logger.info('agent connected', {
      host: this.agentId,
      version: hello.repo.installedVersion,
      agentVersion: hello.agentVersion,
      healthy: hello.health.healthy,
    });
    for (const result of hello.undelivered) this.recordAgentState(result);
    // Results are acknowledged only once stored: a result convoyd could not write (disk full)
    // stays in the agent's journal, and the stream is closed so the agent delivers it again.
    const stored = controller.onHello(this.agentId, hello);
    this.call.write({
      welcome: {
        coordinatorVersion: this.deps.coordinatorVersion,
        protocolVersion: PROTOCOL_VERSION,
        heartbeatIntervalMs: this.deps.heartbeatIntervalMs,
        ackedRequestIds: hello.undelivered.filter((u) => stored.has(u.requestId)).map((u) => u.requestId),
      },
    });
    if (stored.size < hello.undelivered.length) this.closeForRedelivery();
  }

  /** Closes the stream after a result could not be stored: the agent reconnects (with backoff) and sends it again. */
  private closeForRedelivery(): void {
    const why = this.deps.controller.storageProblem() || 'convoyd could not store a result';
    refuse(this.call, grpc.status.UNAVAILABLE, 'NOT_STORED', `${why}; your journal keeps the result: reconnect and send it again`);
  }

  /** Nothing an agent sends changes who it is: the Hello's id must be the certificate's. */
  private identityProblem(helloId: string): string | undefined {
    if (this.certifiedId && helloId !== this.certifiedId) {
      return `hello names agent "${helloId}" but the client certificate is for agent "${this.certifiedId}"; set id: ${this.certifiedId} in its agent.yaml or issue it a certificate for ${helloId}`;
    }
    return this.deps.access?.revokedProblem(helloId);
  }

  /** False when the result could not be stored (it must not be acknowledged). */
  private onResult(result: StepResult): boolean {
    this.recordAgentState(result);
    return this.deps.controller.onStepResult(this.agentId, result);
  }

  /** What a result tells about the agent itself: its repository, health and new backup. */
  private recordAgentState(result: StepResult): void {
    const { fleet } = this.deps;
    if (result.repo) fleet.setRepo(this.agentId, result.repo);
    if (result.health) fleet.setHealth(this.agentId, result.health);
    if (result.backup?.id) fleet.addBackup(this.agentId, result.backup);
  }
}
