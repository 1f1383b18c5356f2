import { expect } from 'chai';
import { StepOutputGate } from '../../../../coordinator/logs/output-gate.js';
import {
  AGENT_OUTPUT_RATE,
  LATE_OUTPUT_MS,
  MAX_LOG_BYTES_PER_ROLLOUT,
  MAX_LOG_BYTES_PER_RUN,
  MAX_LOG_LINES_PER_RUN,
  type OutputDropReason,
} from '../../../../coordinator/logs/output-limits.js';
import type { Rollout, StepRun } from '../../../../coordinator/rollout/model.js';
import { FakeClock } from '../../../../shared/clock.js';
import type { StepOutput } from '../../../../shared/wire.js';
import { captureLogger } from '../../agent-daemon/fakes.js';

function run(requestId: string, step: string, outcome: StepRun['outcome'] = 'running'): StepRun {
  return {
    requestId,
    step,
    phase: 'members',
    attempt: 1,
    outcome,
    exitCode: 0,
    reason: '',
    startedAtMs: 1,
    finishedAtMs: 0,
    outputTail: [],
  };
}

function rollout(id: string, hosts: Record<string, StepRun[]>): Rollout {
  return {
    id,
    state: 'running',
    hosts: Object.entries(hosts).map(([agentId, runs]) => ({ agentId, runs })),
  } as unknown as Rollout;
}

function output(requestId: string, lines: string[], rolloutId = 'r-2', step = 'build'): StepOutput {
  return { requestId, rolloutId, step, lines, atMs: 1 };
}

const lines = (n: number, chars = 10): string[] => Array.from({ length: n }, () => 'x'.repeat(chars));

