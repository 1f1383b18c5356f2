/**
 * convoyd killed (SIGKILL) or stopped (SIGTERM) in each phase of a rollout, or kept down past
 * a step's deadline: the restarted convoyd reloads the rollout, reconciles what the agents
 * report and finishes it, running every step once.
 */
import { expect } from 'chai';
import { createFleet, waitFor, type FleetServerSpec } from '../../helpers/index.js';
import { start } from '../support.js';
import {
  countEvents,
  describeFinal,
  finalState,
  gate,
  gatedInBuild,
  readJournal,
  readJournalStart,
  repeatedSteps,
  rolloutEvents,
  shutDownAndCheck,
  strayProcesses,
  waitFinished,
  waitJournalled,
  EVERY,
  outcomes,
  type FaultSuite,
} from './support.js';

export function coordinatorRestarts({ sandbox, declare }: FaultSuite): void {
  it('convoyd SIGKILLed during backup-all with every backup running: the agents report them in flight, none runs twice', async () => {
    const row = declare({
      fault: 'convoyd killed (SIGKILL), restarted',
      phase: 'backup-all, the 3 backups running',
      expected: 'rollout reloaded; agents report the backups in flight, none is sent again; each runs once; rollout succeeds',
    });
    const g = gate(sandbox.dir, 'backup');
    const fleet = await createFleet({ dir: sandbox.dir, agentOverrides: { steps: { backup: { command: g.wrap('./backup.sh') } } } });
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await g.reached(3);
    await fleet.killCoordinator();
    await fleet.startCoordinator();
    await fleet.waitAgentsConnected(EVERY);
    g.open();
    const r = await waitFinished(fleet, id);
    const events = await rolloutEvents(fleet, id);
    const final = await finalState(fleet);
    const backups = fleet.hosts.map((h) => countEvents(h, 'backup-start', '0.1.0'));
    const reloaded = events.some((e) => e.message.includes('rollout reloaded in running/backup-all'));
    const strays = strayProcesses(fleet);
    row.observe(
      `rollout ${r.state}`,
      `reloaded in backup-all: ${reloaded}`,
      `pre-update backups run per host: ${backups.join('/')}`,
      `steps run twice: ${repeatedSteps(r).join(', ') || 'none'}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(r.state, r.reason).to.equal('succeeded');
    expect(reloaded).to.equal(true);
    expect(backups).to.deep.equal([1, 1, 1]);
    expect(repeatedSteps(r)).to.deep.equal([]);
    for (const name of EVERY) expect(final[name]).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('convoyd SIGKILLed during the auth phase: the auth build finishes meanwhile and its journalled result is applied on reconnect', async () => {
    const row = declare({
      fault: 'convoyd killed (SIGKILL), restarted after the step ended',
      phase: 'auth, build running on the auth server',
      expected: 'the agent keeps the build result in its journal and delivers it on reconnect; build not re-run; rollout succeeds',
    });
    const g = gate(sandbox.dir, 'auth-build');
    const servers: FleetServerSpec[] = [
      { name: 'hoss-auth', role: 'auth', agent: { steps: { build: { command: g.wrap('make build') } } } },
      { name: 'hoss-a', role: 'member' },
      { name: 'hoss-b', role: 'member' },
    ];
    const fleet = await createFleet({ dir: sandbox.dir, servers });
    const auth = fleet.host('hoss-auth');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await g.reached();
    await fleet.killCoordinator();
    g.open();
    const kept = await waitJournalled(auth, 'build');
    await fleet.startCoordinator();
    const r = await waitFinished(fleet, id);
    const events = await rolloutEvents(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `result journalled while convoyd was down: build ${kept.outcome}`,
      `rollout ${r.state}`,
      `auth build runs: ${outcomes(r, 'hoss-auth', 'build')}`,
      `builds at 0.2.0 per host: ${fleet.hosts.map((h) => countEvents(h, 'build-start', '0.2.0')).join('/')}`,
      `steps run twice: ${repeatedSteps(r).join(', ') || 'none'}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(kept.outcome).to.equal('SUCCEEDED');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(events.some((e) => e.message.includes('rollout reloaded in running/auth'))).to.equal(true);
    expect(outcomes(r, 'hoss-auth', 'build')).to.equal('succeeded');
    expect(fleet.hosts.map((h) => countEvents(h, 'build-start', '0.2.0'))).to.deep.equal([1, 1, 1]);
    expect(repeatedSteps(r)).to.deep.equal([]);
    expect(readJournal(auth).undelivered).to.deep.equal([]);
    for (const name of EVERY) expect(final[name]).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('convoyd SIGKILLed during the members phase while the member agent is SIGKILLed too: the interrupted build is re-run', async () => {
    const row = declare({
      fault: 'convoyd and the member agent both killed (SIGKILL); agent restarted first',
      phase: 'members, build running on hoss-a',
      expected: 'restarted agent kills the build it left and reports it interrupted; convoyd re-runs it once; rollout succeeds',
    });
    const g = gate(sandbox.dir, 'a-build');
    const servers: FleetServerSpec[] = [
      { name: 'hoss-auth', role: 'auth' },
      { name: 'hoss-a', role: 'member', agent: { steps: { build: { command: g.wrap('make build') } } } },
      { name: 'hoss-b', role: 'member' },
    ];
    const fleet = await createFleet({ dir: sandbox.dir, servers });
    const a = fleet.host('hoss-a');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await g.reached();
    await fleet.killCoordinator();
    await fleet.killAgent('hoss-a');
    const orphaned = strayProcesses(fleet).length;
    fleet.startAgent('hoss-a');
    const interrupted = await waitJournalled(a, 'build');
    const afterRecovery = strayProcesses(fleet);
    g.open();
    await fleet.startCoordinator();
    const r = await waitFinished(fleet, id);
    const events = await rolloutEvents(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `build processes orphaned by the kill: ${orphaned}, left after the agent restarted: ${afterRecovery.length}`,
      `journalled: build ${interrupted.outcome}`,
      `rollout ${r.state}`,
      `hoss-a build runs: ${outcomes(r, 'hoss-a', 'build')}`,
      `other steps run twice: ${
        repeatedSteps(r)
          .filter((s) => s !== 'hoss-a build x2')
          .join(', ') || 'none'
      }`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(orphaned).to.be.above(0);
    expect(afterRecovery).to.deep.equal([]);
    expect(interrupted.outcome).to.equal('INTERRUPTED');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('interrupted,succeeded');
    expect(events.some((e) => e.message === 'build on hoss-a was interrupted and will be re-run')).to.equal(true);
    expect(repeatedSteps(r)).to.deep.equal(['hoss-a build x2']);
    expect(countEvents(a, 'build', '0.2.0')).to.equal(1);
    for (const name of EVERY) expect(final[name]).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('convoyd down for longer than the timeout of the step in flight: the agent reconnects in time and its result counts', async () => {
    const row = declare({
      fault: 'convoyd killed (SIGKILL) and kept down past the step timeout + stepGrace (build timeout 6s, stepGrace 3s)',
      phase: 'single host, build running (it ends within its timeout)',
      expected: 'after the restart the agent gets stepGrace to reconnect; its journalled result is applied; rollout succeeds',
    });
    const { fleet, a, id, g } = await gatedInBuild(sandbox.dir, { build: { timeout: '6s' }, coordinatorOverrides: { stepGrace: '3s' } });
    await fleet.killCoordinator();
    g.open();
    const kept = await waitJournalled(a, 'build');
    const buildStarted = readJournalStart(a, 'build');
    // the outage itself: convoyd stays down until the step's own deadline (timeout + grace) has passed
    await waitFor(() => Date.now() > buildStarted + 6_000 + 3_000 + 1_000, { what: 'the step deadline to pass', timeoutMs: 30_000 });
    await fleet.startCoordinator();
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `journalled while down: build ${kept.outcome}`,
      `convoyd restarted ${((Date.now() - buildStarted) / 1000).toFixed(0)} s after the build started`,
      `rollout ${r.state}; build runs: ${outcomes(r, 'hoss-a', 'build')}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(kept.outcome).to.equal('SUCCEEDED');
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('succeeded');
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('SIGTERM to convoyd mid-step: it exits 0 at once, the agent keeps the result, and the restarted convoyd continues', async () => {
    const row = declare({
      fault: 'convoyd SIGTERM, restarted after the step ended',
      phase: 'single host, build running',
      expected: 'convoyd exits 0; the agent journals the result and delivers it to the new convoyd; build runs once; rollout succeeds',
    });
    const { fleet, a, id, g } = await gatedInBuild(sandbox.dir);
    const code = await fleet.stopCoordinator(20_000);
    g.open();
    const kept = await waitJournalled(a, 'build');
    await fleet.startCoordinator();
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `convoyd exit code ${code}`,
      `journalled meanwhile: build ${kept.outcome}`,
      `rollout ${r.state}; build runs: ${outcomes(r, 'hoss-a', 'build')}, make build ran ${countEvents(a, 'build-start', '0.2.0')}x`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(code).to.equal(0);
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('succeeded');
    expect(countEvents(a, 'build-start', '0.2.0')).to.equal(1);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });
}
