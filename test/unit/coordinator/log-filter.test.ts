import { expect } from 'chai';
import { createRollout } from '../../../coordinator/rollout/planner.js';
import { logFilterProblem } from '../../../coordinator/rpc/log-filter.js';

function rollout() {
  const r = createRollout({
    id: 'r-7',
    cluster: 'hoss',
    target: 'v0.2.0',
    initiator: 'alice',
    now: 0,
    ackPreapproved: false,
    maxParallel: 1,
    authHost: 'auth',
    allowDowngrade: false,
    autoRollback: false,
    healthDeadlineMs: 60_000,
    hosts: [
      { agentId: 'auth', plan: ['backup', 'checkout', 'build', 'health'], rerunnable: [] },
      { agentId: 'hoss-a', plan: ['checkout', 'migrate'], rerunnable: [], rollbackPlan: ['rollback-checkout', 'restore'] },
    ],
  });
  return r;
}

describe('rollout logs filters name what exists (coordinator/rpc/log-filter.ts)', () => {
  it('accepts no filter, a host of the rollout, and a step that host plans or would run in a rollback', () => {
    const r = rollout();
    for (const filter of [
      { host: '', step: '' },
      { host: 'hoss-a', step: '' },
      { host: '', step: 'backup' },
      { host: 'hoss-a', step: 'migrate' },
      { host: 'hoss-a', step: 'restore' },
      { host: 'auth', step: 'rollback-checkout' },
    ])
      expect(logFilterProblem(r, filter), JSON.stringify(filter)).to.equal(undefined);
  });

  it('refuses a host that is not in the rollout, naming its hosts', () => {
    expect(logFilterProblem(rollout(), { host: 'nosuch', step: '' })).to.equal(
      'rollout r-7 has no host "nosuch" (its hosts: auth, hoss-a); run `convoy rollout status r-7`',
    );
  });

  it('refuses a step no host plans, naming the steps', () => {
    expect(logFilterProblem(rollout(), { host: '', step: 'nosuch' })).to.equal(
      'rollout r-7 has no step "nosuch" (its steps: backup, checkout, build, health, rollback-checkout, config, up, migrate, restore); run `convoy rollout status r-7`',
    );
  });

  it("refuses a step of another host, naming that host's steps", () => {
    expect(logFilterProblem(rollout(), { host: 'hoss-a', step: 'build' })).to.equal(
      'hoss-a in rollout r-7 has no step "build" (its steps: checkout, migrate, rollback-checkout, restore); run `convoy rollout status r-7`',
    );
  });

  it('accepts a step a host ran even if its plan no longer lists it', () => {
    const r = rollout();
    r.hosts[1]!.runs.push({
      requestId: 'x',
      step: 'release-notes',
      phase: 'members',
      attempt: 1,
      outcome: 'succeeded',
      exitCode: 0,
      reason: '',
      startedAtMs: 0,
      finishedAtMs: 0,
      outputTail: [],
    });
    expect(logFilterProblem(r, { host: 'hoss-a', step: 'release-notes' })).to.equal(undefined);
  });
});
