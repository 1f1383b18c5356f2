/**
 * Issue 5: scheduled maintenance-window updates, with the real convoyd (node-cron firing a
 * seconds-level expression), agents, sample servers and CLI. Windows here open every 30
 * seconds and stay open 6; a member's build is slower than a window, so a window closes while
 * it is in progress. When hosts started and stopped is read from the rollout's own step times
 * and from the sample services' events logs.
 */
import { expect } from 'chai';
import { createFleet, useSandbox, waitFor, type Fleet } from '../helpers/index.js';
import type { ServiceEvent } from '../../samples/sample-server.js';
import { eventTimes, host, latestRolloutId, listRollouts, status, waitRollout, TERMINAL, type RolloutJson } from './support.js';

const PERIOD_MS = 30_000;
const WINDOW_MS = 6_000;
const EVERY_30S = '*/30 * * * * *';

type RolloutWithResume = RolloutJson & { resumeAtMs: number };

interface ScheduleJson {
  name: string;
  enabled: boolean;
  nextWindows: { startMs: number; endMs: number; startLocal: string; endLocal: string }[];
  resolvedTarget: string;
  lastOutcome: string;
  lastRolloutId: string;
  windowOpen: boolean;
  windowEndMs: number;
}

async function schedules(fleet: Fleet): Promise<ScheduleJson[]> {
  const res = await fleet.cli(['schedules', '--json']);
  if (res.code !== 0 || !Array.isArray(res.json)) throw new Error(`convoy schedules --json exited ${res.code}: ${res.stderr}`);
  return res.json as ScheduleJson[];
}

/** The window of the every-30-seconds schedule that `ms` falls in, if any. */
function windowOf(ms: number): { startMs: number; endMs: number } | undefined {
  const startMs = Math.floor(ms / PERIOD_MS) * PERIOD_MS;
  return ms < startMs + WINDOW_MS ? { startMs, endMs: startMs + WINDOW_MS } : undefined;
}

/** When each host began its own update (its first step after the pre-update backup). */
function hostStarts(r: RolloutJson): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of r.hosts) {
    const first = h.steps.find((s) => s.step !== 'backup');
    if (first) out[h.agentId] = first.startedAtMs;
  }
  return out;
}

function firstEvent(events: ServiceEvent[], kind: string, version: string): number | undefined {
  return eventTimes(events, kind, version)[0];
}

