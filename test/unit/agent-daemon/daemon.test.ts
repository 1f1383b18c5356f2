import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAgentConfig } from '../../../agent/config.js';
import { Daemon } from '../../../agent/daemon.js';
import { Journal, makeResult } from '../../../agent/journal.js';
import { HealthMonitor } from '../../../agent/link/health-monitor.js';
import type { LinkHandlers } from '../../../agent/link/link.js';
import type { AgentConfig } from '../../../agent/types.js';
import { FakeClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/logger.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/proto.js';
import { agentMessageBytes } from '../../../shared/wire-size.js';
import type { StepResult } from '../../../shared/wire.js';
import { FakeLink, FakePlan, request, settle } from './fakes.js';

const GRACE_MS = 60_000;

describe('agent daemon', () => {
  let dir: string;
  let config: AgentConfig;
  let clock: FakeClock;
  let plan: FakePlan;
  let link: FakeLink & { handlers?: LinkHandlers };
  let journal: Journal;
  let daemon: Daemon;
  const killed: number[] = [];

  function makeDaemon(): Daemon {
    journal = Journal.open({ stateDir: config.stateDir, clock, logger: silentLogger(), bootId: () => 'boot' });
    const health = new HealthMonitor({
      probe: () => plan.probeHealth(),
      intervalMs: 10_000,
      clock,
      logger: silentLogger(),
      onChange: (h) => link.send({ health: { health: h } }),
    });
    link = Object.assign(new FakeLink(), { handlers: undefined as LinkHandlers | undefined });
    const fake = link;
    fake.start = (h?: LinkHandlers) => {
      fake.started = true;
      fake.handlers = h;
    };
    return new Daemon({
      config,
      plan,
      journal,
      link: fake,
      health,
      clock,
      logger: silentLogger(),
      processes: { processGroupAlive: () => true, killProcessGroup: (pgid) => void killed.push(pgid) },
      agentVersion: '0.1.0',
      hostname: 'host-a',
      graceMs: GRACE_MS,
      batching: { flushMs: 100, maxLines: 3, maxLineChars: 20 },
    });
  }

  const handlers = (): LinkHandlers => {
    if (!link.handlers) throw new Error('the link was not started');
    return link.handlers;
  };
  const results = (): StepResult[] => link.of('result');
  const run = (i = 0) => {
    const r = plan.runs[i];
    if (!r) throw new Error(`run ${i} did not start`);
    return r;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-daemon-'));
    fs.mkdirSync(path.join(dir, 'repo', '.git'), { recursive: true });
    config = parseAgentConfig(
      path.join(dir, 'agent.yaml'),
      'id: hoss-a\ncoordinator: { address: "127.0.0.1:7400", insecure: true }\nrepo: repo\nstateDir: state\n',
    );
    clock = new FakeClock();
    plan = new FakePlan();
    killed.length = 0;
    daemon = makeDaemon();
    await daemon.start();
  });

  afterEach(async () => {
    const stopping = daemon.stop('test over');
    for (const r of plan.runs) r.finish();
    await stopping;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies backup.keep after a backup step that succeeded, before it reports the catalogue; not after other steps or a failed backup', async () => {
    const backup = daemon.runStep(request({ requestId: 'b1', step: 'backup', rolloutId: 'r-5' }));
    await settle();
    run(0).finish();
    await backup;
    const build = daemon.runStep(request({ requestId: 'b2', step: 'build', rolloutId: 'r-5' }));
    await settle();
    run(1).finish();
    await build;
    const failed = daemon.runStep(request({ requestId: 'b3', step: 'backup-after', rolloutId: 'r-5' }));
    await settle();
    run(2).finish({ outcome: 'FAILED', exitCode: 3 });
    await failed;
    expect(plan.pruned).to.deep.equal(['r-5']);
  });

  it('starts the link once the journal is recovered', () => {
    expect(daemon.state).to.equal('running');
    expect(link.started).to.equal(true);
  });

  it('journals the step before it runs, with its process group, then records and sends the result, which carries the repository', async () => {
    const done = daemon.runStep(request());
    await settle();
    expect(journal.inFlight).to.deep.include({ requestId: 'q1', step: 'build', targetVersion: 'v1.2.0', attempt: 1 });
    run().hooks.onProcessGroup(4242);
    expect(Journal.open({ stateDir: config.stateDir, clock, logger: silentLogger() }).inFlight?.pgids).to.deep.equal([4242]);
    run().finish({ outputTail: ['ok'] });
    await done;
    expect(journal.inFlight).to.equal(undefined);
    expect(results()).to.have.length(1);
    expect(results()[0]).to.deep.include({ requestId: 'q1', rolloutId: 'r1', step: 'build', outcome: 'SUCCEEDED', attempt: 1 });
    expect(journal.undelivered.map((r) => r.requestId)).to.deep.equal(['q1']);
    // the repository is in the result: no second report (and no second read of git) per step
    expect(link.sent.filter((m) => m.repo)).to.deep.equal([]);
  });

  it('reports the backup catalogue after a step that recorded a backup', async () => {
    const done = daemon.runStep(request());
    await settle();
    const repo = { installedVersion: 'v1.2.0', commit: 'abc', clean: true, tags: [], branch: '', trackedBranch: '', dirtyDetail: '' };
    const backup = { id: 'b1', path: '/b', version: 'v1.2.0', sizeBytes: 1, sha256: 'x', createdAtMs: 1, step: 'backup', rolloutId: 'r1' };
    run().finish({ repo, backup });
    await done;
    expect(link.sent.filter((m) => m.repo).map((m) => m.repo?.repo.commit)).to.deep.equal(['abc']);
  });

  it('batches output lines and sends them before the result', async () => {
    const done = daemon.runStep(request());
    await settle();
    run().hooks.onOutput(['one', 'two']);
    expect(link.of('output')).to.deep.equal([]);
    clock.advance(100);
    run().hooks.onOutput(['three', 'four', 'five', 'a line much longer than twenty characters']);
    run().hooks.onOutput(['six']);
    run().finish();
    await done;
    expect(link.of('output').map((o) => o.lines)).to.deep.equal([
      ['one', 'two'],
      ['three', 'four', 'five'],
      ['a line much longer t… [line cut at 20 characters]', 'six'],
    ]);
    const kinds = link.sent.map((m) => Object.keys(m)[0]);
    expect(kinds.lastIndexOf('output')).to.be.lessThan(kinds.indexOf('result'));
  });

  it('takes the next step as soon as the result went out (the coordinator answers at once)', async () => {
    let next: Promise<void> | undefined;
    const send = link.send.bind(link);
    link.send = (msg) => {
      if (msg.result?.requestId === 'q1') next = daemon.runStep(request({ requestId: 'q2', step: 'up' }));
      return send(msg);
    };
    const first = daemon.runStep(request());
    await settle();
    run().finish();
    await first;
    await settle();
    expect(plan.runs.map((r) => r.request.requestId)).to.deep.equal(['q1', 'q2']);
    run(1).finish();
    await next;
    expect(results().map((r) => [r.requestId, r.outcome])).to.deep.equal([
      ['q1', 'SUCCEEDED'],
      ['q2', 'SUCCEEDED'],
    ]);
  });

  it('refuses a step the plan refuses, without running anything', async () => {
    plan.refusal = 'tag v9.9.9 does not exist in /srv/hoss';
    await daemon.runStep(request());
    expect(plan.runs).to.have.length(0);
    expect(journal.inFlight).to.equal(undefined);
    expect(results()[0]).to.deep.include({ outcome: 'REFUSED', exitCode: -1, reason: 'tag v9.9.9 does not exist in /srv/hoss' });
  });

  it('refuses a second step while one runs, and keeps the first in the journal', async () => {
    const first = daemon.runStep(request());
    await settle();
    await daemon.runStep(request({ requestId: 'q2', rolloutId: 'r2', step: 'up' }));
    expect(results()).to.have.length(1);
    expect(results()[0]).to.deep.include({ requestId: 'q2', outcome: 'REFUSED', reason: 'agent busy with step build of rollout r1' });
    expect(journal.inFlight?.requestId).to.equal('q1');
    run().finish();
    await first;
  });

  it('ignores a repeated request for the step that is running', async () => {
    const first = daemon.runStep(request());
    await settle();
    await daemon.runStep(request());
    expect(plan.runs).to.have.length(1);
    expect(results()).to.deep.equal([]);
    run().finish();
    await first;
  });

  it('sends the recorded result again for a repeated request that already finished, without re-running it', async () => {
    const first = daemon.runStep(request());
    await settle();
    run().finish({ outcome: 'FAILED', exitCode: 2, reason: 'make build exited with 2' });
    await first;
    await daemon.runStep(request());
    expect(plan.runs).to.have.length(1);
    expect(results()).to.have.length(2);
    expect(results()[1]).to.deep.equal(results()[0]);
  });

  it('cancels the running step when the coordinator asks, through its signal', async () => {
    const done = daemon.runStep(request());
    await settle();
    handlers().onMessage({ cancel: { requestId: 'q1', reason: 'rollout r1 aborted by alice' } });
    await done;
    expect(run().hooks.signal.aborted).to.equal(true);
    expect(results()[0]).to.deep.include({ outcome: 'CANCELLED', reason: 'cancelled by the coordinator: rollout r1 aborted by alice' });
  });

  it('forgets results the coordinator acknowledged, in the welcome or one by one', () => {
    journal.recordResult(makeResult(request({ requestId: 'a' }), 'SUCCEEDED', '', 0, 1));
    journal.recordResult(makeResult(request({ requestId: 'b' }), 'SUCCEEDED', '', 0, 1));
    journal.recordResult(makeResult(request({ requestId: 'c' }), 'SUCCEEDED', '', 0, 1));
    handlers().onMessage({
      welcome: { coordinatorVersion: '0.1.0', protocolVersion: 1, heartbeatIntervalMs: 5000, ackedRequestIds: ['a', 'b'] },
    });
    handlers().onMessage({ ack: { requestId: 'c' } });
    expect(journal.undelivered).to.deep.equal([]);
  });

  it('says hello with the plan, health, journal and host, and sends what was recorded after the hello was built', async () => {
    journal.recordResult(makeResult(request({ requestId: 'a' }), 'SUCCEEDED', '', 0, 1));
    const hello = await handlers().hello();
    expect(hello).to.deep.include({
      agentId: 'hoss-a',
      agentVersion: '0.1.0',
      hostname: 'host-a',
      plan: ['backup', 'build'],
      rerunnableSteps: ['build'],
      hasRestore: false,
    });
    expect(hello.health.healthy).to.equal(true);
    expect(hello.undelivered.map((r) => r.requestId)).to.deep.equal(['a']);
    journal.recordResult(makeResult(request({ requestId: 'b' }), 'SUCCEEDED', '', 0, 1));
    handlers().onSessionOpen(hello);
    expect(results().map((r) => r.requestId)).to.deep.equal(['b']);
  });

  it('says hello within the message limit however large the journal: the newest results in it, the others right after', async () => {
    // 30 results of about 160 kB: 4.8 MB, over the 4 MiB a gRPC message may hold
    for (let i = 0; i < 30; i++) {
      const tail = Array.from({ length: 40 }, (_, n) => `${n} ${'y'.repeat(4000)}`);
      journal.recordResult({ ...makeResult(request({ requestId: `r${i}` }), 'FAILED', 'exit 2', 0, 1), outputTail: tail });
    }
    const hello = await handlers().hello();
    expect(agentMessageBytes({ hello })).to.be.at.most(MAX_MESSAGE_BYTES);
    const inHello = hello.undelivered.map((r) => r.requestId);
    expect(inHello.length).to.be.within(1, 29);
    expect(inHello.at(-1), 'the newest result is in the Hello').to.equal('r29');
    handlers().onSessionOpen(hello);
    const after = results().map((r) => r.requestId);
    expect([...after, ...inHello].sort(), 'every result goes out, once').to.deep.equal(journal.undelivered.map((r) => r.requestId).sort());
  });

  it('answers an inspection, also when it fails', async () => {
    await daemon.inspect('i1', 'v1.2.0');
    plan.inspectError = new Error('git fetch failed');
    await daemon.inspect('i2', 'v1.3.0');
    const answers = link.of('inspectResult');
    expect(answers[0]).to.deep.include({ requestId: 'i1', targetExists: true, error: '' });
    expect(answers[1]).to.deep.include({
      requestId: 'i2',
      targetVersion: 'v1.3.0',
      targetExists: false,
      error: 'inspection failed: git fetch failed',
    });
  });

  it('lets the step in flight finish on shutdown, starts no new one meanwhile, and keeps the result for the next session', async () => {
    const done = daemon.runStep(request());
    await settle();
    const stopping = daemon.stop('SIGTERM received');
    expect(daemon.state).to.equal('draining');
    await daemon.runStep(request({ requestId: 'q2' }));
    // Neither run nor answered (a refusal would fail the rollout): the coordinator sends it again after the restart.
    expect(plan.runs).to.have.length(1);
    expect(journal.findUndelivered('q2')).to.equal(undefined);
    clock.advance(GRACE_MS - 1);
    run().finish();
    await done;
    await stopping;
    expect(journal.findUndelivered('q1')).to.deep.include({ outcome: 'SUCCEEDED' });
    // Sent now, the result would make the coordinator send the next step to an agent that must refuse it.
    expect(results()).to.deep.equal([]);
    expect(daemon.state).to.equal('stopped');
    expect(link.stopped).to.equal(1);
  });

  it('starts nothing that was still being validated when the shutdown began', async () => {
    let validated: (reason: string | undefined) => void = () => {};
    plan.validate = () => new Promise((resolve) => (validated = resolve));
    const done = daemon.runStep(request());
    await settle();
    const stopping = daemon.stop('SIGTERM received');
    validated(undefined);
    await done;
    await stopping;
    expect(plan.runs).to.have.length(0);
    expect(journal.findUndelivered('q1')).to.equal(undefined);
    expect(journal.inFlight).to.equal(undefined);
    expect(results()).to.deep.equal([]);
    // After the restart the Hello reports nothing of q1, so the coordinator sends it again.
    daemon = makeDaemon();
    await daemon.start();
    const hello = await handlers().hello();
    expect(hello.inFlight).to.equal(null);
    expect(hello.undelivered).to.deep.equal([]);
  });

  it('cancels a step that outlives the grace period and journals it as interrupted, for the coordinator to re-run', async () => {
    const done = daemon.runStep(request());
    await settle();
    const stopping = daemon.stop('SIGTERM received');
    expect(daemon.stop('again')).to.equal(stopping);
    await settle();
    clock.advance(GRACE_MS);
    await stopping;
    await done;
    expect(run().hooks.signal.aborted).to.equal(true);
    expect(journal.inFlight).to.equal(undefined);
    expect(journal.undelivered).to.have.length(1);
    expect(journal.undelivered[0]).to.deep.include({
      outcome: 'INTERRUPTED',
      reason: 'agent shut down while step build was running (it did not finish within 1m00s)',
    });
    expect(results()).to.deep.equal([]);
    expect(daemon.state).to.equal('stopped');
    expect(link.stopped).to.equal(1);
  });

  it('after a restart, reports the step it was running as interrupted and kills its process group', async () => {
    const done = daemon.runStep(request());
    await settle();
    run().hooks.onProcessGroup(777);
    // A crash: nothing recorded; a new daemon starts on the same state directory.
    daemon = makeDaemon();
    await daemon.start();
    expect(killed).to.deep.equal([777]);
    const hello = await handlers().hello();
    expect(hello.inFlight).to.equal(null);
    expect(hello.undelivered[0]).to.deep.include({
      requestId: 'q1',
      outcome: 'INTERRUPTED',
      reason: 'agent restarted while step build was running; process group 777 killed',
    });
    plan.runs[0]?.finish();
    await done;
  });
});
