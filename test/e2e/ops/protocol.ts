/**
 * Versions in the Hello: a client speaking an agent protocol convoyd does not accept is
 * refused with PROTOCOL_MISMATCH and both releases and protocols named; real agents connect,
 * and `convoy agents` shows each one's release.
 */
import { expect } from 'chai';
import { convoyPackage } from '../../../shared/package.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol.js';
import type { Hello } from '../../../shared/wire.js';
import { createFleet, type Sandbox } from '../../helpers/index.js';
import { FakeAgent } from '../limits/fake-agent.js';
import { logged } from '../limits/support.js';

const ONE = [{ name: 'hoss-a', role: 'member' as const }];

export function protocolChecks(sandbox: Sandbox): void {
  it('refuses an agent of a newer protocol with both versions named; convoy agents shows every agent release', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, servers: ONE, cluster: false });
    const version = convoyPackage().version;
    const table = await fleet.cli(['agents']);
    expect(table.stdout.split('\n')[0]).to.match(/\bLAST SEEN\s+AGENT$/);
    expect(table.stdout.split('\n').find((l) => l.startsWith('hoss-a'))).to.match(new RegExp(`\\s${version.replace(/\./g, '\\.')}$`));
    const listed = (await fleet.agents()).find((a) => a.id === 'hoss-a');
    expect([listed?.agentVersion, listed?.protocolVersion]).to.deep.equal([version, PROTOCOL_VERSION]);

    const a = (await fleet.agents()).find((x) => x.id === 'hoss-a') as unknown as Hello;
    await fleet.stopAgent('hoss-a');
    const hello: Hello = {
      agentId: 'hoss-a',
      labels: {},
      serverDir: a.serverDir,
      agentVersion: '9.0.0',
      repo: a.repo,
      health: a.health,
      plan: a.plan,
      rerunnableSteps: [],
      backups: [],
      undelivered: [],
      inFlight: null,
      hostname: 'future-host',
      hasRestore: false,
      stepTimeoutsMs: {},
      backupCompatibility: '',
      rollbackPlan: [],
      backupSteps: [],
      profile: '',
      protocolVersion: PROTOCOL_VERSION + 1,
      backupKeepPerMinor: 3,
    };
    const from = fleet.coordinator!.lines.length;
    const future = new FakeAgent(fleet.coordinatorAddress, { ca: fleet.tls!.ca, ...fleet.tls!.agents['hoss-a']! }, hello);
    try {
      const expected = `agent hoss-a (convoy-agent 9.0.0) speaks protocol ${PROTOCOL_VERSION + 1}; convoyd ${version} speaks protocol ${PROTOCOL_VERSION} and accepts agents of protocol ${PROTOCOL_VERSION}: upgrade convoyd first, then the agents (docs/upgrading.md)`;
      const refusal = await future.waitFor((m) => Boolean(m.refusal), 'a refusal');
      expect(refusal.refusal).to.deep.equal({ code: 'PROTOCOL_MISMATCH', message: expected });
      const ended = await future.ended;
      expect([ended.code, ended.details]).to.deep.equal([9 /* FAILED_PRECONDITION */, expected]);
      expect((await logged(fleet.coordinator, /^agent connection refused: agent hoss-a \(convoy-agent 9\.0\.0\)/, from)).level).to.equal(
        'warn',
      );
      expect(future.received.some((m) => m.welcome)).to.equal(false);
      expect((await fleet.agents()).find((x) => x.id === 'hoss-a')?.connected).to.equal(false);
    } finally {
      future.close();
    }
  });
}
