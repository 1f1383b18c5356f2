/** Connections: a cut connection, an agent that never comes back, and a second agent with the same id. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, programPath, repoRoot, startProcess, waitFor } from '../../helpers/index.js';
import { host, start, status } from '../support.js';
import {
  countEvents,
  describeFinal,
  finalState,
  gate,
  readJournal,
  shutDownAndCheck,
  strayProcesses,
  waitFinished,
  waitJournalled,
  ONE,
  hangInBuild,
  outcomes,
  type FaultSuite,
} from './support.js';
import { startCuttableProxy } from './tcp-proxy.js';

export function connectionFaults({ sandbox, declare }: FaultSuite): void {
  it('the connection is cut during a step: the agent journals the result and delivers it once reconnected', async () => {
    const row = declare({
      fault: 'connection cut by a TCP proxy (reset, then refused) until after the step ended',
      phase: 'single host, build running',
      expected: 'convoyd marks the agent disconnected, keeps the step running; the result arrives on reconnect; build runs once',
    });
    const g = gate(sandbox.dir, 'build');
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', startAgent: false, agent: { steps: { build: { command: g.wrap('make build') } } } }],
      cluster: false,
    });
    const proxy = await startCuttableProxy(fleet.coordinatorAddress);
    fleet.updateAgentConfig('hoss-a', { coordinator: { address: proxy.address } });
    fleet.startAgent('hoss-a');
    await fleet.waitAgentsConnected(['hoss-a']);
    const a = fleet.host('hoss-a');
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    await g.reached();
    proxy.cut();
    await waitFor(async () => (await fleet.agents()).some((x) => x.id === 'hoss-a' && !x.connected), {
      what: 'convoyd to see hoss-a disconnected',
      timeoutMs: 30_000,
    });
    g.open();
    const kept = await waitJournalled(a, 'build');
    const during = await status(fleet, id);
    proxy.heal();
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `while cut: convoyd shows build ${outcomes(during, 'hoss-a', 'build')}, the journal holds build ${kept.outcome}`,
      `rollout ${r.state}`,
      `build runs: ${outcomes(r, 'hoss-a', 'build')}`,
      `make build ran ${countEvents(a, 'build-start', '0.2.0')}x`,
      `agent sessions opened: ${a.agent!.lines.filter((l) => /connected to coordinator/.test(l)).length}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(outcomes(during, 'hoss-a', 'build')).to.equal('running');
    expect(kept.outcome).to.equal('SUCCEEDED');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('succeeded');
    expect(countEvents(a, 'build-start', '0.2.0')).to.equal(1);
    expect(a.agent!.lines.filter((l) => /connected to coordinator/.test(l))).to.have.length(2);
    expect(readJournal(a).undelivered).to.deep.equal([]);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('an agent that never comes back: the host fails with "agent disconnected during step build" after the step timeout plus grace; started again later, the half-updated host is finished', async () => {
    const row = declare({
      fault: 'agent killed (SIGKILL), not restarted (build timeout 6s, stepGrace 2s)',
      phase: 'single host, make build running',
      expected:
        'after timeout + grace: build disconnected, host and rollout failed naming the step; a late restart changes nothing; a new rollout updates the half-updated host (not skipped)',
    });
    const { fleet, a, id } = await hangInBuild(sandbox.dir, {
      agentOverrides: { steps: { build: { timeout: '6s' } } },
      coordinatorOverrides: { stepGrace: '2s', heartbeatTimeout: '2s' },
    });
    await fleet.killAgent('hoss-a');
    const r = await waitFinished(fleet, id, 60_000);
    const build = host(r, 'hoss-a').steps.find((s) => s.step === 'build');
    const waitedMs = build ? build.finishedAtMs - build.startedAtMs : 0;
    const text = await fleet.cli(['rollout', 'status', id]);
    const recovery = await fleet.startAgent('hoss-a').waitForLine(/agent restarted while step build was running/, 30_000);
    await fleet.waitAgentsConnected(['hoss-a']);
    await waitFor(() => readJournal(a).undelivered.length === 0, { what: 'convoyd to acknowledge the late result', timeoutMs: 30_000 });
    const after = await status(fleet, id);
    const halfway = await finalState(fleet);
    // the operator's recovery once the host is back and its build fixed: start the rollout again
    a.server.setKnob('hang-build', false);
    const again = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const retried = await waitFinished(fleet, again);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `rollout ${r.state} at ${r.failedHost}/${r.failedStep}: "${host(r, 'hoss-a').reason}"`,
      `build ${build?.outcome} after ${(waitedMs / 1000).toFixed(1)} s`,
      `status text shows "disconnected": ${/disconnected/.test(text.stdout)} (exit ${text.code})`,
      `a late restart kills the orphaned build (${/process group \d+ killed/.test(recovery)}); build stays ${outcomes(after, 'hoss-a', 'build')}, rollout ${after.state}`,
      `left half-way: ${describeFinal(halfway)}`,
      `rollout started again: ${retried.state}, hoss-a ${host(retried, 'hoss-a').state}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(r.state).to.equal('failed');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-a', 'build']);
    expect(host(r, 'hoss-a').state).to.equal('failed');
    expect(host(r, 'hoss-a').reason).to.equal('build: agent disconnected during step build');
    expect(build?.outcome).to.equal('disconnected');
    expect(waitedMs).to.be.at.least(8_000);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(/build\s+disconnected\s+-\s+\S+\s+agent disconnected during step build/);
    expect(recovery).to.match(/process group \d+ killed/);
    expect(outcomes(after, 'hoss-a', 'build')).to.equal('disconnected');
    expect(after.state).to.equal('failed');
    expect(halfway['hoss-a']).to.deep.equal({ served: '0.1.0', head: '0.2.0', clean: true, backups: 1 });
    expect(retried.state, retried.reason).to.equal('succeeded');
    expect(host(retried, 'hoss-a').state).to.equal('updated');
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 3 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('a second agent with the id of a connected one is refused, and takes over only once the first is gone', async () => {
    const row = declare({
      fault: 'a second convoy-agent started with the id of a connected agent',
      phase: 'no rollout',
      expected: 'refused with ALREADY_EXISTS while the first is connected; connects only after the first is gone; never both',
    });
    const fleet = await createFleet({ dir: sandbox.dir, servers: ONE, cluster: false });
    const a = fleet.host('hoss-a');
    const twinDir = path.join(sandbox.dir, 'twin');
    fs.mkdirSync(twinDir, { recursive: true });
    const twinConfig = path.join(twinDir, 'agent.yaml');
    fs.writeFileSync(twinConfig, fs.readFileSync(a.agentConfigFile, 'utf8').replace(a.stateDir, path.join(twinDir, 'state')));
    const twin = startProcess('convoy-agent twin of hoss-a', process.execPath, [programPath('convoy-agent'), '--config', twinConfig], {
      cwd: repoRoot(),
      env: { NO_COLOR: '1' },
    });
    const refusal = await twin.waitForLine(/refused agent hoss-a: ALREADY_EXISTS/, 30_000);
    const listing = (await fleet.agents()).filter((x) => x.id === 'hoss-a');
    const firstStillUp = !a.agent!.hasExited();
    await fleet.killAgent('hoss-a');
    const from = twin.lines.length;
    const twinConnectedEarly = twin.lines.some((l) => /connected to coordinator/.test(l));
    await twin.waitForLine(/connected to coordinator/, 30_000, { from });
    const after = (await fleet.agents()).filter((x) => x.id === 'hoss-a');
    row.observe(
      `twin refused: ${/already connected/.test(refusal)}; listing while both ran: ${listing.length} hoss-a, connected ${listing[0]?.connected}`,
      `first agent unaffected: ${firstStillUp}; twin connected while the first was up: ${twinConnectedEarly}`,
      `after the first was killed the twin connected: listing ${after.length} hoss-a, connected ${after[0]?.connected}`,
    );
    const twinExit = await twin.stop(20_000);
    const down = await shutDownAndCheck(fleet, row);

    expect(refusal).to.contain('already connected');
    expect(listing).to.have.length(1);
    expect(listing[0]?.connected).to.equal(true);
    expect(firstStillUp).to.equal(true);
    expect(twinConnectedEarly).to.equal(false);
    expect(after.map((x) => x.connected)).to.deep.equal([true]);
    expect(twinExit).to.equal(0);
    expect(down).to.deep.equal([]);
  });
}
