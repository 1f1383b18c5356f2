import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AccessPolicy } from '../../../coordinator/rpc/access.js';
import { malformedReason, tolerantService } from '../../../coordinator/rpc/decode.js';
import { actorOf } from '../../../coordinator/rpc/errors.js';
import { bool, limit, name, rolloutId, str } from '../../../coordinator/rpc/fields.js';
import { guardControlService } from '../../../coordinator/rpc/guard.js';
import { ConvoyError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';
import { loadServices } from '../../../shared/proto.js';

const def = loadServices().ControlService.service;

function call(uri: string | undefined, request: unknown, claimed = 'mallory@laptop') {
  const metadata = new grpc.Metadata();
  metadata.set('x-convoy-actor', claimed);
  const emitted: unknown[] = [];
  const ends: Record<string, (() => void)[]> = {};
  return {
    request,
    metadata,
    emitted,
    getPeer: () => '127.0.0.1:1',
    getAuthContext: () => (uri ? { sslPeerCertificate: { subject: { CN: uri.split(':').pop() }, subjectaltname: `URI:${uri}` } } : {}),
    emit: (_e: 'error', err: unknown) => emitted.push(err) > 0,
    once: (event: string, fn: () => void) => (ends[event] ??= []).push(fn),
    /** The call ends as grpc-js ends it: 'close'. */
    close: () => (ends.close ?? []).forEach((fn) => fn()),
  };
}

describe('ControlService front door (coordinator/rpc/guard.ts, decode.ts)', () => {
  const access = new AccessPolicy({
    mtls: true,
    operators: [
      { name: 'vic', role: 'viewer' },
      { name: 'alice', role: 'operator' },
    ],
    denyAgents: [],
    file: 'c.yaml',
  });
  const seen: string[] = [];
  const impl = {
    startRollout: (c: { metadata: grpc.Metadata }, cb: (e: unknown, r?: unknown) => void) => {
      seen.push(actorOf(c));
      cb(null, {});
    },
    watchRollout: () => seen.push('watch'),
  } as unknown as grpc.UntypedServiceImplementation;
  const guarded = guardControlService(def, impl, access, silentLogger()) as unknown as Record<
    string,
    (c: unknown, cb?: (e: unknown) => void) => void
  >;

  beforeEach(() => (seen.length = 0));

  it('runs the handler for an allowed caller and names the certificate as the actor, not what the client claims', () => {
    guarded.startRollout!(call('convoy:operator:alice', {}), () => undefined);
    expect(seen).to.deep.equal(['alice']);
  });

  it('answers a refused unary call through its callback and a refused stream with an error, without running the handler', () => {
    let answer: unknown;
    guarded.startRollout!(call('convoy:operator:vic', {}), (e) => (answer = e));
    expect(answer).to.deep.include({ code: grpc.status.PERMISSION_DENIED });
    const stream = call('convoy:agent:hoss-a', {});
    guarded.watchRollout!(stream);
    expect(stream.emitted).to.have.length(1);
    expect(stream.emitted[0]).to.deep.include({ code: grpc.status.PERMISSION_DENIED });
    expect(seen).to.deep.equal([]);
  });

  it('closes an open stream with PERMISSION_DENIED and the reason once its operator is removed (SIGHUP), and only then', () => {
    const policy = new AccessPolicy({ mtls: true, operators: [{ name: 'rita', role: 'viewer' }], denyAgents: [], file: 'c.yaml' });
    const g = guardControlService(def, impl, policy, silentLogger()) as unknown as Record<string, (c: unknown) => void>;
    const watch = call('convoy:operator:rita', { id: 'r-1' });
    const closedEarlier = call('convoy:operator:rita', { id: 'r-1' });
    g.watchRollout!(watch);
    g.watchRollout!(closedEarlier);
    closedEarlier.close();
    policy.update({ operators: [{ name: 'rita', role: 'operator' }], denyAgents: [] });
    policy.publish();
    expect(watch.emitted, 'still allowed: nothing happens').to.deep.equal([]);
    policy.update({ operators: [], denyAgents: [] });
    policy.publish();
    expect(watch.emitted).to.deep.equal([
      {
        code: grpc.status.PERMISSION_DENIED,
        details:
          'access withdrawn: operator "rita" is not listed under operators: in c.yaml; add { name: rita, role: viewer|operator } and reload convoyd (systemctl reload convoyd)',
      },
    ]);
    expect(closedEarlier.emitted, 'a stream that ended is left alone').to.deep.equal([]);
    policy.publish();
    expect(watch.emitted, 'closed once').to.have.length(1);
  });

  it('refuses bytes that are not a message with INVALID_ARGUMENT and the reason', () => {
    const decode = tolerantService(def).StartRollout!.requestDeserialize;
    // Field 1 with wire type 3 (a group) that never ends.
    const req = decode(Buffer.from([0x0b]));
    expect(malformedReason(req)).to.match(/^not a valid StartRollout request \(/);
    let answer: { code?: number; details?: string } | undefined;
    guarded.startRollout!(call('convoy:operator:alice', req), (e) => (answer = e as typeof answer));
    expect(answer?.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(answer?.details).to.match(/^not a valid StartRollout request/);
    expect(malformedReason(decode(Buffer.alloc(0)))).to.equal(undefined);
  });
});

describe('ControlService fields (coordinator/rpc/fields.ts)', () => {
  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConvoyError && err.code === 'INVALID_ARGUMENT') return err.message;
      throw err;
    }
    throw new Error('expected INVALID_ARGUMENT');
  };

  it('accepts names, rollout ids, limits and booleans as the CLI sends them', () => {
    expect(name('hoss-a', 'host')).to.equal('hoss-a');
    expect(name('', 'host')).to.equal('');
    expect(rolloutId('r-12')).to.equal('r-12');
    expect(limit(0, 20)).to.equal(20);
    expect(limit(5000, 20)).to.equal(1000);
    expect(bool(true, 'ack_release_notes')).to.equal(true);
  });

  it('refuses hostile values with a reason', () => {
    expect(refusal(() => name('hoss; rm -rf /', 'cluster'))).to.equal(
      'cluster "hoss; rm -rf /" is not a valid name (lower-case letters, digits, . _ -, at most 63)',
    );
    expect(refusal(() => rolloutId('../r-1'))).to.equal('id "../r-1" is not a rollout id (e.g. r-12)');
    expect(refusal(() => str('a\u0000b', 'reason'))).to.equal('reason "a\\x00b" holds control characters');
    expect(refusal(() => str('x'.repeat(201), 'target_version'))).to.equal('target_version is longer than 200 characters');
    expect(refusal(() => str(7, 'cluster'))).to.equal('cluster must be a string');
    expect(refusal(() => limit(-1, 20))).to.equal('limit must be a non-negative integer');
    expect(refusal(() => bool('yes', 'ack_release_notes'))).to.equal('ack_release_notes must be true or false');
  });
});
