/**
 * A revoked operator's open streams: removing it from operators: and sending SIGHUP closes its
 * `rollout watch` and `rollout logs --follow` within a second, with the reason, while the
 * rollout and every other operator's streams go on.
 */
import path from 'node:path';
import { expect } from 'chai';
import { issueCertificate } from '../../../shared/certs.js';
import { countEvents } from '../faults/support.js';
import { createFleet, startCli, waitFor, writeYaml, type Sandbox } from '../../helpers/index.js';
import { cliTlsEnv, TEST_OPERATOR } from '../../helpers/tls.js';
import { start, status } from '../support.js';
import { logged } from './support.js';

export function streamLimits(sandbox: Sandbox): void {
  it("closes a revoked operator's watch and logs --follow within a second of SIGHUP, with the reason; others keep theirs", async () => {
    const operators = [
      { name: TEST_OPERATOR, role: 'operator' },
      { name: 'rita', role: 'viewer' },
    ];
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member' }],
      cluster: false,
      coordinatorOverrides: { operators },
    });
    const tls = fleet.tls!;
    const rita = await issueCertificate({ caDir: tls.caDir, outDir: path.join(sandbox.dir, 'rita'), kind: 'operator', names: ['rita'] });
    const a = fleet.host('hoss-a');
    a.server.setKnob('hang-build');
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    await waitFor(() => countEvents(a, 'build-start', '0.2.0') === 1, { what: 'make build to start', timeoutMs: 60_000 });

    const asRita = { coordinator: fleet.coordinatorAddress, env: cliTlsEnv(tls.ca, rita) };
    const watch = startCli(['rollout', 'watch', id], asRita);
    const follow = startCli(['rollout', 'logs', id, '--follow'], asRita);
    const ownWatch = startCli(['rollout', 'watch', id], { coordinator: fleet.coordinatorAddress });
    await watch.waitForLine(/\S/, 30_000);
    await follow.waitForLine(/build: hanging/, 30_000);
    await ownWatch.waitForLine(/\S/, 30_000);

    const convoyd = fleet.coordinator!;
    const from = convoyd.lines.length;
    writeYaml(fleet.coordinatorConfigFile, { ...fleet.coordinatorConfig, operators: [operators[0]] });
    const sentAt = Date.now();
    convoyd.signal('SIGHUP');
    const [watchExit, followExit] = await Promise.all([watch.waitForExit(10_000), follow.waitForExit(10_000)]);
    const tookMs = Date.now() - sentAt;

    console.log(`      both streams closed ${tookMs} ms after SIGHUP`);
    expect(tookMs, 'both streams closed within a second of SIGHUP').to.be.below(1000);
    for (const [cli, exit] of [
      [watch, watchExit],
      [follow, followExit],
    ] as const) {
      expect(exit.code, cli.stderr()).to.equal(2);
      expect(cli.stderr()).to.contain('access withdrawn: operator "rita" is not listed under operators: in');
    }
    expect((await logged(convoyd, /^closing the watchRollout stream of/, from)).reason).to.match(/^operator "rita" is not listed/);
    await logged(convoyd, /^closing the rolloutLogs stream of/, from);
    expect(ownWatch.hasExited(), "the remaining operator's watch goes on").to.equal(false);
    expect((await status(fleet, id)).state, 'the rollout goes on').to.equal('running');
    const again = await fleet.cli(['rollout', 'status', id], { env: asRita.env });
    expect(again.code).to.equal(2);
  });
}
