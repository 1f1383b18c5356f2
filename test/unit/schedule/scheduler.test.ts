/**
 * The scheduler with the real controller, engine and store on a fake clock: what a window
 * does when it opens, and what happens when it closes between hosts. No sleeps: time moves
 * only when the test sets it.
 */
import { expect } from 'chai';
import { nextWindows, windowSpec, type MaintenanceWindow } from '../../../coordinator/schedule/windows.js';
import { schedule, World, type FakeHost } from './harness.js';

const H = 3_600_000;
/** Sat 2026-11-28 12:00 UTC; the weekly window opens on Sun 2026-11-29 02:00 CET. */
const SATURDAY = Date.UTC(2026, 10, 28, 12);
const WEEKLY = schedule();

function hosts(installed = '0.1.0', tags = ['0.1.0', '0.2.0'], extra: Partial<FakeHost> = {}): FakeHost[] {
  return ['hoss-auth', 'hoss-a', 'hoss-b'].map((id) => ({ id, installed, tags: [...tags], ...extra }));
}

function windowsAfter(ms: number, n = 2): MaintenanceWindow[] {
  return nextWindows(windowSpec(WEEKLY.cron, WEEKLY.timezone, WEEKLY.windowMs), ms, n);
}

describe('scheduler: opening a window', function () {
  let w: World;
  const [first, second] = windowsAfter(SATURDAY) as [MaintenanceWindow, MaintenanceWindow];

  afterEach(async () => w?.close());

  it('starts a linked rollout as schedule:weekly at the window start, bound to the window end', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    await w.tickAt(first.startMs - 1000);
    expect(w.rollouts()).to.have.length(0);
    await w.tickAt(first.startMs);
    const [r] = w.rollouts();
    expect(r && [r.initiator, r.schedule, r.target, r.windowEndsAtMs]).to.deep.equal(['schedule:weekly', 'weekly', '0.2.0', first.endMs]);
    expect(r?.state).to.equal('succeeded');
    expect(w.scheduler.status('weekly').state.lastOutcome).to.equal('started r-1 to 0.2.0');
  });

  it('resolves "latest" from tags the members fetch when the window opens', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    for (const id of ['hoss-auth', 'hoss-a', 'hoss-b']) w.host(id).tags.push('0.2.1'); // published after the agents connected
    expect(w.scheduler.status('weekly').resolution).to.deep.include({ target: '0.2.0' });
    await w.tickAt(first.startMs);
    expect(w.rollouts()[0]?.target).to.equal('0.2.1');
  });

  it('closes between hosts: the host in progress finishes, no host starts after it, and the next window resumes', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.held.add('hoss-a:build');
    await w.tickAt(first.startMs);
    expect(w.isRunning('hoss-a:build')).to.equal(true);
    await w.tickAt(first.endMs); // the window closes while hoss-a builds
    expect(w.rollouts()[0]?.state).to.equal('running');
    w.release('hoss-a:build');
    await w.tickAt(first.endMs + 1000);
    const paused = w.rollouts()[0]!;
    expect([paused.state, paused.reason, paused.pauseKind]).to.deep.equal(['paused', 'maintenance window closed', 'window']);
    expect(paused.hosts.map((h) => h.state)).to.deep.equal(['updated', 'updated', 'backed-up']);
    expect(w.ran.filter((s) => s.startsWith('hoss-b:'))).to.deep.equal(['hoss-b:backup']);
    expect(paused.resumeAtMs).to.equal(second.startMs);

    await w.tickAt(second.startMs - 1000);
    expect(w.rollouts()[0]?.state).to.equal('paused');
    await w.tickAt(second.startMs);
    const done = w.rollouts()[0]!;
    expect([done.id, done.state, done.windowEndsAtMs]).to.deep.equal(['r-1', 'succeeded', second.endMs]);
    expect(w.rollouts()).to.have.length(1);
    expect(w.scheduler.status('weekly').state.lastOutcome).to.equal('resumed r-1 (to 0.2.0)');
  });

  it('records "up to date" and starts nothing when every member runs the target', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts('0.2.0'), start: SATURDAY });
    await w.tickAt(first.startMs);
    expect(w.rollouts()).to.have.length(0);
    expect(w.ran).to.deep.equal([]);
    expect(w.scheduler.status('weekly').state.lastOutcome).to.equal('up to date: every member runs 0.2.0');
    const events = w.store.listEvents({ limit: 10 }).map((e) => [e.actor, e.kind, e.message]);
    expect(events).to.deep.include([
      'schedule:weekly',
      'schedule',
      `schedule weekly: window ${new Date(first.startMs).toISOString()} – ${new Date(first.endMs).toISOString()} opened: up to date: every member runs 0.2.0`,
    ]);
  });

  it('skips the window, naming the rollout, while another rollout runs on the cluster', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.held.add('hoss-auth:build');
    w.controller.start({ cluster: 'hoss', host: '', target: '0.2.0', ackReleaseNotes: false, actor: 'alice@ops' });
    w.deliver();
    await w.tickAt(first.startMs);
    expect(w.rollouts().map((r) => [r.id, r.initiator])).to.deep.equal([['r-1', 'alice@ops']]);
    expect(w.scheduler.status('weekly').state.lastOutcome).to.equal('skipped: rollout r-1 is running');
  });

  it('waits in awaiting-ack, touching nothing, when the target declares required changes', async () => {
    w = await World.create({
      schedules: [WEEKLY],
      hosts: hosts('0.1.0', ['0.1.0', '0.2.0', '0.3.0'], { requiresAction: ['0.3.0'] }),
      start: SATURDAY,
    });
    await w.tickAt(first.startMs);
    const r = w.rollouts()[0]!;
    expect([r.target, r.state]).to.deep.equal(['0.3.0', 'awaiting-ack']);
    expect(w.ran).to.deep.equal([]);
    await w.tickAt(first.endMs + 1000);
    expect(w.rollouts()[0]?.state).to.equal('awaiting-ack');
    expect(w.ran).to.deep.equal([]);
  });

  it('applies such a release when the schedule acknowledges release notes itself', async () => {
    const acking = schedule({ ackReleaseNotes: true });
    w = await World.create({
      schedules: [acking],
      hosts: hosts('0.1.0', ['0.1.0', '0.3.0'], { requiresAction: ['0.3.0'] }),
      start: SATURDAY,
    });
    await w.tickAt(first.startMs);
    const r = w.rollouts()[0]!;
    expect([r.state, r.ackedBy]).to.deep.equal(['succeeded', 'schedule:weekly']);
  });

  it("does not start again after the cluster's last rollout failed; `schedules run` does", async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.failing.add('hoss-a:build');
    await w.tickAt(first.startMs);
    expect(w.rollouts()[0]?.state).to.equal('failed');
    w.failing.clear();
    await w.tickAt(second.startMs);
    expect(w.rollouts()).to.have.length(1);
    expect(w.scheduler.status('weekly').state.lastOutcome).to.match(
      /^skipped: the last rollout of hoss, r-1, failed; .*convoy schedules run weekly/,
    );
    const run = w.scheduler.run('weekly', 'alice@ops');
    await w.settle();
    expect((await run).state.lastOutcome).to.equal('started r-2 to 0.2.0');
  });

  it("`schedules run` opens a window of the schedule's length now, recorded with who ran it", async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    w.held.add('hoss-auth:build');
    const run = w.scheduler.run('weekly', 'alice@ops');
    await w.settle();
    const status = await run;
    const r = w.rollouts()[0]!;
    expect([r.initiator, r.windowEndsAtMs]).to.deep.equal(['schedule:weekly', SATURDAY + 3 * H]);
    expect(status.openWindow).to.deep.equal({ startMs: SATURDAY, endMs: SATURDAY + 3 * H });
    expect(w.store.listEvents({ limit: 20 }).some((e) => e.actor === 'alice@ops' && e.kind === 'schedule')).to.equal(true);
  });

  it('shows the next three windows and the target the schedule would resolve to now', async () => {
    w = await World.create({ schedules: [WEEKLY], hosts: hosts(), start: SATURDAY });
    const s = w.scheduler.status('weekly');
    expect(s.nextWindows).to.deep.equal(windowsAfter(SATURDAY, 3));
    expect(s.resolution).to.deep.equal({ kind: 'update', target: '0.2.0', behind: ['hoss-auth', 'hoss-a', 'hoss-b'] });
    expect(s.enabled).to.equal(true);
  });
});
