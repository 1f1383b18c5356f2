/**
 * Hostile calls on convoyd's ControlService, sent as raw bytes over a real mutual-TLS channel
 * with the operator certificate (so they get past authentication and reach validation):
 * random bytes, wrong wire types, hostile values in every field, huge strings, oversized
 * payloads, and streams cancelled at random points. Each case says which answers are acceptable.
 */
import * as grpc from '@grpc/grpc-js';
import { loadServices } from '../../../shared/proto.js';
import { Rng, Tally, field, HOSTILE_NAMES, HOSTILE_VERSIONS, WIRE } from './random.js';

const { ControlService } = loadServices();
const def = ControlService.service;
const C = grpc.status;

/** One call: the method, the bytes, and the status codes that count as a correct answer. */
export interface ControlCase {
  family: string;
  method: string;
  payload: Buffer;
  accept: readonly grpc.status[];
  /** Server-streaming methods: cancel the call at once or after the first message. */
  cancel?: 'now' | 'after-first';
}

const READS = ['ListAgents', 'GetRollout', 'ListRollouts', 'ListEvents', 'ListBackups', 'ListSchedules'];
const WRITES = ['StartRollout', 'ActOnRollout', 'RunSchedule', 'SetScheduleEnabled'];
const STREAMS = ['WatchRollout', 'RolloutLogs'];
/** Plan asks agents to inspect: only hostile plans (refused before that) are sent. */
const REFUSED = [C.INVALID_ARGUMENT] as const;
const REFUSED_OR_UNKNOWN = [C.INVALID_ARGUMENT, C.NOT_FOUND] as const;
/** Schedules may not be served by this build (UNIMPLEMENTED is an honest answer too). */
const ANY_REFUSAL = [C.INVALID_ARGUMENT, C.NOT_FOUND, C.FAILED_PRECONDITION, C.UNIMPLEMENTED] as const;

function encode(method: string, msg: Record<string, unknown>): Buffer {
  return (def[method] as grpc.MethodDefinition<unknown, unknown>).requestSerialize(msg);
}

function randomBytesCase(rng: Rng): ControlCase {
  const method = rng.pick([...READS, ...WRITES, ...STREAMS, 'Plan']);
  const payload = rng.bytes(rng.int(1, 400));
  const read = READS.includes(method) || STREAMS.includes(method);
  return { family: 'random bytes', method, payload, accept: read ? [...ANY_REFUSAL, C.OK] : ANY_REFUSAL, cancel: 'after-first' };
}

/** A string field sent with the wrong wire type (varint, fixed64, fixed32, a group). */
function wrongWireCase(rng: Rng): ControlCase {
  const method = rng.pick(['StartRollout', 'Plan', 'ActOnRollout', 'GetRollout', 'ListBackups', 'ListEvents']);
  const wire = rng.pick([WIRE.varint, WIRE.fixed64, WIRE.fixed32, WIRE.startGroup, WIRE.endGroup]);
  const payload = Buffer.concat([
    field(rng.int(1, 3), wire, rng.int(0, 2 ** 30)),
    field(rng.int(1, 3), WIRE.bytes, rng.bytes(rng.int(0, 20))),
  ]);
  return { family: 'wrong wire types', method, payload, accept: READS.includes(method) ? [...ANY_REFUSAL, C.OK] : ANY_REFUSAL };
}

function hostileValueCase(rng: Rng): ControlCase {
  const version = rng.pick(HOSTILE_VERSIONS);
  const name = rng.pick(HOSTILE_NAMES);
  const cases: (() => ControlCase)[] = [
    () => ({
      family: 'hostile versions',
      method: 'StartRollout',
      payload: encode('StartRollout', { cluster: 'hoss', targetVersion: version }),
      accept: REFUSED,
    }),
    () => ({
      family: 'hostile versions',
      method: 'Plan',
      payload: encode('Plan', { cluster: 'hoss', targetVersion: version }),
      accept: REFUSED,
    }),
    () => ({
      family: 'hostile names',
      method: 'StartRollout',
      payload: encode('StartRollout', { cluster: name, targetVersion: '0.2.0' }),
      accept: REFUSED,
    }),
    () => ({
      family: 'hostile names',
      method: 'StartRollout',
      payload: encode('StartRollout', { host: name, targetVersion: '0.2.0' }),
      accept: REFUSED,
    }),
    () => ({ family: 'hostile names', method: 'Plan', payload: encode('Plan', { host: name, targetVersion: '0.2.0' }), accept: REFUSED }),
    () => ({ family: 'hostile names', method: 'ListBackups', payload: encode('ListBackups', { agentId: name }), accept: REFUSED }),
    () => ({ family: 'hostile names', method: 'ListRollouts', payload: encode('ListRollouts', { cluster: name }), accept: REFUSED }),
    () => ({ family: 'hostile names', method: 'GetRollout', payload: encode('GetRollout', { id: name }), accept: REFUSED_OR_UNKNOWN }),
    () => ({ family: 'hostile names', method: 'ListEvents', payload: encode('ListEvents', { rolloutId: `${name}/..` }), accept: REFUSED }),
    () => ({
      family: 'unknown enum values',
      method: 'ActOnRollout',
      payload: encode('ActOnRollout', { id: 'r-1', action: rng.pick(['destroy', 'ACK', 'abort ', '', 'exec', 'rollback;id', '0']) }),
      accept: REFUSED,
    }),
    () => ({
      family: 'neither cluster nor host',
      method: 'StartRollout',
      payload: encode('StartRollout', { targetVersion: '0.2.0' }),
      accept: REFUSED,
    }),
    () => ({
      family: 'negative limits',
      method: 'ListRollouts',
      payload: encode('ListRollouts', { limit: -rng.int(1, 2 ** 31 - 1) }),
      accept: REFUSED,
    }),
    () => ({
      family: 'negative limits',
      method: 'ListEvents',
      payload: encode('ListEvents', { limit: -rng.int(1, 1000) }),
      accept: REFUSED,
    }),
    () => ({
      family: 'unknown ids',
      method: 'ActOnRollout',
      payload: encode('ActOnRollout', { id: `r-${rng.int(100, 1e6)}`, action: 'abort' }),
      accept: [C.NOT_FOUND],
    }),
    () => ({
      family: 'hostile streams',
      method: 'WatchRollout',
      payload: encode('WatchRollout', { id: name }),
      accept: REFUSED_OR_UNKNOWN,
      cancel: rng.pick(['now', 'after-first'] as const),
    }),
    () => ({
      family: 'hostile streams',
      method: 'RolloutLogs',
      payload: encode('RolloutLogs', { id: rng.pick(['r-1', name]), host: name, step: rng.text(10), follow: true }),
      accept: [...REFUSED_OR_UNKNOWN, C.CANCELLED],
      cancel: rng.pick(['now', 'after-first'] as const),
    }),
  ];
  return rng.pick(cases)();
}

