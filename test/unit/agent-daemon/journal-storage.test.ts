/**
 * A state directory that is full (or read-only) while the agent works: the journal keeps what
 * happened and retries its write on a timer, a step waits for the disk instead of being
 * refused, and every message names the file, the cause and the fix. The "disk" is a writer
 * that fails with the errno the kernel gives; the e2e suite fills a real tmpfs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAgentConfig } from '../../../agent/config.js';
import { Daemon } from '../../../agent/daemon.js';
import { Journal, makeResult } from '../../../agent/journal.js';
import { HealthMonitor } from '../../../agent/link/health-monitor.js';
import { StorageError } from '../../../agent/storage-error.js';
import { writeFileAtomicSync } from '../../../shared/atomic-write.js';
import type { BackoffPolicy } from '../../../shared/backoff.js';
import { FakeClock } from '../../../shared/clock.js';
import { silentLogger, type Logger } from '../../../shared/logger.js';
import { captureLogger, FakeLink, FakePlan, request, settle } from './fakes.js';

const STEP = { requestId: 'q1', rolloutId: 'r1', step: 'build', targetVersion: 'v1.2.0', attempt: 1 };
/** No jitter: the retries come at 100, 300, 700, 1100, 1500… ms. */
const RETRY: BackoffPolicy = { initialMs: 100, maxMs: 400, multiplier: 2, jitter: 0 };

/** A disk the test fills and frees: while full, every write fails as the kernel says it. */
class Disk {
  code: string | undefined;
  attempts = 0;
  readonly writeFile = (file: string, text: string): void => {
    this.attempts += 1;
    if (this.code) throw Object.assign(new Error(`${this.code}: the kernel refused, write`), { code: this.code });
    writeFileAtomicSync(file, text);
  };
}

describe('agent journal on a full or read-only disk', () => {
  let stateDir: string;
  let clock: FakeClock;
  let disk: Disk;
  const open = (logger: Logger = silentLogger()) =>
    Journal.open({ stateDir, clock, logger, bootId: () => 'b', writeFile: disk.writeFile, retry: RETRY });
  const onDisk = () =>
    JSON.parse(fs.readFileSync(path.join(stateDir, 'journal.json'), 'utf8')) as {
      inFlight: { requestId: string } | null;
      undelivered: { requestId: string }[];
    };
  const enospc = () =>
    `cannot write ${stateDir}/journal.json: no space left on device (ENOSPC); free space on the file system holding ${stateDir} (df -h ${stateDir})`;

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-journal-disk-'));
    clock = new FakeClock();
    disk = new Disk();
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('keeps a result it cannot write, says why with the file and the fix, and writes it by itself once there is room', async () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    disk.code = 'ENOSPC';
    j.recordResult(makeResult(STEP, 'SUCCEEDED', '', 1000, 2000));
    expect(j.inFlight, 'a step whose result exists is not in flight').to.equal(undefined);
    expect(j.undelivered.map((r) => r.requestId)).to.deep.equal(['q1']);
    expect(j.writeProblem?.message).to.equal(enospc());
    expect(onDisk().inFlight?.requestId, 'the disk still has the old journal, whole').to.equal('q1');
    const written = j.whenWritable();
    disk.code = undefined;
    clock.advance(100);
    await written;
    expect(j.writeProblem).to.equal(undefined);
    expect(onDisk()).to.deep.include({ inFlight: null });
    expect(onDisk().undelivered.map((r) => r.requestId)).to.deep.equal(['q1']);
  });

  it('retries a failed write with backoff while the disk stays full', () => {
    const j = open();
    disk.code = 'ENOSPC';
    disk.attempts = 0;
    j.recordResult(makeResult(STEP, 'FAILED', 'exit 2', 1000, 2000));
    const attemptsAt = (ms: number): number => {
      clock.advance(ms);
      return disk.attempts;
    };
    expect([
      attemptsAt(99),
      attemptsAt(1),
      attemptsAt(199),
      attemptsAt(1),
      attemptsAt(400),
      attemptsAt(400),
      attemptsAt(400),
    ]).to.deep.equal([1, 2, 2, 3, 4, 5, 6]);
  });

  it('does not begin a step it cannot journal, and leaves nothing in flight to refuse the next one', () => {
    const j = open();
    disk.code = 'EROFS';
    expect(() => j.begin({ ...STEP, startedAtMs: 1000 }))
      .to.throw(StorageError)
      .with.property(
        'message',
        `cannot write ${stateDir}/journal.json: read-only file system (EROFS); remount the file system holding ${stateDir} read-write, or point stateDir elsewhere`,
      );
    expect(j.inFlight).to.equal(undefined);
    disk.code = undefined;
    j.begin({ ...STEP, requestId: 'q2', startedAtMs: 1000 });
    expect(onDisk().inFlight?.requestId).to.equal('q2');
  });

  it('begins the next step right after a result it could not write, and writes both at once', () => {
    const j = open();
    j.begin({ ...STEP, startedAtMs: 1000 });
    disk.code = 'ENOSPC';
    j.recordResult(makeResult(STEP, 'SUCCEEDED', '', 1000, 2000));
    disk.code = undefined;
    j.begin({ ...STEP, requestId: 'q2', step: 'up', startedAtMs: 2000 });
    expect(onDisk().inFlight?.requestId).to.equal('q2');
    expect(onDisk().undelivered.map((r) => r.requestId)).to.deep.equal(['q1']);
    expect(j.writeProblem).to.equal(undefined);
  });

  it('says at start, with the file and the fix, that the state directory cannot be written', () => {
    const log = captureLogger();
    disk.code = 'EACCES';
    open(log.logger);
    expect(log.lines).to.deep.equal([
      `error journal not written: cannot write ${stateDir}/journal.json: permission denied (EACCES); make ${stateDir} writable by the user running convoy-agent (chown, chmod 700). convoy-agent retries by itself (next in 100ms); until a write succeeds, results go to the coordinator over the stream only and new steps wait`,
    ]);
  });
});

