/** Maintenance windows from cron + timezone + length, across DST changes, checked against node-cron where it agrees. */
import { expect } from 'chai';
import { nextRuns } from '../../../coordinator/schedule/cron.js';
import { formatLocal, instantOf, wallTime } from '../../../coordinator/schedule/wall-clock.js';
import { nextStart, nextWallMatch, nextWindows, windowAt, windowSpec } from '../../../coordinator/schedule/windows.js';

const H = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const starts = (spec: ReturnType<typeof windowSpec>, after: number, n: number): string[] =>
  nextWindows(spec, after, n).map((w) => iso(w.startMs));

describe('schedule windows', () => {
  describe('Europe/Zurich, spring forward (Sun 2026-03-29: 02:00 CET -> 03:00 CEST)', () => {
    it('opens a weekly 02:00 window at 03:00 CEST on the day 02:00 does not exist, not skipping it', () => {
      const spec = windowSpec('0 2 * * 0', 'Europe/Zurich', 3 * H);
      expect(starts(spec, Date.UTC(2026, 2, 20), 3)).to.deep.equal([
        '2026-03-22T01:00:00.000Z', // 02:00 CET
        '2026-03-29T01:00:00.000Z', // 03:00 CEST: 02:00 read with the offset before the change
        '2026-04-05T00:00:00.000Z', // 02:00 CEST
      ]);
      expect(formatLocal(Date.UTC(2026, 2, 29, 1), 'Europe/Zurich')).to.equal('Sun 2026-03-29 03:00 +02:00');
    });

    it('moves a 02:30 start to 03:30 CEST and keeps the window three real hours long', () => {
      const spec = windowSpec('30 2 * * 0', 'Europe/Zurich', 3 * H);
      const [w] = nextWindows(spec, Date.UTC(2026, 2, 28), 1);
      expect(formatLocal(w!.startMs, 'Europe/Zurich')).to.equal('Sun 2026-03-29 03:30 +02:00');
      expect(formatLocal(w!.endMs, 'Europe/Zurich')).to.equal('Sun 2026-03-29 06:30 +02:00');
    });

    it('an hourly window: the missing hour and the hour after it are one window', () => {
      const spec = windowSpec('0 * * * *', 'Europe/Zurich', H / 2);
      expect(starts(spec, Date.UTC(2026, 2, 28, 23, 30), 4)).to.deep.equal([
        '2026-03-29T00:00:00.000Z', // 01:00 CET
        '2026-03-29T01:00:00.000Z', // 03:00 CEST (02:00 does not exist)
        '2026-03-29T02:00:00.000Z', // 04:00 CEST
        '2026-03-29T03:00:00.000Z',
      ]);
    });
  });

  describe('Europe/Zurich, fall back (Sun 2026-10-25: 03:00 CEST -> 02:00 CET)', () => {
    it('opens one window at the first 02:30, not a second one an hour later', () => {
      const spec = windowSpec('30 2 * * *', 'Europe/Zurich', 2 * H);
      expect(starts(spec, Date.UTC(2026, 9, 24, 12), 2)).to.deep.equal([
        '2026-10-25T00:30:00.000Z', // 02:30 CEST
        '2026-10-26T01:30:00.000Z', // 02:30 CET the next day
      ]);
      // asked during the repeated hour (02:10 CET, after the first 02:30 CEST), the next window is tomorrow's
      expect(iso(nextStart(spec, Date.UTC(2026, 9, 25, 1, 10))!)).to.equal('2026-10-26T01:30:00.000Z');
    });

    it('a window open across the change ends after its real length', () => {
      const spec = windowSpec('0 2 * * 0', 'Europe/Zurich', 3 * H);
      const w = windowAt(spec, Date.UTC(2026, 9, 25, 2, 0));
      expect(w && [formatLocal(w.startMs, 'Europe/Zurich'), formatLocal(w.endMs, 'Europe/Zurich')]).to.deep.equal([
        'Sun 2026-10-25 02:00 +02:00',
        'Sun 2026-10-25 04:00 +01:00',
      ]);
    });
  });

  it('handles a half-hour DST gap (Australia/Lord_Howe, 2026-10-04 02:00 -> 02:30)', () => {
    const spec = windowSpec('15 2 * * *', 'Australia/Lord_Howe', H);
    const [w] = nextWindows(spec, Date.UTC(2026, 9, 3, 12), 1);
    expect(formatLocal(w!.startMs, 'Australia/Lord_Howe')).to.equal('Sun 2026-10-04 02:45 +11:00');
  });

  describe('windowAt', () => {
    const spec = windowSpec('0 2 * * 0', 'Europe/Zurich', 3 * H);
    const sunday = Date.UTC(2026, 10, 29, 1); // Sun 2026-11-29 02:00 CET

    it('is the window containing now: from its start, up to (not including) its end', () => {
      expect(windowAt(spec, sunday)).to.deep.equal({ startMs: sunday, endMs: sunday + 3 * H });
      expect(windowAt(spec, sunday + 3 * H - 1)?.startMs).to.equal(sunday);
      expect(windowAt(spec, sunday + 3 * H)).to.equal(undefined);
      expect(windowAt(spec, sunday - 1)).to.equal(undefined);
    });

    it('picks the latest start when windows overlap', () => {
      const dense = windowSpec('*/20 * * * * *', 'UTC', 60_000);
      const now = Date.UTC(2026, 0, 1, 12, 0, 45);
      expect(windowAt(dense, now)).to.deep.equal({ startMs: Date.UTC(2026, 0, 1, 12, 0, 40), endMs: Date.UTC(2026, 0, 1, 12, 1, 40) });
    });
  });

  it('understands node-cron day tokens: last Sunday of the month, second Monday, last day', () => {
    const lastSunday = windowSpec('0 2 * * 0L', 'UTC', H);
    expect(starts(lastSunday, Date.UTC(2026, 0, 1), 2)).to.deep.equal(['2026-01-25T02:00:00.000Z', '2026-02-22T02:00:00.000Z']);
    const secondMonday = windowSpec('0 3 * * 1#2', 'UTC', H);
    expect(starts(secondMonday, Date.UTC(2026, 0, 1), 1)).to.deep.equal(['2026-01-12T03:00:00.000Z']);
    const lastDay = windowSpec('0 0 L * *', 'UTC', H);
    expect(starts(lastDay, Date.UTC(2026, 1, 1), 1)).to.deep.equal(['2026-02-28T00:00:00.000Z']);
  });

  it('a six-field expression opens windows at the seconds it names', () => {
    const spec = windowSpec('*/20 * * * * *', 'UTC', 5000);
    expect(starts(spec, Date.UTC(2026, 0, 1, 0, 0, 5), 3)).to.deep.equal([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });

  describe('matches the rule stated plainly, every few minutes around DST changes', () => {
    // The rule: each wall-clock match is one start, at instantOf(match). nextStart must find the
    // smallest such start after any instant, however it walks.
    const cases: [string, string, number][] = [
      ['*/10 * * * *', 'Europe/Zurich', Date.UTC(2026, 2, 29, 1)],
      ['*/10 * * * *', 'Europe/Zurich', Date.UTC(2026, 9, 25, 1)],
      ['0,30 2 * * *', 'Europe/Zurich', Date.UTC(2026, 2, 29, 1)],
      ['0,30 2 * * *', 'Europe/Zurich', Date.UTC(2026, 9, 25, 1)],
      ['*/20 * 2-3 * * *', 'Europe/Zurich', Date.UTC(2026, 2, 29, 1)],
      ['*/20 * 1-2 * * *', 'Europe/Zurich', Date.UTC(2026, 9, 25, 1)],
      ['5,40 * * * *', 'Australia/Lord_Howe', Date.UTC(2026, 9, 3, 15, 30)],
      // 02:20 is moved to 02:50 by the half-hour gap, after the real 02:35
      ['20,35 * * * *', 'Australia/Lord_Howe', Date.UTC(2026, 9, 3, 15, 30)],
      ['5,40 * * * *', 'Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)],
    ];
    for (const [cron, tz, change] of cases) {
      it(`${cron} in ${tz} around ${iso(change)}`, () => {
        const spec = windowSpec(cron, tz, H);
        const from = change - 6 * H;
        const to = change + 6 * H;
        const all = new Set<number>();
        for (let w = nextWallMatch(spec.fields, wallTime(from - 4 * H, tz)); w !== undefined && w < wallTime(to + 48 * H, tz);) {
          all.add(instantOf(w, tz).ms);
          w = nextWallMatch(spec.fields, w + 1000);
        }
        const sorted = [...all].sort((a, b) => a - b);
        for (let after = from; after < to; after += 7 * 60_000 + 13_000) {
          const expected = sorted.find((s) => s > after);
          expect(nextStart(spec, after), `after ${iso(after)}`).to.equal(expected);
        }
      });
    }
  });

  describe('agrees with node-cron away from DST changes', () => {
    const cases: [string, string][] = [
      ['0 2 * * 0', 'UTC'],
      ['30 4 1,15 * *', 'Asia/Tokyo'],
      ['0 3 * * 1#2', 'Asia/Kolkata'],
      ['0 2 * * 0L', 'UTC'],
      ['*/15 9-17 * * 1-5', 'Asia/Tokyo'],
      ['0 0 L * *', 'Asia/Kolkata'],
      ['0 22 15W * *', 'UTC'],
    ];
    for (const [cron, tz] of cases) {
      it(`${cron} in ${tz}`, () => {
        const theirs = nextRuns(cron, tz, 6).map((d) => d.getTime());
        const spec = windowSpec(cron, tz, H);
        expect(nextWindows(spec, theirs[0]! - 1, 6).map((w) => w.startMs)).to.deep.equal(theirs);
      });
    }
  });
});
