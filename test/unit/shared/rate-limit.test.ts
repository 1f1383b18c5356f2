import { expect } from 'chai';
import { FakeClock } from '../../../shared/clock.js';
import { LogLimiter } from '../../../shared/log-limiter.js';
import { RateLimiter } from '../../../shared/rate-limit.js';
import { captureLogger } from '../agent-daemon/fakes.js';

describe('token buckets (shared/rate-limit.ts)', () => {
  it('lets a key spend its burst at once, then one token per 60/perMinute seconds, and says when', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ perMinute: 6, burst: 3 }, () => clock.now());
    expect([1, 2, 3].map(() => limiter.take('alice').ok)).to.deep.equal([true, true, true]);
    expect(limiter.take('alice')).to.deep.equal({ ok: false, retryAfterMs: 10_000 });
    expect(limiter.take('bob').ok, 'each key has its own bucket').to.equal(true);
    clock.advance(10_000);
    expect(limiter.take('alice').ok).to.equal(true);
    expect(limiter.take('alice').ok).to.equal(false);
  });

  it('never holds more than its burst, however long it waited', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ perMinute: 60, burst: 2 }, () => clock.now());
    clock.advance(3_600_000);
    expect(limiter.available('k')).to.equal(2);
  });

  it('forgets the least recently used key beyond its key limit, so the map stays bounded', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ perMinute: 1, burst: 1 }, () => clock.now(), 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // forgets a
    expect(limiter.take('b').ok).to.equal(false);
    expect(limiter.take('a').ok, 'a restarts full').to.equal(true);
  });
});

describe('rate-limited log lines (shared/log-limiter.ts)', () => {
  it('logs the first lines of a kind, holds back a flood, and counts what it held in the next line', () => {
    const clock = new FakeClock();
    const capture = captureLogger();
    const logger = capture.logger;
    const limiter = new LogLimiter(logger, () => clock.now(), { perMinute: 1, burst: 2 });
    for (let i = 0; i < 10; i++) limiter.log('reset', 'warn', `reset ${i}`);
    limiter.log('other', 'warn', 'another kind');
    clock.advance(60_000);
    limiter.log('reset', 'warn', 'reset again');
    expect(capture.lines).to.deep.equal([
      'warn reset 0',
      'warn reset 1',
      'warn another kind',
      'warn reset again (8 more like it not logged since the last one)',
    ]);
  });
});
