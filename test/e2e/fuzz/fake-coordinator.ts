/**
 * A hostile coordinator: a real gRPC server in the test process, with convoyd's certificate,
 * that the real convoy-agent connects to. It welcomes the agent and then sends
 * CoordinatorMessages each with exactly one hostile field (so no message is a request the
 * agent should run), raw bytes that are not a message, messages over the size bound, and
 * closes streams at random points. It records every answer the agent gives.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadServices, serverOptions } from '../../../shared/proto.js';
import type { AgentMessage, InspectResult, StepResult } from '../../../shared/wire.js';
import { HOSTILE_NAMES, HOSTILE_VERSIONS, Rng, Tally } from './random.js';

const service = loadServices().AgentService.service;
const connect = service.Connect as grpc.MethodDefinition<AgentMessage, unknown>;

type Msg = Record<string, unknown>;
type Stream = grpc.ServerDuplexStream<AgentMessage, unknown>;

/** What the agent should do with a message: answer a step request with REFUSED, answer an inspection, or nothing. */
type Expect = 'refused' | 'inspected' | 'nothing';

export interface HostileMessage {
  family: string;
  /** A message object, or raw bytes the agent cannot decode. */
  body: Msg | Buffer;
  expect: Expect;
  requestId?: string;
  /** Close the stream right after sending this. */
  closeAfter?: boolean;
}

let seq = 0;
const rid = (): string => `r-9.fuzz.${++seq}`;

/** A request the agent would run; every case changes exactly one field of it to something hostile. */
function validRequest(agentId: string): Msg {
  return {
    requestId: rid(),
    rolloutId: 'r-9',
    agentId,
    step: 'config',
    targetVersion: '0.2.0',
    fromVersion: '0.1.0',
    backupId: '',
    restoreCommit: '',
    attempt: 1,
    healthDeadlineMs: 0,
  };
}

function stepCase(rng: Rng, agentId: string): HostileMessage {
  const r = validRequest(agentId);
  const mutations: [string, () => void][] = [
    [
      'step outside the plan',
      () => (r.step = rng.pick(['rm -rf /', 'shell', 'exec', 'backup; id', '../../bin/sh', 'build\n', 'BUILD', 'x'.repeat(5000), ''])),
    ],
    ['request for another host', () => (r.agentId = rng.pick(['hoss-a', 'hoss-auth', '', 'HOSS-B', `${agentId} `, '*']))],
    ['injection in the target version', () => (r.targetVersion = rng.pick(HOSTILE_VERSIONS))],
    ['injection in the from version', () => (r.fromVersion = rng.pick(HOSTILE_VERSIONS.filter((v) => v !== '')))],
    ['version that is not a tag', () => (r.targetVersion = rng.pick(['9.9.9', 'v0.3.0-rc1', 'no-such-branch', 'deadbeef']))],
    ['hostile rollout id', () => (r.rolloutId = rng.pick(['../../etc', 'r-1/../../x', 'r 1', '.', '..', 'x'.repeat(65), '$(id)']))],
    [
      'restore of a backup not in the catalogue',
      () => Object.assign(r, { step: 'restore', backupId: rng.pick(['../../etc/passwd', 'nope', 'x'.repeat(300)]) }),
    ],
    [
      'rollback to a commit that is not the recorded one',
      () => Object.assign(r, { step: 'rollback-checkout', restoreCommit: rng.pick(['HEAD', 'zz', '1'.repeat(40), '--force', '-']) }),
    ],
    ['attempt out of range', () => (r.attempt = rng.pick([-1, 1001, 2 ** 31 - 1]))],
    ['health deadline out of range', () => Object.assign(r, { step: 'health', healthDeadlineMs: rng.pick([-5, 1e15]) })],
    ['huge strings', () => (r[rng.pick(['step', 'targetVersion', 'fromVersion', 'rolloutId'])] = rng.text(rng.int(1000, 200_000)))],
  ];
  const [family, mutate] = rng.pick(mutations);
  mutate();
  return { family, body: { runStep: r }, expect: 'refused', requestId: r.requestId as string };
}

/** Cases that end the stream (the agent reconnects with its backoff) are rare, to keep the test short. */
function closingCase(rng: Rng): HostileMessage {
  return rng.next() < 0.6
    ? { family: 'bytes that are not a message', body: rng.bytes(rng.int(1, 200)), expect: 'nothing', closeAfter: true }
    : {
        family: 'oversized message (> 4 MiB)',
        body: { refusal: { message: 'x'.repeat(5 * 1024 * 1024) } },
        expect: 'nothing',
        closeAfter: true,
      };
}

