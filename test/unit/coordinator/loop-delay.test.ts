import { expect } from 'chai';
import { INTERVAL_MS, recordDelay, type LoopDelaySink } from '../../../coordinator/loop-delay.js';

function collect(lateMs: number): number[] {
  const seen: number[] = [];
  const sink: LoopDelaySink = { loopDelay: (s) => seen.push(Math.round(s * 1000)) };
  recordDelay(sink, lateMs);
  return seen;
}

describe('loop delay samples', () => {
  it('records an on-time tick as one sample of its lateness', () => {
    expect(collect(3)).to.deep.equal([3]);
  });

  it('records a long stall once for each tick it held up, each with the delay that tick saw', () => {
    const seen = collect(5 * INTERVAL_MS);
    expect(seen).to.deep.equal([5, 4, 3, 2, 1].map((n) => n * INTERVAL_MS));
  });
});
