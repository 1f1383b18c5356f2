import { expect } from 'chai';
import { Backoff, backoffDelay } from '../../../shared/backoff.js';
import { FakeClock } from '../../../shared/clock.js';
import { formatDuration, parseDuration } from '../../../shared/durations.js';

describe('durations', () => {
  const table: [string, number | undefined][] = [
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['3h', 10_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['2d', 172_800_000],
    ['30', undefined],
    ['soon', undefined],
    ['5 m', undefined],
    ['', undefined],
    ['-5s', undefined],
  ];
  for (const [text, ms] of table) {
    it(`parses ${JSON.stringify(text)} as ${String(ms)}`, () => expect(parseDuration(text)).to.equal(ms));
  }
  it('formats durations for people', () => {
    expect([950, 12_340, 245_000, 7_800_000].map(formatDuration)).to.deep.equal(['950ms', '12.3s', '4m05s', '2h10m']);
  });
});

describe('backoff', () => {
  const policy = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 };
  it('grows exponentially and is capped', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(policy, a, 1))).to.deep.equal([500, 1000, 2000, 4000, 30_000]);
  });
  it('jitters within the lower half of the window', () => {
    expect(backoffDelay(policy, 3, 0)).to.equal(2000);
    expect(backoffDelay(policy, 3, 0.5)).to.equal(3000);
  });
  it('resets after a healthy session', () => {
    const b = new Backoff(policy, () => 1);
    expect([b.next(), b.next(), b.next()]).to.deep.equal([500, 1000, 2000]);
    b.reset();
    expect(b.next()).to.equal(500);
  });
});

describe('fake clock', () => {
  it('fires timers in order when advanced, never on its own', async () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.setTimer(200, () => fired.push('b'));
    clock.setTimer(100, () => fired.push('a'));
    const cancel = clock.setTimer(150, () => fired.push('cancelled'));
    cancel();
    const slept = clock.sleep(300).then(() => fired.push('slept'));
    clock.advance(250);
    expect(fired).to.deep.equal(['a', 'b']);
    clock.advance(50);
    await slept;
    expect(fired).to.deep.equal(['a', 'b', 'slept']);
    expect(clock.now()).to.equal(1300);
  });
});
