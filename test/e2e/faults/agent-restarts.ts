/**
 * convoy-agent killed (SIGKILL) or stopped (SIGTERM, once or twice) in the middle of a step:
 * what the step left is cleaned up, the step is reported as it really ended, and it is re-run
 * only when it may be.
 */
import { expect } from 'chai';
import { waitFor } from '../../helpers/index.js';
import { host } from '../support.js';
import {
  countEvents,
  describeFinal,
  finalState,
  gatedInBuild,
  readJournal,
  repeatedSteps,
  runsOf,
  shutDownAndCheck,
  strayProcesses,
  waitFinished,
  hangInBuild,
  outcomes,
  type FaultSuite,
} from './support.js';

export function agentRestarts({ sandbox, declare }: FaultSuite): void {
  it('agent SIGKILLed during make build: the restarted agent kills the orphaned build, reports it interrupted, and the build is re-run', async () => {
    const row = declare({
      fault: 'agent killed (SIGKILL), restarted',
      phase: 'single host, make build running',
      expected: 'the orphaned make is killed at restart; build reported interrupted and re-run; rollout succeeds',
    });
    const { fleet, a, id } = await hangInBuild(sandbox.dir);
    await fleet.killAgent('hoss-a');
    const orphans = strayProcesses(fleet);
    a.server.setKnob('hang-build', false);
    fleet.startAgent('hoss-a');
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    const first = runsOf(host(r, 'hoss-a'), 'build')[0];
    row.observe(
      `make processes orphaned by the kill: ${orphans.length}`,
      `rollout ${r.state}`,
      `build runs: ${outcomes(r, 'hoss-a', 'build')} ("${first?.reason}")`,
      `make build started ${countEvents(a, 'build-start', '0.2.0')}x, finished ${countEvents(a, 'build', '0.2.0')}x`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(orphans.some((p) => p.includes('make'))).to.equal(true);
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('interrupted,succeeded');
    expect(first?.reason).to.match(/agent restarted while step build was running; process group \d+ killed/);
    expect(countEvents(a, 'build-start', '0.2.0')).to.equal(2);
    expect(countEvents(a, 'build', '0.2.0')).to.equal(1);
    expect(repeatedSteps(r)).to.deep.equal(['hoss-a build x2']);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('agent SIGKILLed during a step marked not re-runnable: the host fails as interrupted and the step never runs twice', async () => {
    const row = declare({
      fault: 'agent killed (SIGKILL), restarted; build has rerunnable: false',
      phase: 'single host, make build running',
      expected: 'build reported interrupted and not re-run; host and rollout failed naming the step',
    });
    const { fleet, a, id } = await hangInBuild(sandbox.dir, { agentOverrides: { steps: { build: { rerunnable: false } } } });
    await fleet.killAgent('hoss-a');
    a.server.setKnob('hang-build', false);
    fleet.startAgent('hoss-a');
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `rollout ${r.state} at ${r.failedHost}/${r.failedStep}: "${host(r, 'hoss-a').reason}"`,
      `build runs: ${outcomes(r, 'hoss-a', 'build')}; make build started ${countEvents(a, 'build-start', '0.2.0')}x`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(r.state).to.equal('failed');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-a', 'build']);
    expect(host(r, 'hoss-a').state).to.equal('failed');
    expect(host(r, 'hoss-a').reason).to.match(/^build: agent restarted while step build was running; process group \d+ killed$/);
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('interrupted');
    expect(countEvents(a, 'build-start', '0.2.0')).to.equal(1);
    expect(final['hoss-a']).to.deep.equal({ served: '0.1.0', head: '0.2.0', clean: true, backups: 1 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('SIGTERM to an agent mid-step: the step finishes within the grace, the agent exits 0 and the result goes out after restart', async () => {
    const row = declare({
      fault: 'agent SIGTERM, step ends within the grace period',
      phase: 'single host, build running',
      expected: 'agent waits for the build, keeps its result, exits 0; after restart the rollout continues; build runs once',
    });
    const { fleet, a, id, g } = await gatedInBuild(sandbox.dir);
    const agent = a.agent!;
    agent.signal('SIGTERM');
    await agent.waitForLine(/waiting up to .* for step build/, 30_000);
    g.open();
    const exit = await agent.waitForExit(60_000);
    const kept = readJournal(a).undelivered.find((x) => x.step === 'build');
    fleet.startAgent('hoss-a');
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `agent exit code ${exit.code}`,
      `journal after exit: build ${kept?.outcome ?? 'missing'}`,
      `rollout ${r.state}; build runs: ${outcomes(r, 'hoss-a', 'build')}, make build ran ${countEvents(a, 'build-start', '0.2.0')}x`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(exit.code).to.equal(0);
    expect(kept?.outcome).to.equal('SUCCEEDED');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('succeeded');
    expect(countEvents(a, 'build-start', '0.2.0')).to.equal(1);
    expect(repeatedSteps(r)).to.deep.equal([]);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('SIGTERM to an agent whose step outlives the grace: the step is checkpointed as interrupted, the agent exits 0, the step re-runs', async () => {
    const row = declare({
      fault: 'agent SIGTERM, step hangs past the grace period (1 s)',
      phase: 'single host, make build hanging',
      expected: 'build process group killed, recorded interrupted, agent exits 0; after restart build re-runs; rollout succeeds',
    });
    const { fleet, a, id } = await hangInBuild(sandbox.dir, { env: { CONVOY_AGENT_GRACE_MS: '1000' } });
    const agent = a.agent!;
    agent.signal('SIGTERM');
    const exit = await agent.waitForExit(60_000);
    const kept = readJournal(a).undelivered.find((x) => x.step === 'build');
    const left = strayProcesses(fleet);
    a.server.setKnob('hang-build', false);
    fleet.startAgent('hoss-a');
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `agent exit code ${exit.code}; processes left at exit: ${left.length}`,
      `journal after exit: build ${kept?.outcome ?? 'missing'}`,
      `rollout ${r.state}; build runs: ${outcomes(r, 'hoss-a', 'build')}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(exit.code).to.equal(0);
    expect(left).to.deep.equal([]);
    expect(kept?.outcome).to.equal('INTERRUPTED');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('interrupted,succeeded');
    expect(countEvents(a, 'build', '0.2.0')).to.equal(1);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('a second SIGTERM makes the agent exit at once, killing its step; the restarted agent reports the interruption', async () => {
    const row = declare({
      fault: 'agent SIGTERM twice',
      phase: 'single host, make build hanging',
      expected: 'exits at once (code 130) killing the build group; after restart: build interrupted, re-run; rollout succeeds',
    });
    const { fleet, a, id } = await hangInBuild(sandbox.dir);
    const agent = a.agent!;
    agent.signal('SIGTERM');
    await agent.waitForLine(/waiting up to .* for step build/, 30_000);
    agent.signal('SIGTERM');
    const exit = await agent.waitForExit(10_000);
    const left = await waitFor(async () => (strayProcesses(fleet).length === 0 ? 'none' : undefined), {
      what: 'the killed build to be gone',
      timeoutMs: 10_000,
    }).catch(() => strayProcesses(fleet).join(', '));
    a.server.setKnob('hang-build', false);
    fleet.startAgent('hoss-a');
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    const first = runsOf(host(r, 'hoss-a'), 'build')[0];
    row.observe(
      `agent exit code ${exit.code}; build processes left: ${left}`,
      `rollout ${r.state}; build runs: ${outcomes(r, 'hoss-a', 'build')} ("${first?.reason}")`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(exit.code).to.equal(130);
    expect(left).to.equal('none');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('interrupted,succeeded');
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });
}
