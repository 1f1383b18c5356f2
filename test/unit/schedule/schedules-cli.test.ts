/** `convoy schedules` and friends against a scripted client: what an operator reads, and the exit codes. */
import { expect } from 'chai';
import { runCli } from '../../../coordinator/cli/program.js';
import type { ScheduleView } from '../../../coordinator/cli/views.js';
import { failedRollout, fakeContext } from '../cli/fake-context.js';

const NOW = Date.UTC(2026, 10, 25, 12);

function weekly(over: Partial<ScheduleView> = {}): ScheduleView {
  return {
    name: 'weekly',
    cluster: 'hoss',
    cron: '0 2 * * 0',
    timezone: 'Europe/Zurich',
    windowMs: 3 * 3_600_000,
    target: 'latest',
    enabled: true,
    ackReleaseNotes: false,
    nextWindows: [
      {
        startMs: Date.UTC(2026, 10, 29, 1),
        endMs: Date.UTC(2026, 10, 29, 4),
        startLocal: 'Sun 2026-11-29 02:00 +01:00',
        endLocal: 'Sun 2026-11-29 05:00 +01:00',
      },
    ],
    resolvedTarget: '0.3.1',
    resolveProblem: '',
    lastOutcome: 'started r-4 to 0.3.1 (r-4 is now awaiting-ack: release notes of 0.3.0 declare required changes)',
    lastRunAtMs: Date.UTC(2026, 10, 22, 1),
    lastRolloutId: 'r-4',
    windowOpen: false,
    windowEndMs: 0,
    ...over,
  };
}

describe('convoy schedules', () => {
  it('lists each schedule with its next windows in its timezone and in UTC, its target now and its last outcome', async () => {
    const { ctx, stdout } = fakeContext({ listSchedules: async () => [weekly()] }, { now: NOW });
    expect(await runCli(['schedules'], ctx)).to.equal(0);
    const out = stdout();
    expect(out).to.include('weekly  cluster hoss  enabled');
    expect(out).to.include('"0 2 * * 0" in Europe/Zurich, open for 3h');
    expect(out).to.include('latest, now 0.3.1');
    expect(out).to.include('Sun 2026-11-29 02:00 +01:00 – Sun 2026-11-29 05:00 +01:00   (2026-11-29 01:00 UTC – 2026-11-29 04:00 UTC)');
    expect(out).to.include('started r-4 to 0.3.1 (r-4 is now awaiting-ack');
  });

  it('prints the views as JSON with --json, also as `schedules list --json`', async () => {
    for (const argv of [
      ['schedules', '--json'],
      ['schedules', 'list', '--json'],
    ]) {
      const { ctx, stdout } = fakeContext({ listSchedules: async () => [weekly()] });
      expect(await runCli(argv, ctx)).to.equal(0);
      expect(JSON.parse(stdout())).to.deep.equal([weekly()]);
    }
  });

  it('says how to enable a disabled schedule, and why a target cannot be resolved', async () => {
    const s = weekly({
      enabled: false,
      nextWindows: [],
      resolvedTarget: '',
      resolveProblem: 'tag 0.4.0 is missing on hoss-a',
      target: '0.4.0',
    });
    const { ctx, stdout } = fakeContext({ listSchedules: async () => [s] });
    expect(await runCli(['schedules'], ctx)).to.equal(0);
    expect(stdout()).to.include('no window opens; run `convoy schedules enable weekly`');
    expect(stdout()).to.include('0.4.0: cannot resolve now: tag 0.4.0 is missing on hoss-a');
  });

  it('`run` opens a window now and names the rollout to watch', async () => {
    const ran: string[] = [];
    const opened = weekly({
      lastOutcome: 'started r-5 to 0.3.1',
      lastRolloutId: 'r-5',
      windowOpen: true,
      windowEndMs: Date.UTC(2026, 10, 25, 15),
    });
    const { ctx, stdout } = fakeContext({ runSchedule: async (name) => (ran.push(name), opened) });
    expect(await runCli(['schedules', 'run', 'weekly'], ctx)).to.equal(0);
    expect(ran).to.deep.equal(['weekly']);
    expect(stdout()).to.equal(
      'schedule weekly: window open until 2026-11-25 15:00 UTC: started r-5 to 0.3.1\nNext: convoy rollout watch r-5\n',
    );
  });

  it('`disable` and `enable` send the flag and say what follows', async () => {
    const calls: [string, boolean][] = [];
    const { ctx, stdout } = fakeContext({
      setScheduleEnabled: async (name, enabled) => (
        calls.push([name, enabled]),
        weekly({ enabled, nextWindows: enabled ? weekly().nextWindows : [] })
      ),
    });
    expect(await runCli(['schedules', 'disable', 'weekly'], ctx)).to.equal(0);
    expect(await runCli(['schedules', 'enable', 'weekly'], ctx)).to.equal(0);
    expect(calls).to.deep.equal([
      ['weekly', false],
      ['weekly', true],
    ]);
    expect(stdout()).to.equal(
      'schedule weekly: disabled; no window opens\nschedule weekly: enabled; next window Sun 2026-11-29 02:00 +01:00 (2026-11-29 01:00 UTC)\n',
    );
  });

  for (const argv of [
    ['schedules', 'run'],
    ['schedules', 'enable'],
    ['schedules', 'pause', 'weekly'],
    ['schedules', 'run', 'a', 'b'],
  ]) {
    it(`exits 2 without contacting the coordinator for \`convoy ${argv.join(' ')}\``, async () => {
      const { ctx, connects } = fakeContext();
      expect(await runCli(argv, ctx)).to.equal(2);
      expect(connects()).to.equal(0);
    });
  }

  it('`rollout status` says when a rollout paused by its window resumes', async () => {
    const paused = { ...failedRollout(), state: 'paused', reason: 'maintenance window closed', initiator: 'schedule:weekly' };
    const view = { ...paused, failedHost: '', failedStep: '', finishedAtMs: 0, resumeAtMs: Date.UTC(2026, 10, 29, 1) };
    const { ctx, stdout } = fakeContext({ getRollout: async () => view });
    expect(await runCli(['rollout', 'status', 'r-7'], ctx)).to.equal(0);
    expect(stdout()).to.match(/^Resumes {4}at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, when the next maintenance window of schedule:weekly opens$/m);
  });
});
