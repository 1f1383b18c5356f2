/**
 * Hostile agent streams on convoyd's AgentService, from a client holding a real agent
 * certificate ("fuzz-agent", in no cluster): malformed first messages, Hellos with one bad
 * field each or another agent's id, and after a good Hello one hostile message (unknown enum
 * values, oversized lists, output or answers for another agent's requests, a second Hello,
 * random bytes). A stream the coordinator keeps open is proven alive with a probe result it
 * must acknowledge; some streams are cancelled by the client at random points.
 */
import * as grpc from '@grpc/grpc-js';
import { loadServices } from '../../../shared/proto.js';
import type { CoordinatorMessage } from '../../../shared/wire.js';
import { HOSTILE_NAMES, Rng, Tally } from './random.js';

const connect = loadServices().AgentService.service.Connect as grpc.MethodDefinition<unknown, CoordinatorMessage>;
const C = grpc.status;
export const FUZZ_AGENT = 'fuzz-agent';

type Msg = Record<string, unknown>;
/** An answer: a status code, or 'alive' when the stream stayed open and acknowledged the probe. */
type Answer = grpc.status | 'alive';

export interface AgentCase {
  family: string;
  /** Sent only after the Hello was welcomed (undefined: the case's first message is the hostile one). */
  afterHello: boolean;
  message: Buffer;
  accept: readonly Answer[];
  /** Cancel the stream after writing, without waiting for an answer. */
  cancel?: boolean;
}

function encode(msg: Msg): Buffer {
  return connect.requestSerialize(msg);
}

function baseHello(): Msg {
  return {
    agentId: FUZZ_AGENT,
    labels: { fuzz: 'yes' },
    serverDir: '/srv/fuzz',
    agentVersion: '0.1.0',
    repo: {
      installedVersion: '0.1.0',
      commit: 'a'.repeat(40),
      clean: true,
      tags: ['0.1.0'],
      branch: '',
      trackedBranch: '',
      dirtyDetail: '',
    },
    health: { healthy: true, version: '0.1.0', detail: '', checkedAtMs: Date.now(), configured: true },
    plan: ['backup', 'checkout', 'build'],
    rerunnableSteps: ['build'],
    backups: [],
    undelivered: [],
    hostname: 'fuzz',
    hasRestore: false,
    stepTimeoutsMs: { build: 60_000 },
  };
}

function result(over: Msg = {}): Msg {
  return {
    requestId: 'r-77.fuzz-agent.build.1',
    rolloutId: 'r-77',
    step: 'build',
    outcome: 'SUCCEEDED',
    exitCode: 0,
    reason: '',
    outputTail: [],
    attempt: 1,
    ...over,
  };
}

const REFUSED = [C.INVALID_ARGUMENT] as const;
const list = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Hellos with exactly one bad field (the rest is a Hello the coordinator accepts). */
function badHello(rng: Rng): { family: string; hello: Msg; accept: readonly Answer[] } {
  const h = baseHello();
  const mutations: [string, () => void, readonly Answer[]][] = [
    ['hello with another agent id', () => (h.agentId = rng.pick(['hoss-a', 'hoss-b', 'hoss-auth'])), [C.PERMISSION_DENIED]],
    ['hello with a hostile id', () => (h.agentId = rng.pick(HOSTILE_NAMES)), REFUSED],
    ['hello with 100 labels', () => (h.labels = Object.fromEntries(list(100, (i) => [`l${i}`, 'v'] as const))), REFUSED],
    ['hello with a huge field', () => (h[rng.pick(['serverDir', 'hostname', 'agentVersion'])] = rng.text(rng.int(5000, 20_000))), REFUSED],
    ['hello with a 40-step plan', () => (h.plan = list(40, (i) => `step-${i}`)), REFUSED],
    ['hello with a bad commit', () => ((h.repo as Msg).commit = rng.pick(['zz', 'g'.repeat(40), '$(id)', '../HEAD'])), REFUSED],
    ['hello with 10001 tags', () => ((h.repo as Msg).tags = list(10_001, (i) => `v${i}`)), REFUSED],
    ['hello with a negative time', () => ((h.health as Msg).checkedAtMs = -rng.int(1, 1e9)), REFUSED],
    [
      'hello with a bad backup digest',
      () => (h.backups = [{ id: 'b', path: '/x', version: '0.1.0', sizeBytes: 1, sha256: 'nothex', createdAtMs: 1 }]),
      REFUSED,
    ],
    ['unknown enum value (undelivered result)', () => (h.undelivered = [result({ outcome: rng.int(7, 1000) })]), REFUSED],
    ['hello with a huge step timeout', () => (h.stepTimeoutsMs = { build: 1e13 }), REFUSED],
  ];
  const [family, mutate, accept] = rng.pick(mutations);
  mutate();
  return { family, hello: h, accept };
}

