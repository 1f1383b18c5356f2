import { expect } from 'chai';
import { Limiter } from '../../../../coordinator/release-notes/limiter.js';

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('coordinator/release-notes: limiter', () => {
  it('runs at most max tasks at once, the others in the order they came, each as soon as a slot frees', async () => {
    const limiter = new Limiter(3);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const all = Array.from({ length: 6 }, (_, i) =>
      limiter.run(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            finish[i] = () => resolve(i);
          }),
      ),
    );
    await settle();
    expect(started).to.deep.equal([0, 1, 2]);
    finish[1]!();
    await settle();
    expect(started).to.deep.equal([0, 1, 2, 3]);
    finish[0]!();
    finish[2]!();
    await settle();
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5]);
    for (const f of finish.slice(3)) f();
    expect(await Promise.all(all)).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it('frees the slot of a task that failed', async () => {
    const limiter = new Limiter(1);
    const failed = await limiter.run(() => Promise.reject(new Error('boom'))).catch((err: Error) => err.message);
    expect(failed).to.equal('boom');
    expect(await limiter.run(async () => 'next')).to.equal('next');
  });
});
