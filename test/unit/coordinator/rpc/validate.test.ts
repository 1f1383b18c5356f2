/**
 * What the loader really decodes is what the generated types and the schemas assume: absent
 * message fields are null (hence nullable(), not optional()), int64 is a number, absent scalars
 * and lists have their defaults, so a message from an agent older than a field still validates.
 */
import { expect } from 'chai';
import { agentMessageSchemas, parseWire } from '../../../../coordinator/rpc/validate.js';
import { loadServices } from '../../../../shared/proto.js';
import type { DecodedAgentMessage } from '../../../../shared/wire.js';

/** `msg` sent through the real AgentService codec, as convoyd's handler receives it. */
function roundTrip(msg: object): DecodedAgentMessage {
  const connect = loadServices().AgentService.service.Connect!;
  return connect.requestDeserialize(connect.requestSerialize(msg)) as DecodedAgentMessage;
}

describe('agent messages as decoded and validated (coordinator/rpc/validate.ts)', () => {
  it('decodes absent message fields as null, int64 as number and names the oneof member', () => {
    const msg = roundTrip({ result: { requestId: 'q1', step: 'build', outcome: 'SUCCEEDED', startedAtMs: 1_700_000_000_000 } });
    expect(msg.msg).to.equal('result');
    expect(msg.hello).to.equal(undefined);
    expect(msg.result).to.deep.include({ backup: null, releaseNotes: null, repo: null, health: null, outputTail: [], exitCode: 0 });
    expect(msg.result?.startedAtMs).to.equal(1_700_000_000_000);
  });

  it('accepts a minimal result, as an agent older than the optional fields sends it', () => {
    const msg = roundTrip({ result: { requestId: 'q1', step: 'build', outcome: 'SUCCEEDED' } });
    expect(parseWire(agentMessageSchemas.result, msg.result)).to.deep.include({ ok: true });
  });

  it("refuses proto3's zero outcome, which names no outcome", () => {
    const msg = roundTrip({ result: { requestId: 'q1', step: 'build' } });
    expect(msg.result?.outcome).to.equal('STEP_OUTCOME_UNSPECIFIED');
    const parsed = parseWire(agentMessageSchemas.result, msg.result);
    expect(parsed.ok).to.equal(false);
    expect(!parsed.ok && parsed.problem).to.match(/^outcome: /);
  });

  it('accepts a Hello without the fields later agents add (defaults fill them)', () => {
    const repo = { installedVersion: '0.1.0', commit: 'c0ffee1', clean: true };
    const health = { healthy: true, configured: true };
    const msg = roundTrip({ hello: { agentId: 'hoss-a', repo, health, plan: ['build'] } });
    expect(msg.hello).to.deep.include({
      backupCompatibility: '',
      rollbackPlan: [],
      backupSteps: [],
      profile: '',
      stepTimeoutsMs: {},
      inFlight: null,
    });
    expect(parseWire(agentMessageSchemas.hello, msg.hello)).to.deep.include({ ok: true });
  });

  it('refuses a Hello without its repository, and a repository report whose backups break the rules', () => {
    const noRepo = roundTrip({ hello: { agentId: 'hoss-a', health: { healthy: true } } });
    const refused = parseWire(agentMessageSchemas.hello, noRepo.hello);
    expect(!refused.ok && refused.problem).to.match(/^repo: /);
    const report = roundTrip({ repo: { repo: { commit: 'c0ffee1' }, backups: [{ id: 'b1', sha256: 'not-hex' }] } });
    const parsed = parseWire(agentMessageSchemas.repo, report.repo);
    expect(!parsed.ok && parsed.problem).to.match(/^backups\.0\.sha256: must be a sha256 hex digest/);
  });
});
