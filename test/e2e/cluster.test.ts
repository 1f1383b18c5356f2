/**
 * Issue 3: linked-cluster rollouts. The order is checked from the sample services' own
 * start/stop/backup logs, not from what Convoy says it did.
 */
import { expect } from 'chai';
import { createFleet, startCli, useSandbox, type Fleet, type FleetServerSpec } from '../helpers/index.js';
import {
  commandOf,
  downIntervals,
  latestRolloutId,
  eventTimes,
  host,
  maxOverlap,
  start,
  status,
  waitBuilding,
  waitRollout,
  TERMINAL,
} from './support.js';

const FOUR: FleetServerSpec[] = [
  { name: 'hoss-auth', role: 'auth' },
  { name: 'hoss-a', role: 'member' },
  { name: 'hoss-b', role: 'member' },
  { name: 'hoss-c', role: 'member' },
];

async function served(fleet: Fleet): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const h of fleet.hosts) out[h.name] = await h.server.servedVersion();
  return out;
}

describe('e2e: linked-cluster rollouts', function () {
  this.timeout(120_000);
  const sandbox = useSandbox();

  it('backs up all, updates the auth server first, then one member at a time', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const res = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0', '--watch'], { timeoutMs: 90_000 });
    expect(res.code, res.stderr).to.equal(0);
    expect(await served(fleet)).to.deep.equal({ 'hoss-auth': '0.2.0', 'hoss-a': '0.2.0', 'hoss-b': '0.2.0' });

    const auth = fleet.host('hoss-auth').server.readEvents();
    const members = fleet.members.map((m) => m.server.readEvents());
    const lastBackupEnd = Math.max(...fleet.hosts.map((h) => eventTimes(h.server.readEvents(), 'backup-end', '0.1.0')[0] ?? Infinity));
    const authStop = eventTimes(auth, 'stop', '0.1.0')[0]!;
    const authHealthyNew = eventTimes(auth, 'healthy', '0.2.0')[0]!;
    const firstMemberStop = Math.min(...members.map((ev) => eventTimes(ev, 'stop', '0.1.0')[0]!));
    expect(lastBackupEnd, 'every pre-update backup finished before the auth service stopped').to.be.below(authStop);
    expect(authHealthyNew, 'auth healthy at 0.2.0 before any member stopped').to.be.below(firstMemberStop);
    expect(maxOverlap(members.map((ev) => downIntervals(ev).filter(([a]) => a >= authStop)).flat()), 'members down at once').to.equal(1);

    const r = await status(fleet, await latestRolloutId(fleet));
    expect(r.hosts.map((h) => [h.agentId, h.role, h.state])).to.deep.equal([
      ['hoss-auth', 'auth', 'updated'],
      ['hoss-a', 'member', 'updated'],
      ['hoss-b', 'member', 'updated'],
    ]);
  });

  it('updates two members concurrently with maxParallel 2, and never more', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: FOUR,
      cluster: { maxParallel: 2 },
      agentOverrides: { steps: { build: { command: 'make build', timeout: '1m' } } },
    });
    for (const m of fleet.members) m.server.setKnob('slow-build-ms', '1200');
    const res = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0', '--watch'], { timeoutMs: 90_000 });
    expect(res.code, res.stderr).to.equal(0);
    const authStop = eventTimes(fleet.host('hoss-auth').server.readEvents(), 'stop', '0.1.0')[0]!;
    const builds = fleet.members.map((m) => {
      const ev = m.server.readEvents();
      return [eventTimes(ev, 'build-start', '0.2.0')[0]!, eventTimes(ev, 'healthy', '0.2.0')[0]!] as [number, number];
    });
    expect(maxOverlap(builds), 'members updating at once').to.equal(2);
    expect(maxOverlap(fleet.members.map((m) => downIntervals(m.server.readEvents()).filter(([a]) => a >= authStop)).flat())).to.be.at.most(
      2,
    );
    expect(await served(fleet)).to.deep.equal({ 'hoss-auth': '0.2.0', 'hoss-a': '0.2.0', 'hoss-b': '0.2.0', 'hoss-c': '0.2.0' });
  });

  it('fails in the auth phase when the auth server never turns healthy, touching no member', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, cluster: { healthDeadline: '3s' } });
    const auth = fleet.host('hoss-auth').server;
    auth.setKnob('slow-build-ms', '2000');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await waitBuilding(fleet, id, 'hoss-auth');
    auth.setKnob('never-healthy');
    const r = await waitRollout(fleet, id, 'to finish', (x) => TERMINAL.includes(x.state), 60_000);
    expect(r.state).to.equal('failed');
    expect(r.phase).to.equal('done');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-auth', 'health']);
    for (const m of fleet.members) {
      expect(host(r, m.name).state).to.equal('backed-up');
      expect(host(r, m.name).steps.map((s) => s.step)).to.deep.equal(['backup']);
      expect(m.server.headTag()).to.equal('0.1.0');
      expect(eventTimes(m.server.readEvents(), 'stop')).to.deep.equal([]);
    }
    auth.setKnob('never-healthy', false);
    expect(await fleet.host('hoss-a').server.servedVersion()).to.equal('0.1.0');
    expect(await fleet.host('hoss-b').server.servedVersion()).to.equal('0.1.0');
  });

  it('halts at a member whose build fails; members after it keep the old version', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    fleet.host('hoss-a').server.setKnob('fail-build');
    const res = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0', '--watch'], { timeoutMs: 90_000 });
    expect(res.code).to.equal(1);
    const id = await latestRolloutId(fleet);
    const r = await status(fleet, id);
    expect(r.state).to.equal('failed');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-a', 'build']);
    expect(host(r, 'hoss-b').state).to.equal('backed-up');
    expect(await served(fleet)).to.deep.equal({ 'hoss-auth': '0.2.0', 'hoss-a': '0.1.0', 'hoss-b': '0.1.0' });
    expect(fleet.host('hoss-b').server.headTag()).to.equal('0.1.0');
  });

  it('waits in awaiting-ack for required release notes and touches nothing until acknowledged', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const plan = await fleet.cli(['plan', 'hoss', '--to', '0.3.0', '--json']);
    expect(plan.code, plan.stderr).to.equal(0);
    expect((plan.json as { requiresAction: boolean }).requiresAction).to.equal(true);

    const id = await start(fleet, ['hoss', '--to', '0.3.0']);
    const waiting = await waitRollout(fleet, id, 'awaiting-ack', (r) => r.state === 'awaiting-ack' || TERMINAL.includes(r.state));
    expect(waiting.state).to.equal('awaiting-ack');
    expect(waiting.ackRequired).to.equal(true);
    expect(waiting.reason).to.contain(`convoy rollout ack ${id}`);
    for (const h of fleet.hosts)
      expect(
        h.server.readEvents().filter((e) => e.kind === 'backup-start'),
        h.name,
      ).to.deep.equal([]);

    const ack = await fleet.cli(['rollout', 'ack', id]);
    expect(ack.code, ack.stderr).to.equal(0);
    const done = await waitRollout(fleet, id, 'to finish', (r) => TERMINAL.includes(r.state), 90_000);
    expect(done.state).to.equal('succeeded');
    expect(done.ackedBy).to.not.equal('');
    expect(await served(fleet)).to.deep.equal({ 'hoss-auth': '0.3.0', 'hoss-a': '0.3.0', 'hoss-b': '0.3.0' });
    const events = await fleet.cli(['events', '--rollout', id, '--limit', '1000', '--json']);
    expect(JSON.stringify(events.json)).to.match(/ack requested by/);
  });

  it('pauses at the next safe point: the member in flight finishes its update and health gate, the next waits for resume', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    fleet.host('hoss-a').server.setKnob('slow-build-ms', '1500');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await waitBuilding(fleet, id, 'hoss-a');
    const pause = await fleet.cli(['rollout', 'pause', id]);
    expect(pause.code, pause.stderr).to.equal(0);
    expect(pause.stdout).to.include('hoss-a finishes the update and health gate first');
    const paused = await waitRollout(
      fleet,
      id,
      'hoss-a updated while paused',
      (r) => r.state === 'paused' && host(r, 'hoss-a').state === 'updated',
      60_000,
    );
    // hoss-a was not left checked out but not started: it ran to the end of its update
    expect(
      host(paused, 'hoss-a')
        .steps.map((s) => s.step)
        .slice(-3),
    ).to.deep.equal(['up', 'health', 'backup-after']);
    expect(await fleet.host('hoss-a').server.servedVersion()).to.equal('0.2.0');
    expect(host(paused, 'hoss-b').state).to.equal('backed-up');
    const resume = await fleet.cli(['rollout', 'resume', id]);
    expect(resume.code, resume.stderr).to.equal(0);
    const done = await waitRollout(fleet, id, 'to finish', (r) => TERMINAL.includes(r.state), 90_000);
    expect(done.state).to.equal('succeeded');
    expect(host(done, 'hoss-a').steps.filter((s) => s.step === 'build')).to.have.length(1);
    expect(await served(fleet)).to.deep.equal({ 'hoss-auth': '0.2.0', 'hoss-a': '0.2.0', 'hoss-b': '0.2.0' });
  });

  it('aborts during a long step: its process group is killed and the rollout is aborted', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const a = fleet.host('hoss-a').server;
    a.setKnob('hang-build');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await waitBuilding(fleet, id, 'hoss-a', 60_000);
    const abort = await fleet.cli(['rollout', 'abort', id]);
    expect(abort.code, abort.stderr).to.equal(0);
    const r = await waitRollout(
      fleet,
      id,
      'build cancelled',
      (x) => host(x, 'hoss-a').steps.find((s) => s.step === 'build')?.outcome === 'cancelled',
    );
    expect(r.state).to.equal('aborted');
    expect(r.reason).to.match(/^aborted by /);
    const left = a
      .processes()
      .map(commandOf)
      .filter((c) => /sleep|make/.test(c));
    expect(left).to.deep.equal([]);
    expect(host(r, 'hoss-b').state).to.equal('backed-up');
    const events = await fleet.cli(['events', '--rollout', id, '--limit', '1000', '--json']);
    expect(JSON.stringify(events.json)).to.match(/abort requested by/);
  });

  it('refuses a second rollout on the same cluster while the first runs, naming it', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    fleet.host('hoss-auth').server.setKnob('slow-build-ms', '1500');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    const watch = startCli(['rollout', 'watch', id], { coordinator: fleet.coordinatorAddress });
    const second = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0']);
    expect(second.code).to.equal(2);
    expect(second.stderr).to.contain(id);
    const single = await fleet.cli(['rollout', 'start', '--host', 'hoss-b', '--to', '0.2.0']);
    expect(single.code).to.equal(2);
    expect(single.stderr).to.contain(id);
    expect((await watch.waitForExit(90_000)).code).to.equal(0);
    expect(watch.output()).to.match(/hoss-auth/);
  });
});