describe('agent daemon on a full disk', () => {
  let dir: string;
  let clock: FakeClock;
  let disk: Disk;
  let plan: FakePlan;
  let link: FakeLink;
  let journal: Journal;
  let daemon: Daemon;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-daemon-disk-'));
    fs.mkdirSync(path.join(dir, 'repo', '.git'), { recursive: true });
    const config = parseAgentConfig(
      path.join(dir, 'agent.yaml'),
      'id: hoss-a\ncoordinator: { address: "127.0.0.1:7400", insecure: true }\nrepo: repo\nstateDir: state\n',
    );
    clock = new FakeClock();
    disk = new Disk();
    plan = new FakePlan();
    link = new FakeLink();
    journal = Journal.open({ stateDir: config.stateDir, clock, logger: silentLogger(), writeFile: disk.writeFile, retry: RETRY });
    const health = new HealthMonitor({
      probe: () => plan.probeHealth(),
      intervalMs: 10_000,
      clock,
      logger: silentLogger(),
      onChange: () => {},
    });
    daemon = new Daemon({
      config,
      plan,
      journal,
      link,
      health,
      clock,
      logger: silentLogger(),
      processes: { processGroupAlive: () => false, killProcessGroup: () => {} },
      agentVersion: '0.1.0',
      hostname: 'host-a',
    });
    await daemon.start();
  });

  afterEach(async () => {
    disk.code = undefined;
    const stopping = daemon.stop('test over');
    for (const r of plan.runs) r.finish();
    await stopping;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stateDir = () => path.join(dir, 'state');
  const outputLines = () => link.of('output').flatMap((o) => o.lines);

  it('sends a result it cannot journal with the cause in its reason, holds the next step until there is room, then runs it', async () => {
    const first = daemon.runStep(request());
    await settle();
    disk.code = 'ENOSPC';
    plan.runs[0]!.finish({ reason: 'built' });
    await first;
    const cause = `cannot write ${stateDir()}/journal.json: no space left on device (ENOSPC); free space on the file system holding ${stateDir()} (df -h ${stateDir()})`;
    expect(link.of('result')[0]).to.deep.include({
      requestId: 'q1',
      outcome: 'SUCCEEDED',
      reason: `built [convoy: result not in the agent's journal yet: ${cause}; sent over the stream, and the agent retries the write]`,
    });

    const second = daemon.runStep(request({ requestId: 'q2', step: 'up' }));
    await settle();
    expect(plan.runs, 'the next step waits for the journal').to.have.length(1);
    expect(link.of('result'), 'and is not refused').to.have.length(1);
    expect(outputLines()).to.include(`step up waits: ${cause}. It starts by itself once the journal can be written (the agent retries)`);

    disk.code = undefined;
    clock.advance(100);
    await settle();
    expect(plan.runs).to.have.length(2);
    expect(outputLines().at(-1)).to.equal('the journal can be written again; step up starts now');
    plan.runs[1]!.finish();
    await second;
    expect(link.of('result').map((r) => [r.requestId, r.outcome])).to.deep.equal([
      ['q1', 'SUCCEEDED'],
      ['q2', 'SUCCEEDED'],
    ]);
    const saved = JSON.parse(fs.readFileSync(path.join(stateDir(), 'journal.json'), 'utf8')) as { undelivered: { requestId: string }[] };
    expect(
      saved.undelivered.map((r) => r.requestId),
      'nothing recorded was lost',
    ).to.deep.equal(['q1', 'q2']);
  });

  it('cancels a step waiting for the journal when the coordinator asks', async () => {
    disk.code = 'ENOSPC';
    const waiting = daemon.runStep(request());
    await settle();
    daemon.cancel('q1', 'aborted by alice');
    await waiting;
    expect(plan.runs).to.have.length(0);
    expect(link.of('result')[0]).to.deep.include({ requestId: 'q1', outcome: 'CANCELLED' });
    expect(link.of('result')[0]?.reason).to.match(
      /^cancelled while waiting for the journal: cancelled by the coordinator: aborted by alice \[convoy: result not in the agent's journal yet: cannot write /,
    );
  });
});
