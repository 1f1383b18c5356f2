import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MAX_JOURNAL_BYTES, MAX_RESULT_BYTES, resultBytes } from '../../../agent/journal-bounds.js';
import { Journal, makeResult, LAG_FLUSH_MS, MAX_UNDELIVERED, type ProcessGroups } from '../../../agent/journal.js';
import { FakeClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/logger.js';
import { captureLogger } from './fakes.js';

const STEP = { requestId: 'q1', rolloutId: 'r1', step: 'build', targetVersion: 'v1.2.0', attempt: 1 };

/** Process groups that record what was asked of them. */
function fakeGroups(alive: number[]): ProcessGroups & { killed: number[] } {
  const killed: number[] = [];
  return {
    killed,
    processGroupAlive: (pgid) => alive.includes(pgid) && !killed.includes(pgid),
    killProcessGroup: (pgid) => {
      killed.push(pgid);
    },
  };
}

describe('agent journal', () => {
  let stateDir: string;
  let clock: FakeClock;
  const open = (bootId = 'boot-1') => Journal.open({ stateDir, clock, logger: silentLogger(), bootId: () => bootId });
  const onDisk = () =>
    JSON.parse(fs.readFileSync(path.join(stateDir, 'journal.json'), 'utf8')) as { inFlight: unknown; undelivered: unknown[] };

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-journal-'));
    clock = new FakeClock();
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('starts empty when there is no journal file', () => {
    const j = open();
    expect(j.inFlight).to.equal(undefined);
    expect(j.undelivered).to.deep.equal([]);
  });

  it('persists the step in flight before it starts, with mode 0600', () => {
    open().begin({ ...STEP, startedAtMs: 1000 });
    expect(onDisk().inFlight).to.deep.equal({ ...STEP, startedAtMs: 1000 });
    expect(fs.statSync(path.join(stateDir, 'journal.json')).mode & 0o777).to.equal(0o600);
    expect(open().inFlight).to.deep.equal({ ...STEP, startedAtMs: 1000 });
  });

  it('refuses a second step while one is in flight', () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    expect(() => j.begin({ ...STEP, requestId: 'q2', startedAtMs: 1000 })).to.throw(
      'journal already has step build (request q1) in flight',
    );
  });

  it('records the process group with the boot it belongs to', () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    j.setPgid(4321);
    expect(open().inFlight).to.deep.include({ pgids: [4321], bootId: 'boot-1' });
  });

  it('keeps every running process group of a step and forgets those that ended', () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    j.setPgid(4321);
    j.setPgid(4400);
    expect(open().inFlight?.pgids).to.deep.equal([4321, 4400]);
    j.forgetPgid(4321);
    expect(j.inFlight?.pgids).to.deep.equal([4400]);
    // an ended group costs no write of its own: the next write carries it
    expect(open().inFlight?.pgids).to.deep.equal([4321, 4400]);
    j.setPgid(4500);
    expect(open().inFlight?.pgids).to.deep.equal([4400, 4500]);
  });

  it('clears the step in flight and keeps its result in one write', () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    const result = makeResult(STEP, 'SUCCEEDED', '', 1000, 2000);
    j.recordResult(result);
    expect(onDisk()).to.deep.equal({ inFlight: null, undelivered: [result] });
    expect(fs.readdirSync(stateDir)).to.deep.equal(['journal.json']);
  });

  it('keeps the step in flight when recording the result of another request (a refusal while busy)', () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    j.recordResult(makeResult({ ...STEP, requestId: 'q2' }, 'REFUSED', 'agent busy with step build of rollout r1', 1500, 1500));
    expect(j.inFlight?.requestId).to.equal('q1');
    expect(j.undelivered.map((r) => r.requestId)).to.deep.equal(['q2']);
  });

  it('keeps results until the coordinator acknowledges them, and records a request once', () => {
    const j = open();
    j.recordResult(makeResult(STEP, 'FAILED', 'exit 2', 1000, 2000));
    j.recordResult(makeResult({ ...STEP, requestId: 'q2' }, 'SUCCEEDED', '', 2000, 3000));
    j.recordResult(makeResult({ ...STEP, requestId: 'q2' }, 'SUCCEEDED', '', 2000, 3000));
    expect(open().undelivered.map((r) => r.requestId)).to.deep.equal(['q1', 'q2']);
    expect(j.ack(['q1', 'unknown'])).to.equal(1);
    expect(j.undelivered.map((r) => r.requestId)).to.deep.equal(['q2']);
    // an ack costs no write of its own (a result sent again after a crash is acked again): the next write or close carries it
    expect(open().undelivered.map((r) => r.requestId)).to.deep.equal(['q1', 'q2']);
    j.close();
    expect(open().undelivered.map((r) => r.requestId)).to.deep.equal(['q2']);
    expect(j.findUndelivered('q2')?.outcome).to.equal('SUCCEEDED');
    expect(j.findUndelivered('q1')).to.equal(undefined);
  });

  it(`writes an ack on its own once the agent stays idle for ${LAG_FLUSH_MS} ms`, () => {
    const j = open();
    j.recordResult(makeResult(STEP, 'SUCCEEDED', '', 1000, 2000));
    j.ack(['q1']);
    clock.advance(LAG_FLUSH_MS - 1);
    expect(open().undelivered).to.have.length(1);
    clock.advance(1);
    expect(open().undelivered).to.have.length(0);
  });

  it(`keeps at most ${MAX_UNDELIVERED} unacknowledged results, dropping the oldest`, () => {
    const j = open();
    for (let i = 0; i <= MAX_UNDELIVERED; i++) j.recordResult(makeResult({ ...STEP, requestId: `q${i}` }, 'SUCCEEDED', '', 0, 1));
    expect(j.undelivered).to.have.length(MAX_UNDELIVERED);
    expect(j.undelivered[0]?.requestId).to.equal('q1');
  });

  it('turns a step left in flight into an INTERRUPTED result and kills its process group', async () => {
    const before = open();
    before.begin({ ...STEP, startedAtMs: 1000 });
    before.setPgid(1234);
    clock.set(Date.UTC(2026, 0, 2));
    const groups = fakeGroups([1234]);
    const result = await open().recoverAfterRestart(groups);
    expect(groups.killed).to.deep.equal([1234]);
    expect(result).to.deep.include({
      requestId: 'q1',
      rolloutId: 'r1',
      step: 'build',
      outcome: 'INTERRUPTED',
      exitCode: -1,
      reason: 'agent restarted while step build was running; process group 1234 killed',
      startedAtMs: 1000,
      finishedAtMs: Date.UTC(2026, 0, 2),
      attempt: 1,
    });
    const after = open();
    expect(after.inFlight).to.equal(undefined);
    expect(after.undelivered).to.deep.equal([result]);
  });

  const cases: [string, (j: Journal) => void, string, number[]][] = [
    ['no process group was recorded', () => {}, 'agent restarted while step build was running; no process group was recorded', []],
    [
      'the group already exited',
      (j) => j.setPgid(999),
      'agent restarted while step build was running; process group 999 had already exited',
      [],
    ],
  ];
  for (const [name, setUp, reason, killed] of cases) {
    it(`explains the interruption when ${name}`, async () => {
      const j = open();
      j.begin({ ...STEP, startedAtMs: 1000 });
      setUp(j);
      const groups = fakeGroups([]);
      expect((await open().recoverAfterRestart(groups))?.reason).to.equal(reason);
      expect(groups.killed).to.deep.equal(killed);
    });
  }

  it('does not kill a recorded process group after a reboot (the id may belong to someone else now)', async () => {
    const j = open('boot-1');
    j.begin({ ...STEP, startedAtMs: 1000 });
    j.setPgid(1234);
    const groups = fakeGroups([1234]);
    const result = await open('boot-2').recoverAfterRestart(groups);
    expect(result?.reason).to.equal('agent restarted while step build was running; the host rebooted since, so process group 1234 is gone');
    expect(groups.killed).to.deep.equal([]);
  });

  it('has nothing to recover after a clean stop', async () => {
    expect(await open().recoverAfterRestart(fakeGroups([]))).to.equal(undefined);
  });

  it('moves an unreadable journal aside instead of refusing to start', () => {
    fs.writeFileSync(path.join(stateDir, 'journal.json'), '{"inFlight": ');
    const j = open();
    expect(j.undelivered).to.deep.equal([]);
    expect(fs.readdirSync(stateDir).sort()).to.deep.equal(['journal.json', `journal.json.corrupt-${clock.now()}`]);
  });

  describe('bounded in bytes', () => {
    /** A result whose output tail holds `lines` lines of `chars` characters. */
    const big = (requestId: string, lines: number, chars = 4000) => ({
      ...makeResult({ ...STEP, requestId }, 'FAILED', 'exit 2', 0, 1),
      outputTail: Array.from({ length: lines }, (_, i) => `${i} ${'x'.repeat(chars)}`),
    });
    const withLog = () => {
      const log = captureLogger();
      return { log, j: Journal.open({ stateDir, clock, logger: log.logger, bootId: () => 'b' }) };
    };

    it('cuts a result over MAX_RESULT_BYTES to its newest output lines, says so in the result and the log, and returns what it kept', () => {
      const { log, j } = withLog();
      const raw = big('q1', 200);
      expect(resultBytes(raw)).to.be.above(MAX_RESULT_BYTES);
      const kept = j.recordResult(raw);
      expect(resultBytes(kept)).to.be.at.most(MAX_RESULT_BYTES);
      expect(kept.outputTail[0]).to.match(/^\[convoy: \d+ earlier line\(s\) of the output tail dropped to fit the result in \d+ bytes\]$/);
      expect(kept.outputTail.at(-1), 'the newest line stays').to.equal(raw.outputTail.at(-1));
      expect(j.undelivered).to.deep.equal([kept]);
      expect(
        log.lines.some((l) => /^warn result of step build \(request q1\) is too large for the journal; dropped \d+ line/.test(l)),
      ).to.equal(true);
    });

    it(`keeps the journal under MAX_JOURNAL_BYTES: the oldest results keep outcome and reason, lose their tail, with a log line each`, () => {
      const { log, j } = withLog();
      for (let i = 0; i < 40; i++) j.recordResult(big(`q${i}`, 120));
      const total = j.undelivered.reduce((sum, r) => sum + resultBytes(r), 0);
      expect(total).to.be.at.most(MAX_JOURNAL_BYTES);
      expect(j.undelivered).to.have.length(40);
      expect(j.undelivered[0]).to.deep.include({ requestId: 'q0', outcome: 'FAILED', reason: 'exit 2' });
      expect(j.undelivered[0]?.outputTail).to.deep.equal(['[convoy: output tail dropped: the journal was over its size limit]']);
      expect(j.undelivered[39]?.outputTail).to.have.length(120);
      expect(log.lines.filter((l) => l.includes('kept only the outcome and reason')).length).to.be.above(0);
      expect(fs.statSync(path.join(stateDir, 'journal.json')).size).to.be.below(2 * MAX_JOURNAL_BYTES);
    });

    it('offers a Hello the newest results that fit its budget, and logs how many wait for after it', () => {
      const { log, j } = withLog();
      for (let i = 0; i < 6; i++) j.recordResult(big(`q${i}`, 100));
      const one = resultBytes(j.undelivered[0]!);
      const kept = j.resultsForHello(3 * one + 100);
      expect(kept.map((r) => r.requestId)).to.deep.equal(['q3', 'q4', 'q5']);
      expect(j.undelivered, 'nothing leaves the journal before an ack').to.have.length(6);
      expect(log.lines).to.include(
        `warn the Hello carries the newest 3 of 6 unacknowledged results (a message holds at most ${3 * one + 100} bytes of them); the other 3 are sent right after it`,
      );
    });

    it('brings an oversized journal written before the bound within it when opened', () => {
      const undelivered = Array.from({ length: 30 }, (_, i) => big(`old${i}`, 200, 2000));
      fs.writeFileSync(path.join(stateDir, 'journal.json'), JSON.stringify({ inFlight: null, undelivered }));
      const j = open();
      expect(j.undelivered.reduce((sum, r) => sum + resultBytes(r), 0)).to.be.at.most(MAX_JOURNAL_BYTES);
      expect(j.undelivered.map((r) => r.requestId)).to.deep.equal(undelivered.map((r) => r.requestId));
    });
  });
});