/** One hostile message after a welcomed Hello. */
function followUp(rng: Rng): { family: string; msg: Buffer; accept: readonly Answer[] } {
  const options: [string, () => Buffer, readonly Answer[]][] = [
    ['unknown enum value (result outcome)', () => encode({ result: result({ outcome: rng.int(7, 1e6) }) }), REFUSED],
    ['result without a request id', () => encode({ result: result({ requestId: '' }) }), REFUSED],
    ['result with a huge reason', () => encode({ result: result({ reason: rng.text(rng.int(5000, 100_000)) }) }), REFUSED],
    [
      'output with 1500 lines',
      () => encode({ output: { requestId: 'r-77.fuzz-agent.build.1', rolloutId: 'r-77', step: 'build', lines: list(1500, () => 'x') } }),
      REFUSED,
    ],
    // ids shaped like another agent's requests that convoyd never sent: nothing is applied or
    // stored (convoyd knows whom it sent each request to), the stream may stay open
    [
      "output into another agent's log",
      () => encode({ output: { requestId: 'r-1.hoss-a.build.1', rolloutId: 'r-1', step: 'build', lines: ['forged'] } }),
      ['alive'],
    ],
    [
      "answer to another agent's plan",
      () => encode({ inspectResult: { requestId: 'plan-1.hoss-a', targetVersion: '0.2.0', targetExists: true } }),
      ['alive'],
    ],
    ['heartbeat from the past', () => encode({ heartbeat: { sentAtMs: -rng.int(1, 1e9) } }), REFUSED],
    ['repo report with a bad commit', () => encode({ repo: { repo: { commit: rng.text(40), tags: [] } } }), REFUSED],
    ['second hello', () => encode({ hello: baseHello() }), REFUSED],
    ['message with no field set', () => Buffer.alloc(0), REFUSED],
    ['random bytes mid-stream', () => rng.bytes(rng.int(1, 300)), [C.INVALID_ARGUMENT, 'alive']],
    ['result for a rollout that does not exist', () => encode({ result: result({ rolloutId: `r-${rng.int(100, 1e6)}` }) }), ['alive']],
  ];
  const [family, make, accept] = rng.pick(options);
  return { family, msg: make(), accept };
}

export function agentCases(rng: Rng, n: number): AgentCase[] {
  const out: AgentCase[] = [];
  for (let i = 0; i < n; i++) {
    const roll = rng.next();
    if (roll < 0.12) {
      out.push({ family: 'random bytes before hello', afterHello: false, message: rng.bytes(rng.int(1, 300)), accept: REFUSED });
    } else if (roll < 0.16) {
      out.push({ family: 'heartbeat before hello', afterHello: false, message: encode({ heartbeat: { sentAtMs: 1 } }), accept: REFUSED });
    } else if (roll < 0.45) {
      const b = badHello(rng);
      out.push({ family: b.family, afterHello: false, message: encode({ hello: b.hello }), accept: b.accept });
    } else if (roll < 0.93) {
      const f = followUp(rng);
      out.push({ family: f.family, afterHello: true, message: f.msg, accept: f.accept });
    } else if (roll < 0.98) {
      out.push({
        family: 'stream closed at a random point',
        afterHello: rng.next() < 0.5,
        message: encode({ heartbeat: { sentAtMs: Date.now() } }),
        accept: [],
        cancel: true,
      });
    } else {
      out.push({
        family: 'oversized message (> 4 MiB)',
        afterHello: rng.next() < 0.5,
        message: Buffer.concat([encode({ hello: { serverDir: 'x'.repeat(5 * 1024 * 1024) } })]),
        accept: [C.RESOURCE_EXHAUSTED],
      });
    }
  }
  return out;
}

/** Drives one stream through a case and resolves with the coordinator's answer. */
function runCase(client: grpc.Client, c: AgentCase): Promise<Answer | 'cancelled' | 'no answer'> {
  const ident = (b: Buffer): Buffer => b;
  const call = client.makeBidiStreamRequest(connect.path, ident, (b: Buffer) => connect.responseDeserialize(b), new grpc.Metadata(), {
    deadline: Date.now() + 30_000,
  });
  return new Promise((resolve) => {
    let phase: 'hello' | 'hostile' | 'probe' | 'ending' = c.afterHello ? 'hello' : 'hostile';
    const probeId = `probe.${FUZZ_AGENT}.${Math.random().toString(36).slice(2)}`;
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) =>
      resolve(phase === 'ending' ? 'alive' : s.code === C.DEADLINE_EXCEEDED ? 'no answer' : s.code),
    );
    const sendHostile = (): void => {
      phase = 'probe';
      call.write(c.message);
      if (c.cancel) {
        call.cancel();
        return resolve('cancelled');
      }
      call.write(encode({ result: result({ requestId: probeId, rolloutId: 'probe' }) }));
    };
    call.on('data', (msg: CoordinatorMessage) => {
      if (phase === 'hello' && msg.welcome) sendHostile();
      else if (phase === 'probe' && msg.ack?.requestId === probeId) {
        phase = 'ending';
        call.end();
      }
    });
    if (c.afterHello) call.write(encode({ hello: baseHello() }));
    else sendHostile();
  });
}

/** Runs the cases one stream at a time (one agent id may hold one session) and tallies the answers. */
export async function runAgentServiceFuzz(client: grpc.Client, cases: AgentCase[]): Promise<{ tally: Tally; wrong: string[] }> {
  const tally = new Tally();
  const wrong: string[] = [];
  for (const c of cases) {
    const answer = await runCase(client, c);
    const name = answer === 'alive' ? 'kept open, probe acknowledged' : typeof answer === 'number' ? C[answer] : answer;
    tally.add(`${c.family}: ${name}`);
    const ok = c.cancel ? answer === 'cancelled' : answer !== 'cancelled' && answer !== 'no answer' && c.accept.includes(answer);
    if (!ok)
      wrong.push(
        `${c.family} (${c.message.length} bytes) answered ${name}; expected ${c.accept.map((a) => (a === 'alive' ? 'alive' : C[a])).join('|')}`,
      );
  }
  return { tally, wrong };
}
