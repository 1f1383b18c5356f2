/**
 * A coordinator restarted inside or after a maintenance window, and enable/disable surviving a
 * restart: the real controller, engine and SQLite store on a fake clock.
 */
import { expect } from 'chai';
import { nextWindows, windowSpec, type MaintenanceWindow } from '../../../coordinator/schedule/windows.js';
import { schedule, World, type FakeHost } from './harness.js';

const SATURDAY = Date.UTC(2026, 10, 28, 12);
const WEEKLY = schedule();
const [FIRST, SECOND] = nextWindows(windowSpec(WEEKLY.cron, WEEKLY.timezone, WEEKLY.windowMs), SATURDAY, 2) as [
  MaintenanceWindow,
  MaintenanceWindow,
];
const MINUTE = 60_000;

function hosts(): FakeHost[] {
  return ['hoss-auth', 'hoss-a', 'hoss-b'].map((id) => ({ id, installed: '0.1.0', tags: ['0.1.0', '0.2.0'] }));
}

describe('scheduler: restarts and persistence', function () {
  let w: World;
  afterEach(async () => w?.close());

  it('restarted inside the window: the rollout goes on in the same window, which is not opened twice', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.held.add('hoss-a:build');
    await w.tickAt(FIRST.startMs);
    w.clock.set(FIRST.startMs + 10 * MINUTE);
    await w.restart();
    await w.tickAt(FIRST.startMs + 11 * MINUTE);
    w.release('hoss-a:build');
    await w.tickAt(FIRST.startMs + 12 * MINUTE);
    expect(w.rollouts().map((r) => [r.id, r.state])).to.deep.equal([['r-1', 'succeeded']]);
    expect(w.scheduler.status('weekly').state.lastOutcome).to.equal('started r-1 to 0.2.0');
  });

  it("started inside a window it missed the start of: opens it, ending at the window's own end", async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: FIRST.startMs + 30 * MINUTE });
    await w.tickAt(FIRST.startMs + 30 * MINUTE + 1000);
    const [r] = w.rollouts();
    expect(r && [r.initiator, r.windowEndsAtMs, r.state]).to.deep.equal(['schedule:weekly', FIRST.endMs, 'succeeded']);
  });

  it("waits for the cluster's agents to reconnect after a restart before it decides", async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.clock.set(FIRST.startMs + 5 * MINUTE);
    await w.restart({ connect: false });
    await w.tickAt(FIRST.startMs + 5 * MINUTE + 2000);
    expect(w.rollouts()).to.have.length(0);
    for (const id of ['hoss-auth', 'hoss-a', 'hoss-b']) w.connect(id);
    await w.tickAt(FIRST.startMs + 5 * MINUTE + 3000);
    expect(w.rollouts().map((r) => r.state)).to.deep.equal(['succeeded']);
  });

  it('restarted after the window closed: the host in progress finishes, then the rollout stays paused until the next window', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.held.add('hoss-a:build');
    await w.tickAt(FIRST.startMs);
    w.clock.set(FIRST.endMs + 60 * MINUTE);
    await w.restart();
    w.release('hoss-a:build');
    await w.tickAt(FIRST.endMs + 61 * MINUTE);
    const paused = w.rollouts()[0]!;
    expect([paused.state, paused.reason, paused.resumeAtMs]).to.deep.equal(['paused', 'maintenance window closed', SECOND.startMs]);
    expect(paused.hosts.map((h) => h.state)).to.deep.equal(['updated', 'updated', 'backed-up']);
    await w.tickAt(SECOND.startMs);
    expect(w.rollouts().map((r) => [r.id, r.state])).to.deep.equal([['r-1', 'succeeded']]);
  });

  it('disable persists across a restart and no window opens; enable inside a window opens it until its end', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.scheduler.setEnabled('weekly', false, 'alice@ops');
    await w.restart();
    expect(w.scheduler.status('weekly')).to.deep.include({ enabled: false, nextWindows: [] });
    await w.tickAt(FIRST.startMs + MINUTE);
    expect(w.rollouts()).to.have.length(0);
    w.scheduler.setEnabled('weekly', true, 'alice@ops');
    await w.settle();
    const [r] = w.rollouts();
    expect(r && [r.windowEndsAtMs, r.state]).to.deep.equal([FIRST.endMs, 'succeeded']);
    expect(w.store.listScheduleStates()[0]?.enabledOverride).to.equal(null); // back to what the file says
  });

  it("a disabled schedule's paused rollout has no resume time", async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.held.add('hoss-a:build');
    await w.tickAt(FIRST.startMs);
    await w.tickAt(FIRST.endMs);
    w.release('hoss-a:build');
    await w.tickAt(FIRST.endMs + 1000);
    expect(w.rollouts()[0]?.resumeAtMs).to.equal(SECOND.startMs);
    w.scheduler.setEnabled('weekly', false, 'alice@ops');
    expect(w.rollouts()[0]?.resumeAtMs).to.equal(0);
    await w.tickAt(SECOND.startMs);
    expect(w.rollouts()[0]?.state).to.equal('paused');
  });
});
