import { expect } from 'chai';
import { paint } from '../../../coordinator/cli/output.js';
import { describeChanges, finalSummary, renderWatchFrame, stepElapsed } from '../../../coordinator/cli/watch-render.js';
import type { RolloutView } from '../../../coordinator/cli/views.js';
import { failedRollout, hostView, stepRun } from './fake-context.js';

const plain = paint(false);
const NOW = new Date(2025, 0, 31, 12, 1, 3).getTime(); // local time: the lines show 12:01:03

function running(): RolloutView {
  return {
    ...failedRollout(),
    state: 'running',
    reason: '',
    failedHost: '',
    failedStep: '',
    finishedAtMs: 0,
    hosts: [
      hostView('hoss-auth', { role: 'auth', order: 1, state: 'updated', steps: [stepRun('build', 'succeeded', { phase: 'auth' })] }),
      hostView('hoss-a', {
        state: 'updating',
        currentStep: 'build',
        stepStartedAtMs: NOW - 3200,
        steps: [stepRun('build', 'running', { startedAtMs: NOW - 3200 })],
      }),
    ],
  };
}

describe('rollout watch output', () => {
  it('draws a header and one line per host, the auth host marked with *', () => {
    const frame = renderWatchFrame(running(), NOW, plain);
    expect(frame[0]).to.equal('rollout r-7  cluster demo → 0.2.0  running  phase members  ack not required');
    expect(frame.slice(1)).to.deep.equal([
      '  HOST       PHASE    STEP   ELAPSED  STATE',
      '* hoss-auth  auth     -      -        updated',
      '  hoss-a     members  build  3.2s     updating',
    ]);
  });

  it('shows the final duration of a host whose step has ended instead of a growing clock', () => {
    const host = hostView('hoss-b', {
      state: 'backed-up',
      currentStep: 'backup',
      stepStartedAtMs: NOW - 60_000,
      steps: [stepRun('backup', 'succeeded')],
    });
    expect(stepElapsed(host, NOW)).to.equal('3.2s');
    expect(stepElapsed(hostView('hoss-c'), NOW)).to.equal('-');
  });

  it('adds the reason and the command to continue while awaiting acknowledgement', () => {
    const view = { ...running(), state: 'awaiting-ack', reason: 'release notes of 0.3.0 require action', ackRequired: true };
    const frame = renderWatchFrame(view, NOW, plain);
    expect(frame).to.include('waiting for acknowledgement: release notes of 0.3.0 require action.');
    expect(frame.at(-1)).to.include('Continue: convoy rollout ack r-7');
  });

  it('prints plain lines only for what changed, stamped with the time', () => {
    const first = running();
    expect(describeChanges(undefined, first, NOW)).to.deep.equal([
      '12:01:03 rollout r-7 cluster demo → 0.2.0 running phase members',
      '12:01:03 hoss-auth updated build succeeded 3.2s',
      '12:01:03 hoss-a updating build',
    ]);
    expect(describeChanges(first, first, NOW)).to.deep.equal([]);
    const next = running();
    next.hosts[1] = { ...next.hosts[1]!, state: 'failed', steps: [stepRun('build', 'failed', { reason: 'exit code 2' })] };
    next.state = 'failed';
    expect(describeChanges(first, next, NOW)).to.deep.equal([
      '12:01:03 rollout r-7 failed phase members',
      '12:01:03 hoss-a failed build failed 3.2s: exit code 2',
    ]);
  });

  it('prints the reason and the resume command once when the rollout pauses', () => {
    const paused = { ...running(), state: 'paused', reason: 'paused by alice@ops' };
    const lines = describeChanges(running(), paused, NOW);
    expect(lines).to.include('12:01:03 paused: paused by alice@ops.');
    expect(lines).to.include('12:01:03 Continue: convoy rollout resume r-7');
    expect(describeChanges(paused, paused, NOW)).to.deep.equal([]);
  });

  it('ends a failed rollout with where it failed and what to run next', () => {
    expect(finalSummary(failedRollout())).to.deep.equal([
      'rollout r-7 failed on hoss-a at step build: step build failed on hoss-a (exit 2) (took 1m02s)',
      'Next: convoy rollout logs r-7 --host hoss-a --step build   convoy rollout rollback r-7 --watch',
    ]);
  });
});