describe('which step output convoyd stores (coordinator/logs/output-gate.ts)', () => {
  let clock: FakeClock;
  let active: Rollout[];
  let dropped: Record<string, number>;
  let granted: number;
  let log: ReturnType<typeof captureLogger>;
  let gate: StepOutputGate;

  beforeEach(() => {
    clock = new FakeClock();
    active = [rollout('r-2', { 'hoss-a': [run('r-2.hoss-a.build.1', 'build')], 'hoss-b': [run('r-2.hoss-b.build.1', 'build')] })];
    dropped = {};
    granted = Number.POSITIVE_INFINITY;
    log = captureLogger();
    gate = new StepOutputGate({
      rollouts: { activeRollouts: () => active },
      logs: { sizeOfRun: () => ({ lines: 0, bytes: 0 }), sizeOfRollout: () => ({ lines: 0, bytes: 0 }) },
      retention: { reserve: (bytes) => Math.min(bytes, granted) },
      clock,
      logger: log.logger,
      counters: { outputDropped: (reason: OutputDropReason, n: number) => (dropped[reason] = (dropped[reason] ?? 0) + n) },
    });
  });

  it('stores output of a step the agent runs, under the step name of the run, not the one it claims', () => {
    expect(gate.admit('hoss-a', output('r-2.hoss-a.build.1', ['compiling'], 'r-2', 'backup'))).to.deep.include({
      step: 'build',
      lines: ['compiling'],
    });
  });

  it('drops (and counts) output for invented request ids, other rollouts and runs of other agents; warns rate-limited', () => {
    const cases = [
      output('r-2.hoss-a.build.99', lines(3)),
      output('r-9.hoss-a.build.1', lines(3), 'r-9'),
      output('r-2.hoss-a.build.1', lines(3), 'r-1'),
      output('r-2.hoss-b.build.1', lines(3)),
    ];
    for (let i = 0; i < 50; i++) for (const c of cases) expect(gate.admit('hoss-a', c)).to.equal(undefined);
    expect(dropped).to.deep.equal({ 'unknown-request': 600 });
    const warned = log.lines.filter((l) => l.startsWith('warn dropped 3 line(s) of step output from agent hoss-a'));
    expect(warned.length, 'a flood is logged a few times, not 200').to.equal(5);
    expect(warned[0]).to.equal(
      'warn dropped 3 line(s) of step output from agent hoss-a for request "r-2.hoss-a.build.99" of rollout "r-2": no step with this request id and rollout was sent to it and is running',
    );
    expect(gate.remembered, 'invented ids leave nothing behind').to.equal(0);
  });

  it(`accepts output of a step that finished less than ${LATE_OUTPUT_MS / 1000}s ago by its own clock, and not later`, () => {
    const before = active[0]!;
    const after = rollout('r-2', { 'hoss-a': [run('r-2.hoss-a.build.1', 'build', 'succeeded')] });
    active = [];
    gate.rolloutChanged(before, after);
    clock.advance(LATE_OUTPUT_MS - 1);
    expect(gate.admit('hoss-a', output('r-2.hoss-a.build.1', ['late']))?.lines).to.deep.equal(['late']);
    expect(gate.admit('hoss-b', output('r-2.hoss-a.build.1', ['forged'])), 'not from another agent').to.equal(undefined);
    clock.advance(2);
    expect(gate.admit('hoss-a', output('r-2.hoss-a.build.1', ['too late']))).to.equal(undefined);
  });

  it(`keeps ${MAX_LOG_LINES_PER_RUN} lines of a run, notes the cut once, and stores nothing more of it`, () => {
    const first = gate.admit('hoss-a', output('r-2.hoss-a.build.1', lines(MAX_LOG_LINES_PER_RUN + 500)))!;
    expect(first.lines).to.have.length(MAX_LOG_LINES_PER_RUN + 1);
    expect(first.lines.at(-1)).to.equal(
      '[convoy: output of this step beyond 5000 lines or 2 MiB is not stored by convoyd; agent hoss-a keeps it in its own log]',
    );
    expect(gate.admit('hoss-a', output('r-2.hoss-a.build.1', lines(10)))).to.equal(undefined);
    expect(dropped['run-limit']).to.equal(510);
  });

  it(`keeps ${MAX_LOG_BYTES_PER_RUN / 1024 / 1024} MiB of a run`, () => {
    const kept = gate.admit('hoss-a', output('r-2.hoss-a.build.1', lines(1000, 4000)))!;
    const bytes = kept.lines.slice(0, -1).reduce((sum, l) => sum + l.length, 0);
    expect(bytes).to.be.at.most(MAX_LOG_BYTES_PER_RUN);
    expect(bytes).to.be.above(MAX_LOG_BYTES_PER_RUN - 4000);
  });

  it(`keeps ${MAX_LOG_BYTES_PER_ROLLOUT / 1024 / 1024} MiB of a rollout across its runs`, () => {
    const runs = Array.from({ length: 20 }, (_, i) => run(`r-2.hoss-a.build.${i}`, 'build'));
    active = [rollout('r-2', { 'hoss-a': runs })];
    clock.advance(3_600_000); // the agent's byte rate is not what this test is about
    let stored = 0;
    for (const r of runs) {
      clock.advance(60_000);
      const kept = gate.admit('hoss-a', output(r.requestId, lines(250, 8000)));
      stored += (kept?.lines ?? []).filter((l) => !l.startsWith('[convoy:')).reduce((sum, l) => sum + l.length, 0);
    }
    expect(stored).to.be.at.most(MAX_LOG_BYTES_PER_ROLLOUT);
    expect(stored).to.be.above(MAX_LOG_BYTES_PER_ROLLOUT - 8000);
    expect(dropped['rollout-limit']).to.be.above(0);
  });

  it(`accepts ${AGENT_OUTPUT_RATE.burst / 1024 / 1024} MiB at once from one agent, then its rate`, () => {
    const runs = Array.from({ length: 12 }, (_, i) => run(`r-2.hoss-a.build.${i}`, 'build'));
    active = [rollout('r-2', { 'hoss-a': runs, 'hoss-b': [run('r-2.hoss-b.build.1', 'build')] })];
    let stored = 0;
    for (const r of runs) stored += gate.admit('hoss-a', output(r.requestId, lines(250, 8000)))?.lines.length ?? 0;
    expect(dropped['agent-rate']).to.be.above(0);
    expect(stored * 8000).to.be.at.most(AGENT_OUTPUT_RATE.burst + 8000 * runs.length);
    expect(gate.admit('hoss-b', output('r-2.hoss-b.build.1', ['other agent']))?.lines, 'another agent has its own rate').to.deep.equal([
      'other agent',
    ]);
  });

  it('stores nothing beyond what retention grants (the total bound), and says so once', () => {
    granted = 0;
    const kept = gate.admit('hoss-a', output('r-2.hoss-a.build.1', lines(3)));
    expect(kept?.lines).to.deep.equal([
      '[convoy: output of this step beyond the total size retention allows (retention.maxLogSize), with no finished rollout left to make room is not stored by convoyd; agent hoss-a keeps it in its own log]',
    ]);
    expect(dropped['total-limit']).to.equal(3);
  });

  it('remembers a bounded number of runs, however many there were', () => {
    const runs = Array.from({ length: 3000 }, (_, i) => run(`r-2.hoss-a.s.${i}`, 'build'));
    active = [rollout('r-2', { 'hoss-a': runs })];
    for (const r of runs) gate.admit('hoss-a', output(r.requestId, ['x']));
    expect(gate.remembered).to.be.at.most(2001);
  });
});
