import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AccessPolicy, type PeerCall } from '../../../coordinator/rpc/access.js';
import { CONTROL_METHOD_ROLES, requiredRole } from '../../../coordinator/rpc/roles.js';
import { loadServices } from '../../../shared/proto.js';

/** A call whose client certificate names `uri` (CN equal to the name). */
function callFrom(uri?: string): PeerCall {
  const name = uri?.split(':').pop() ?? '';
  return {
    getPeer: () => '127.0.0.1:5555',
    getAuthContext: () => (uri ? { sslPeerCertificate: { subject: { CN: name }, subjectaltname: `URI:${uri}` } } : {}),
  };
}

const FILE = '/etc/convoy/coordinator.yaml';
const policy = (over: Partial<ConstructorParameters<typeof AccessPolicy>[0]> = {}): AccessPolicy =>
  new AccessPolicy({
    mtls: true,
    operators: [
      { name: 'alice', role: 'operator' },
      { name: 'vic', role: 'viewer' },
    ],
    denyAgents: ['hoss-old'],
    file: FILE,
    ...over,
  });

describe('access policy (coordinator/rpc/access.ts)', () => {
  it('lets a viewer read and an operator act, and names the verified caller', () => {
    const p = policy();
    expect(p.admitControl(callFrom('convoy:operator:vic'), 'listAgents')).to.deep.equal({ ok: true, name: 'vic', role: 'viewer' });
    expect(p.admitControl(callFrom('convoy:operator:alice'), 'startRollout')).to.deep.equal({ ok: true, name: 'alice', role: 'operator' });
  });

  const refused: [string, string | undefined, string, grpc.status, string][] = [
    [
      'a viewer starting a rollout',
      'convoy:operator:vic',
      'startRollout',
      grpc.status.PERMISSION_DENIED,
      `operator "vic" is a viewer; convoy rollout start needs the operator role (operators: in ${FILE})`,
    ],
    [
      'a viewer aborting',
      'convoy:operator:vic',
      'actOnRollout',
      grpc.status.PERMISSION_DENIED,
      `operator "vic" is a viewer; convoy rollout ack|pause|resume|abort|rollback needs the operator role (operators: in ${FILE})`,
    ],
    [
      'an operator not listed',
      'convoy:operator:mallory',
      'listAgents',
      grpc.status.PERMISSION_DENIED,
      `operator "mallory" is not listed under operators: in ${FILE}; add { name: mallory, role: viewer|operator } and reload convoyd (systemctl reload convoyd)`,
    ],
    [
      'an agent certificate on the CLI service',
      'convoy:agent:hoss-a',
      'listAgents',
      grpc.status.PERMISSION_DENIED,
      'agent certificate "hoss-a" cannot use the CLI service; use an operator certificate (convoy certs issue operator <name>)',
    ],
    ['no certificate', undefined, 'listAgents', grpc.status.UNAUTHENTICATED, 'no client certificate'],
  ];
  for (const [what, uri, method, status, reason] of refused) {
    it(`refuses ${what}`, () => {
      expect(policy().admitControl(callFrom(uri), method)).to.deep.equal({ ok: false, status, reason });
    });
  }

  it('admits agents by certificate only, and refuses operator certificates and revoked agents', () => {
    const p = policy();
    expect(p.admitAgent(callFrom('convoy:agent:hoss-a'))).to.deep.equal({ ok: true, name: 'hoss-a' });
    expect(p.admitAgent(callFrom('convoy:operator:alice'))).to.deep.equal({
      ok: false,
      status: grpc.status.PERMISSION_DENIED,
      reason:
        'operator certificate "alice" cannot open the agent stream; an agent needs its own certificate (convoy certs issue agent <id>)',
    });
    expect(p.admitAgent(callFrom('convoy:agent:hoss-old'))).to.deep.equal({
      ok: false,
      status: grpc.status.PERMISSION_DENIED,
      reason: `agent "hoss-old" is revoked (denyAgents in ${FILE})`,
    });
  });

  it('trusts every caller as an operator without mTLS (insecure: true, loopback only)', () => {
    const p = policy({ mtls: false });
    expect(p.admitControl(callFrom(), 'startRollout')).to.deep.equal({ ok: true, name: '', role: 'operator' });
    expect(p.admitAgent(callFrom())).to.deep.equal({ ok: true, name: '' });
  });

  it('applies a new deny list and operator list, and tells listeners only on publish', () => {
    const p = policy();
    let heard = 0;
    const stop = p.onChange(() => heard++);
    expect(p.update({ operators: [{ name: 'vic', role: 'operator' }], denyAgents: ['hoss-old', 'hoss-b'] })).to.deep.equal(['hoss-b']);
    expect(heard).to.equal(0);
    p.publish();
    expect(heard).to.equal(1);
    expect(p.isRevoked('hoss-b')).to.equal(true);
    expect(p.admitControl(callFrom('convoy:operator:vic'), 'startRollout').ok).to.equal(true);
    expect(p.admitControl(callFrom('convoy:operator:alice'), 'listAgents').ok).to.equal(false);
    stop();
    p.publish();
    expect(heard).to.equal(1);
  });
});

describe('ControlService roles (coordinator/rpc/roles.ts)', () => {
  it('lists every method of control.proto, and every method that changes something needs the operator role', () => {
    const methods = Object.values(loadServices().ControlService.service).map((m) => m.originalName as string);
    expect(Object.keys(CONTROL_METHOD_ROLES).sort()).to.deep.equal([...methods].sort());
    const writes = methods.filter((m) => requiredRole(m) === 'operator').sort();
    expect(writes).to.deep.equal(['actOnRollout', 'runSchedule', 'saveSnapshot', 'setScheduleEnabled', 'startRollout']);
  });

  it('needs the operator role for a method it does not know', () => {
    expect(requiredRole('dropDatabase')).to.equal('operator');
  });
});