function otherCase(rng: Rng): HostileMessage {
  const options: (() => HostileMessage)[] = [
    () => ({
      family: 'request id that cannot be echoed',
      body: { runStep: { ...validRequest('x'), requestId: rng.pick(['', '../x', 'a b', 'x'.repeat(301), 'id\n']) } },
      expect: 'nothing',
    }),
    () => {
      const requestId = rid();
      return {
        family: 'inspection of a hostile version',
        body: { inspect: { requestId, targetVersion: rng.pick(HOSTILE_VERSIONS) } },
        expect: 'inspected',
        requestId,
      };
    },
    () => ({
      family: 'cancel of a step that is not running',
      body: { cancel: { requestId: rng.text(20), reason: rng.text(rng.int(0, 10_000)) } },
      expect: 'nothing',
    }),
    () => ({ family: 'ack of unknown results', body: { ack: { requestId: rng.text(30) } }, expect: 'nothing' }),
    () => ({
      family: 'welcome with hostile fields',
      body: {
        welcome: { coordinatorVersion: rng.text(500), heartbeatIntervalMs: rng.pick([-1, 0, 1e12]), ackedRequestIds: [rng.text(50), ''] },
      },
      expect: 'nothing',
    }),
    () => ({
      family: 'refusal with hostile text',
      body: { refusal: { code: rng.pick(HOSTILE_NAMES), message: rng.text(2000) } },
      expect: 'nothing',
    }),
    () => ({ family: 'message with no field set', body: {}, expect: 'nothing' }),
  ];
  return rng.pick(options)();
}

/** `n` hostile messages for agent `agentId`. */
export function hostileMessages(rng: Rng, n: number, agentId: string): HostileMessage[] {
  return Array.from({ length: n }, () => {
    const roll = rng.next();
    const m = roll < 0.7 ? stepCase(rng, agentId) : roll < 0.99 ? otherCase(rng) : closingCase(rng);
    // Streams closed at random points. Not right after an inspection: its answer is not journalled
    // (inspection is read-only), so closing the stream under it would leave it unanswerable.
    if (!m.closeAfter && rng.next() < 0.005) m.closeAfter = m.expect !== 'inspected';
    return m;
  });
}

/** The fake convoyd: welcomes each session, then hands it to `onSession`. */
export class FakeCoordinator {
  readonly results = new Map<string, StepResult>();
  readonly inspected = new Set<string>();
  /** The inspection answers, by request id. */
  readonly inspections = new Map<string, InspectResult>();
  readonly answers = new Tally();
  sessions = 0;
  private server = new grpc.Server({ ...serverOptions, 'grpc.max_send_message_length': -1 });
  private current?: Stream;

  private waiters: (() => void)[] = [];
  port = 0;

  constructor(private readonly tls: { ca: string; cert: string; key: string }) {
    // Responses pass through as-is when they are already bytes: that is how garbage goes out.
    const def = { Connect: { ...connect, responseSerialize: (m: unknown) => (Buffer.isBuffer(m) ? m : connect.responseSerialize(m)) } };
    this.server.addService(def, { Connect: (call: Stream) => this.accept(call) });
  }

  async start(): Promise<string> {
    const creds = grpc.ServerCredentials.createSsl(
      fs.readFileSync(this.tls.ca),
      [{ cert_chain: fs.readFileSync(this.tls.cert), private_key: fs.readFileSync(this.tls.key) }],
      true,
    );
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))),
    );
    return `127.0.0.1:${this.port}`;
  }

  private accept(call: Stream): void {
    const gone = (): void => {
      if (this.current === call) this.current = undefined;
      this.notify();
    };
    call.on('error', gone);
    call.on('cancelled', gone);
    call.on('close', gone);
    // Once we ended a stream, answers still on their way must not be written to it: a write after
    // end destroys the call before its status goes out, and the agent would wait on it forever.
    const write = (m: unknown): void => {
      if (!call.writableEnded && !call.destroyed) call.write(m);
    };
    call.on('data', (msg: AgentMessage) => {
      if (msg.hello) {
        this.sessions += 1;
        this.current = call;
        write({
          welcome: { coordinatorVersion: 'fake', heartbeatIntervalMs: 500, ackedRequestIds: msg.hello.undelivered.map((u) => u.requestId) },
        });
        for (const u of msg.hello.undelivered) this.record(u);
      } else if (msg.result) {
        this.record(msg.result);
        write({ ack: { requestId: msg.result.requestId } });
      } else if (msg.inspectResult) {
        this.inspected.add(msg.inspectResult.requestId);
        this.inspections.set(msg.inspectResult.requestId, msg.inspectResult);
      }
      this.notify();
    });
    call.on('end', () => {
      if (!call.writableEnded) call.end();
    });
  }

  private record(r: StepResult): void {
    if (!this.results.has(r.requestId)) this.answers.add(`step request answered ${r.outcome}`);
    this.results.set(r.requestId, r);
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `pred` holds, re-checked whenever the agent sends something. */
  async until(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`fake coordinator: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  /** Sends `m` on the current session (waiting for the agent to reconnect after a close). */
  async send(m: HostileMessage): Promise<void> {
    await this.until(() => this.current !== undefined, 'the agent to connect');
    const call = this.current!;
    call.write(m.body);
    if (m.closeAfter) {
      this.current = undefined;
      call.end();
    }
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
