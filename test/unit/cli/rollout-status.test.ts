import { expect } from 'chai';
import { formatRolloutStatus, hostRows, stepRows } from '../../../coordinator/cli/commands/rollout-status.js';
import { paint } from '../../../coordinator/cli/output.js';
import { nextCommands } from '../../../coordinator/cli/rollout-text.js';
import { failedRollout, hostView, stepRun } from './fake-context.js';

const plain = paint(false);
const NOW = Date.UTC(2025, 0, 31, 12, 0, 0);

describe('rollout status output', () => {
  it('lists hosts in rollout order with the auth host marked', () => {
    expect(hostRows(failedRollout(), plain)).to.deep.equal([
      ['* hoss-auth', 'auth', 'updated', '-', '0.1.0'],
      ['  hoss-a', 'member', 'failed', 'build', '0.1.0'],
      ['  hoss-b', 'member', 'backed-up', '-', '0.1.0'],
    ]);
  });

  it('shows each step run with outcome, exit code, duration and reason', () => {
    const host = failedRollout().hosts.find((h) => h.agentId === 'hoss-a')!;
    expect(stepRows(host, NOW, plain)).to.deep.equal([
      ['backup', 'succeeded', '0', '3.2s', '-'],
      ['checkout', 'succeeded', '0', '3.2s', '-'],
      ['build', 'failed', '2', '3.2s', 'exit code 2'],
    ]);
  });

  it('shows a running step with its elapsed time and no exit code', () => {
    const host = hostView('hoss-a', { steps: [stepRun('build', 'running', { startedAtMs: NOW - 4500 })] });
    expect(stepRows(host, NOW, plain)).to.deep.equal([['build', 'running', '-', '4.5s…', '-']]);
  });

  it('numbers retried steps', () => {
    const host = hostView('hoss-a', { steps: [stepRun('health', 'succeeded', { attempt: 2 })] });
    expect(stepRows(host, NOW, plain)[0]?.[0]).to.equal('health (#2)');
  });

  it('prints the header, the failed host and step, the output tail and the next commands', () => {
    const text = formatRolloutStatus(failedRollout(), NOW, plain).join('\n');
    expect(text).to.match(/^Rollout {4}r-7$/m);
    expect(text).to.match(/^Cluster {4}demo \(auth hoss-auth, max parallel 1\)$/m);
    expect(text).to.match(/^State {6}failed$/m);
    expect(text).to.match(/^Reason {5}step build failed on hoss-a \(exit 2\)$/m);
    expect(text).to.match(/^Failed {5}hoss-a, step build$/m);
    expect(text).to.match(/^Ack {8}not required$/m);
    expect(text).to.include('hoss-a (member, failed, at build, from 0.1.0)');
    expect(text).to.include('    | make: *** [build] Error 2');
    expect(text).to.include('  convoy rollout logs r-7 --host hoss-a --step build');
    expect(text).to.include('  convoy rollout rollback r-7');
  });

  it('shows no output tail for steps that succeeded', () => {
    const view = failedRollout();
    view.hosts[1]!.steps[0]!.outputTail = ['backup: wrote /x.tar.gz'];
    expect(formatRolloutStatus(view, NOW, plain).join('\n')).to.not.include('backup: wrote');
  });

  it('asks for an acknowledgement with the command and the required lines', () => {
    const view = {
      ...failedRollout(),
      state: 'awaiting-ack',
      phase: 'preflight',
      reason: 'release notes require action',
      failedHost: '',
      failedStep: '',
      finishedAtMs: 0,
      ackRequired: true,
      releaseNotes: [
        {
          version: '0.3.0',
          source: 'CHANGELOG.md',
          text: '',
          requiresAction: true,
          requiredLines: ['ACTION REQUIRED: add STORAGE_LAYOUT=v2'],
        },
      ],
    };
    const text = formatRolloutStatus(view, NOW, plain).join('\n');
    expect(text).to.match(/^Ack {8}required, waiting: convoy rollout ack r-7$/m);
    expect(text).to.include('    ! ACTION REQUIRED: add STORAGE_LAYOUT=v2');
    expect(nextCommands(view)).to.deep.equal(['convoy rollout ack r-7', 'convoy rollout abort r-7']);
  });

  it('suggests a rollback only when the coordinator says one would start', () => {
    const view = failedRollout();
    expect(nextCommands(view)).to.include('convoy rollout rollback r-7 --watch');
    const blocked = { ...failedRollout(), rollbackPossible: false, rollbackBlocked: 'hoss-a failed before its checkout' };
    expect(nextCommands(blocked)).to.deep.equal(['convoy rollout logs r-7 --host hoss-a --step build']);
  });

  it('names the host of a single-host rollout', () => {
    const view = { ...failedRollout(), cluster: '', hosts: [hostView('hoss-x', { role: 'single', order: 1 })] };
    expect(formatRolloutStatus(view, NOW, plain)).to.include('Host       hoss-x');
  });
});
