import { expect } from 'chai';
import { InspectionGate } from '../../../agent/inspection-gate.js';
import { FakeClock } from '../../../shared/clock.js';
import { settle } from './fakes.js';

/** An inspection the test finishes by hand. */
function pending(): { run: () => Promise<string>; finish: () => void; started: boolean } {
  let finish = (): void => undefined;
  const p = {
    started: false,
    finish: () => finish(),
    run: () => {
      p.started = true;
      return new Promise<string>((resolve) => (finish = () => resolve('done')));
    },
  };
  return p;
}

describe('agent inspection limits (agent/inspection-gate.ts)', () => {
  it('runs at most `concurrent` at once, queues `queued` more in order, and refuses the rest with the reason', async () => {
    const gate = new InspectionGate(new FakeClock(), { concurrent: 2, queued: 1, perMinute: 100, burst: 100 });
    const [a, b, c, d] = [pending(), pending(), pending(), pending()];
    const answers = [a, b, c].map((p) => gate.run(p.run));
    const refused = await gate.run(d.run);
    await settle();
    expect([a.started, b.started, c.started, d.started]).to.deep.equal([true, true, false, false]);
    expect(refused).to.deep.equal({
      ok: false,
      reason: 'the agent is busy: 2 inspections running and 1 waiting (its limit: 2 at once, 1 waiting, 100 a minute); try again later',
    });
    a.finish();
    await settle();
    expect(c.started, 'the queued one takes the freed slot').to.equal(true);
    b.finish();
    c.finish();
    expect(await Promise.all(answers)).to.deep.equal([1, 2, 3].map(() => ({ ok: true, value: 'done' })));
  });

  it('starts no more than its rate: the next waits for a token', async () => {
    const clock = new FakeClock();
    const gate = new InspectionGate(clock, { concurrent: 5, queued: 5, perMinute: 6, burst: 1 });
    const first = pending();
    const second = pending();
    void gate.run(first.run);
    void gate.run(second.run);
    await settle();
    expect([first.started, second.started]).to.deep.equal([true, false]);
    clock.advance(10_000);
    await settle();
    expect(second.started).to.equal(true);
  });
});