describe('e2e: maintenance-window schedules', function () {
  this.timeout(150_000);
  const sandbox = useSandbox();

  it('opens a window as schedule:<name>, pauses when it closes mid-member, and completes in a later window', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      coordinatorOverrides: {
        schedules: [{ name: 'nightly', cluster: 'hoss', cron: EVERY_30S, timezone: 'UTC', window: '6s', target: '~0.2' }],
      },
    });
    fleet.host('hoss-a').server.setKnob('slow-build-ms', '8000'); // longer than a window

    const [before] = await schedules(fleet);
    expect(before?.resolvedTarget).to.equal('0.2.0');
    const next = before!.nextWindows[0]!;
    expect([next.startMs % PERIOD_MS, next.endMs - next.startMs]).to.deep.equal([0, WINDOW_MS]);
    expect(next.startLocal).to.match(/^\w{3} \d{4}-\d\d-\d\d \d\d:\d\d(:30)? \+00:00$/);

    const paused = await waitRollout(
      fleet,
      'r-1',
      'to pause at the window close',
      // the resume time is set by convoyd's next one-second tick after the pause
      (r) => (r.state === 'paused' && (r as RolloutWithResume).resumeAtMs > 0) || TERMINAL.includes(r.state),
      75_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\nrollouts: ${JSON.stringify(await listRollouts(fleet).catch(() => []))}`);
    });
    expect([paused.initiator, paused.state, paused.reason, paused.targetVersion]).to.deep.equal([
      'schedule:nightly',
      'paused',
      'maintenance window closed',
      '0.2.0',
    ]);
    // every host that began its update began it inside a window; the one in progress at the close finished
    for (const [id, at] of Object.entries(hostStarts(paused))) expect(windowOf(at), `${id} started at ${at}`).to.not.equal(undefined);
    const running = paused.hosts.flatMap((h) => h.steps.filter((s) => s.outcome !== 'succeeded').map((s) => `${h.agentId}:${s.step}`));
    expect(running, 'steps not finished at the pause').to.deep.equal([]);
    const left = paused.hosts.filter((h) => h.state !== 'updated').map((h) => h.agentId);
    expect(left.length, 'hosts left for a later window').to.be.greaterThan(0);

    const resumeAt = (paused as RolloutWithResume).resumeAtMs;
    expect(resumeAt % PERIOD_MS, 'resumes at the start of a window').to.equal(0);
    const text = await fleet.cli(['rollout', 'status', 'r-1']);
    // unless the next window has already resumed it (the status is read after the pause was seen)
    if (Date.now() < resumeAt) {
      expect(text.stdout).to.match(/^Resumes {4}at .+, when the next maintenance window of schedule:nightly opens$/m);
    }

    const done = await waitRollout(fleet, 'r-1', 'to finish', (r) => TERMINAL.includes(r.state), 100_000);
    expect(done.state).to.equal('succeeded');
    for (const h of fleet.hosts) expect(await h.server.servedVersion(), h.name).to.equal('0.2.0');

    // hoss-a began its update in a window and was still in it (its slow build) when that window
    // closed; it was let finish (no step was running at the pause, above). (How far it got before the close depends on the
    // machine's load: its build may have started just before or just after.)
    const a = fleet.host('hoss-a').server.readEvents();
    const aStart = hostStarts(done)['hoss-a']!;
    const aWindow = windowOf(aStart)!;
    expect(aWindow, 'hoss-a began inside a window').to.not.equal(undefined);
    expect(firstEvent(a, 'build', '0.2.0')).to.be.above(aWindow.endMs);
    // the hosts left waiting at the pause were not stopped until a later window opened
    const journal = (await fleet.cli(['events', '--rollout', 'r-1', '--limit', '1000', '--json'])).json as {
      atMs: number;
      message: string;
    }[];
    const pausedAt = journal.find((e) => /-> paused: maintenance window closed$/.test(e.message))!.atMs;
    for (const waitingHost of left) {
      const stopped = firstEvent(fleet.host(waitingHost).server.readEvents(), 'stop', '0.1.0')!;
      const began = hostStarts(done)[waitingHost]!;
      expect(stopped, `${waitingHost} stopped after the pause`).to.be.above(pausedAt);
      expect(windowOf(began), `${waitingHost} began inside a later window`).to.not.equal(undefined);
      expect(began).to.be.above(pausedAt);
    }

    expect(await listRollouts(fleet)).to.have.length(1);
    expect(journal.map((e) => e.message)).to.include('paused -> running: maintenance window opened');
    // what each window decided, from the event journal (convoy schedules shows only the last)
    const decisions = journal.map((e) => e.message).filter((m) => m.startsWith('schedule nightly: window '));
    expect(decisions[0]).to.match(/opened: started r-1 to 0\.2\.0$/);
    expect(decisions.slice(1).every((m) => m.endsWith('opened: resumed r-1 (to 0.2.0)'))).to.equal(true);
    expect(decisions.length).to.be.greaterThan(1);
  });

  it('a target that declares required changes waits in awaiting-ack and touches nothing; disable persists', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      coordinatorOverrides: {
        schedules: [{ name: 'weekly', cluster: 'hoss', cron: '0 2 * * 0', timezone: 'Europe/Zurich', window: '3s', target: 'latest' }],
      },
    });
    const ranAt = Date.now();
    const run = await fleet.cli(['schedules', 'run', 'weekly']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(
      /^schedule weekly: window open until .+ UTC: started r-1 to 0\.3\.1\b.*\nNext: convoy rollout watch r-1\n$/,
    );
    const id = await latestRolloutId(fleet);
    const waiting = await waitRollout(fleet, id, 'awaiting-ack', (r) => r.state === 'awaiting-ack' || TERMINAL.includes(r.state));
    expect([waiting.state, waiting.initiator, waiting.ackRequired]).to.deep.equal(['awaiting-ack', 'schedule:weekly', true]);
    expect(waiting.reason).to.contain(`convoy rollout ack ${id}`);

    // after its window closed: still waiting, still untouched
    const closed = await waitForSchedule(fleet, (s) => !s.windowOpen);
    expect(closed.lastOutcome).to.match(
      /^started r-1 to 0\.3\.1 \(r-1 is now awaiting-ack: release notes of 0\.3\.0 declare required changes/,
    );
    expect((await status(fleet, id)).state).to.equal('awaiting-ack');
    for (const h of fleet.hosts) {
      const touched = h.server.readEvents().filter((e) => e.atMs >= ranAt && ['backup-start', 'build-start', 'stop'].includes(e.kind));
      expect(touched, h.name).to.deep.equal([]);
      expect(h.server.headTag(), h.name).to.equal('0.1.0');
      expect(host(waiting, h.name).steps, h.name).to.deep.equal([]);
    }

    const disable = await fleet.cli(['schedules', 'disable', 'weekly']);
    expect([disable.code, disable.stdout]).to.deep.equal([0, 'schedule weekly: disabled; no window opens\n']);
    await fleet.restartCoordinator();
    const [after] = await schedules(fleet);
    expect([after?.enabled, after?.nextWindows]).to.deep.equal([false, []]);
  });
});

function waitForSchedule(fleet: Fleet, pred: (s: ScheduleJson) => boolean): Promise<ScheduleJson> {
  return waitFor(
    async () => {
      const [s] = await schedules(fleet);
      return s && pred(s) ? s : undefined;
    },
    { what: 'the schedule to reach the expected state', timeoutMs: 20_000, intervalMs: 200 },
  );
}
