/** ScheduleView as ListSchedules returns it: windows in the schedule's timezone, and where the last rollout is now. */
import { expect } from 'chai';
import { scheduleView } from '../../../coordinator/rpc/schedule-service.js';
import type { Rollout } from '../../../coordinator/rollout/model.js';
import type { ScheduleStatus } from '../../../coordinator/schedule/scheduler.js';
import { schedule } from './harness.js';

const START = Date.UTC(2026, 2, 29, 1); // Sun 2026-03-29 03:00 CEST, the spring-forward morning

function status(over: Partial<ScheduleStatus> = {}): ScheduleStatus {
  return {
    config: schedule(),
    enabled: true,
    nextWindows: [{ startMs: START, endMs: START + 3 * 3_600_000 }],
    resolution: { kind: 'update', target: '0.3.1', behind: ['hoss-a'] },
    state: {
      name: 'weekly',
      enabledOverride: null,
      lastWindowStartMs: 0,
      lastWindowEndMs: 0,
      lastRunAtMs: 0,
      lastOutcome: '',
      lastRolloutId: '',
    },
    ...over,
  };
}

describe('ScheduleView', () => {
  it('shows each window in the schedule timezone as its clock reads then', () => {
    expect(scheduleView(status()).nextWindows).to.deep.equal([
      {
        startMs: START,
        endMs: START + 3 * 3_600_000,
        startLocal: 'Sun 2026-03-29 03:00 +02:00',
        endLocal: 'Sun 2026-03-29 06:00 +02:00',
      },
    ]);
  });

  it('carries the resolved target, or the reason it cannot be resolved', () => {
    expect(scheduleView(status())).to.deep.include({ resolvedTarget: '0.3.1', resolveProblem: '' });
    const problem = scheduleView(status({ resolution: { kind: 'problem', problem: 'tag 0.4.0 is missing on hoss-a' } }));
    expect(problem).to.deep.include({ resolvedTarget: '', resolveProblem: 'tag 0.4.0 is missing on hoss-a' });
  });

  it('adds where the last rollout is now, unless the outcome already says it', () => {
    const r = { id: 'r-4', state: 'awaiting-ack', reason: 'release notes of 0.3.0 declare required changes' } as Rollout;
    const started = status({ state: { ...status().state, lastOutcome: 'started r-4 to 0.3.1', lastRolloutId: 'r-4' }, lastRollout: r });
    expect(scheduleView(started).lastOutcome).to.equal(
      'started r-4 to 0.3.1 (r-4 is now awaiting-ack: release notes of 0.3.0 declare required changes)',
    );
    const running = { ...r, state: 'running', reason: '' } as Rollout;
    const skipped = status({
      state: { ...status().state, lastOutcome: 'skipped: rollout r-4 is running', lastRolloutId: 'r-4' },
      lastRollout: running,
    });
    expect(scheduleView(skipped).lastOutcome).to.equal('skipped: rollout r-4 is running');
  });
});
