import { expect } from 'chai';
import { PLAN_CALL_RATE, PLAN_INSPECTIONS_WAITING, PlanInspections } from '../../../coordinator/fleet/plan-inspections.js';
import { FakeClock } from '../../../shared/clock.js';
import { ConvoyError } from '../../../shared/errors.js';
import type { InspectResult } from '../../../shared/wire.js';

function answer(target: string): InspectResult {
  return {
    requestId: 'x',
    targetVersion: target,
    targetExists: true,
    error: '',
    repo: null,
    health: null,
    releaseNotes: null,
    plan: [],
    drift: null,
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('Plan limits on the coordinator (coordinator/fleet/plan-inspections.ts)', () => {
  it('sends an agent one plan inspection at a time; calls for the same target share it', async () => {
    const limits = new PlanInspections(() => 0);
    const sent: string[] = [];
    const finishers: (() => void)[] = [];
    const inspect = (target: string) => () =>
      new Promise<InspectResult>((resolve) => {
        sent.push(target);
        finishers.push(() => resolve(answer(target)));
      });
    const same = [limits.inspect('hoss-a', '0.2.0', inspect('0.2.0')), limits.inspect('hoss-a', '0.2.0', inspect('0.2.0'))];
    const other = limits.inspect('hoss-a', '0.3.0', inspect('0.3.0'));
    const elsewhere = limits.inspect('hoss-b', '0.3.0', inspect('0.3.0'));
    await settle();
    expect(sent, 'one for hoss-a (shared), one for hoss-b').to.deep.equal(['0.2.0', '0.3.0']);
    finishers[0]!();
    expect((await Promise.all(same)).map((r) => r.targetVersion)).to.deep.equal(['0.2.0', '0.2.0']);
    await settle();
    expect(sent, 'the waiting target goes next').to.deep.equal(['0.2.0', '0.3.0', '0.3.0']);
    finishers[1]!();
    finishers[2]!();
    await Promise.all([other, elsewhere]);
  });

  it(`lets ${PLAN_INSPECTIONS_WAITING} other targets wait, and answers the next with RESOURCE_EXHAUSTED`, () => {
    const limits = new PlanInspections(() => 0);
    const never = () => new Promise<InspectResult>(() => undefined);
    for (let i = 0; i <= PLAN_INSPECTIONS_WAITING; i++) void limits.inspect('hoss-a', `0.${i}.0`, never);
    expect(() => limits.inspect('hoss-a', '9.9.9', never))
      .to.throw(
        ConvoyError,
        `agent hoss-a is busy answering other plans (${PLAN_INSPECTIONS_WAITING} waiting); run convoy plan again in a minute`,
      )
      .with.property('code', 'RESOURCE_EXHAUSTED');
  });

  it('limits Plan calls per operator with RESOURCE_EXHAUSTED and when to try again', () => {
    const clock = new FakeClock();
    const limits = new PlanInspections(() => clock.now());
    for (let i = 0; i < PLAN_CALL_RATE.burst; i++) limits.admitCall('vic');
    expect(() => limits.admitCall('vic'))
      .to.throw(ConvoyError, 'too many plans from "vic": at most 5 at once and 10 a minute; run convoy plan again in 6s')
      .with.property('code', 'RESOURCE_EXHAUSTED');
    expect(() => limits.admitCall('alice'), 'another operator has its own budget').to.not.throw();
    clock.advance(6_000);
    expect(() => limits.admitCall('vic')).to.not.throw();
  });
});