function hugeCase(rng: Rng): ControlCase {
  const big = rng.text(rng.int(300, 50_000)) + 'x'.repeat(rng.int(0, 1_000_000));
  const method = rng.pick(['StartRollout', 'Plan', 'ActOnRollout', 'GetRollout', 'ListBackups']);
  const msg: Record<string, unknown> = {
    StartRollout: { cluster: 'hoss', targetVersion: big },
    Plan: { cluster: big, targetVersion: '0.2.0' },
    ActOnRollout: { id: 'r-1', action: 'abort', reason: big },
    GetRollout: { id: big },
    ListBackups: { agentId: big },
  }[method] as Record<string, unknown>;
  return { family: 'huge strings', method, payload: encode(method, msg), accept: REFUSED };
}

function oversizedCase(rng: Rng): ControlCase {
  const method = rng.pick(['StartRollout', 'ListAgents', 'GetRollout']);
  return {
    family: 'oversized payloads (> 4 MiB)',
    method,
    payload: field(1, WIRE.bytes, Buffer.alloc(5 * 1024 * 1024 + rng.int(0, 1000), 0x41)),
    accept: [C.RESOURCE_EXHAUSTED],
  };
}

/** `n` cases, in the proportions a fuzzer should spend its time on. */
export function controlCases(rng: Rng, n: number): ControlCase[] {
  const out: ControlCase[] = [];
  for (let i = 0; i < n; i++) {
    const roll = rng.next();
    if (roll < 0.3) out.push(randomBytesCase(rng));
    else if (roll < 0.45) out.push(wrongWireCase(rng));
    else if (roll < 0.9) out.push(hostileValueCase(rng));
    else if (roll < 0.98) out.push(hugeCase(rng));
    else out.push(oversizedCase(rng));
  }
  return out;
}

function call(client: grpc.Client, c: ControlCase): Promise<grpc.status> {
  const attrs = def[c.method] as grpc.MethodDefinition<unknown, unknown>;
  const ident = (b: Buffer): Buffer => b;
  return new Promise((resolve) => {
    if (!attrs.responseStream) {
      client.makeUnaryRequest(attrs.path, ident, ident, c.payload, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (err) =>
        resolve(err ? err.code : C.OK),
      );
      return;
    }
    const stream = client.makeServerStreamRequest(attrs.path, ident, ident, c.payload, new grpc.Metadata(), {});
    stream.on('error', () => undefined);
    stream.on('status', (s: grpc.StatusObject) => resolve(s.code));
    if (c.cancel === 'now') stream.cancel();
    else stream.once('data', () => stream.cancel());
  });
}

/** Sends every case (a few at a time) and tallies the answers; `wrong` collects unacceptable ones. */
export async function runControlFuzz(client: grpc.Client, cases: ControlCase[]): Promise<{ tally: Tally; wrong: string[] }> {
  const tally = new Tally();
  const wrong: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const code = await call(client, c);
      const cancelledByUs = c.cancel !== undefined && code === C.CANCELLED;
      tally.add(`${c.family}: ${cancelledByUs ? 'stream cancelled by the client' : C[code]}`);
      if (!cancelledByUs && !c.accept.includes(code)) {
        wrong.push(
          `${c.method} (${c.family}, ${c.payload.length} bytes) answered ${C[code]}; expected ${c.accept.map((a) => C[a]).join('|')}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { tally, wrong };
}

/** A raw ControlService client that may send more than the server accepts (to test the bound). */
export function rawClient(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions): grpc.Client {
  return new grpc.Client(address, credentials, { ...options, 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
}
