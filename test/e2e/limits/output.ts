/**
 * The disk-fill attempt of issue 13, with a stolen agent certificate: a client speaking the
 * agent protocol as hoss-a floods step output for request ids it invents, for other rollouts,
 * and for the one step convoyd really sent it. convoyd stores nothing of the first two and at
 * most the per-run bound of the last; the stream stays open; the real rollout of hoss-b keeps
 * its logs intact; terminal escapes in the output reach the operator inert.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { MAX_LOG_BYTES_PER_RUN, MAX_LOG_LINES_PER_RUN } from '../../../coordinator/logs/output-limits.js';
import type { LogLine } from '../../../coordinator/cli/views.js';
import type { Hello, StepOutput } from '../../../shared/wire.js';
import { createFleet, type Fleet, type Sandbox } from '../../helpers/index.js';
import { start } from '../support.js';
import { entries, metric } from './support.js';
import { FakeAgent } from './fake-agent.js';

const HOSTILE_LINE = 'pwned \x1b[2J\x1b[1;1H\x1b]52;c;cHduZWQ=\x07 done';

/** Bytes the coordinator's state takes on disk (the database and its write-ahead log). */
function stateBytes(fleet: Fleet): number {
  return [fleet.stateFile, `${fleet.stateFile}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

async function logsJson(fleet: Fleet, id: string): Promise<LogLine[]> {
  const res = await fleet.cli(['rollout', 'logs', id, '--json'], { timeoutMs: 60_000 });
  if (res.code !== 0) throw new Error(`rollout logs ${id} exited ${res.code}: ${res.stderr}`);
  return (res.jsonLines ?? (res.json ? [res.json] : [])) as LogLine[];
}

/** hoss-a's Hello, rebuilt from what `convoy agents --json` shows of the real agent. */
async function helloOf(fleet: Fleet, id: string): Promise<Hello> {
  const a = (await fleet.agents()).find((x) => x.id === id) as unknown as Hello & { id: string };
  return {
    agentId: id,
    labels: a.labels,
    serverDir: a.serverDir,
    agentVersion: a.agentVersion,
    repo: a.repo,
    health: a.health,
    plan: a.plan,
    rerunnableSteps: [],
    backups: [],
    undelivered: [],
    inFlight: null,
    hostname: a.hostname,
    hasRestore: false,
    stepTimeoutsMs: {},
    backupCompatibility: '',
    rollbackPlan: [],
    backupSteps: [],
    profile: '',
    protocolVersion: 1,
    backupKeepPerMinor: 3,
  };
}

const batch = (requestId: string, rolloutId: string, n: number, chars: number): StepOutput => ({
  requestId,
  rolloutId,
  step: 'build',
  lines: Array.from({ length: n }, (_, i) => `${i} ${'z'.repeat(chars)}`),
  atMs: Date.now(),
});

export function outputLimits(sandbox: Sandbox): void {
  it('a stolen agent certificate flooding step output is stopped at the documented bounds; the agent stays connected, the real rollout logs intact', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [
        { name: 'hoss-a', role: 'member' },
        { name: 'hoss-b', role: 'member' },
      ],
      cluster: false,
    });
    const real = await fleet.cli(['rollout', 'start', '--host', 'hoss-b', '--to', '0.2.0', '--watch'], { timeoutMs: 100_000 });
    expect(real.code, real.stderr).to.equal(0);
    const realLogs = await logsJson(fleet, 'r-1');
    expect(realLogs.length, 'the real rollout has output').to.be.above(0);

    const hello = await helloOf(fleet, 'hoss-a');
    await fleet.stopAgent('hoss-a');
    const tls = fleet.tls!;
    const thief = new FakeAgent(fleet.coordinatorAddress, { ca: tls.ca, ...tls.agents['hoss-a']! }, hello);
    try {
      await thief.waitFor((m) => Boolean(m.welcome), 'welcome');
      const diskBefore = stateBytes(fleet);
      const storedBefore = await metric(fleet, 'convoy_step_output_stored_bytes');
      let sentBytes = 0;
      const send = async (out: StepOutput): Promise<void> => {
        sentBytes += out.lines.reduce((sum, l) => sum + l.length, 0);
        await thief.send({ output: out });
      };

      // 1. Invented request ids: of the real rollout of hoss-b (hoss-a is not in it) and of rollouts that do not exist.
      for (let i = 0; i < 60; i++)
        await send(batch(i % 2 ? `r-1.hoss-a.build.${i}` : `r-${100 + i}.hoss-a.build.1`, i % 2 ? 'r-1' : `r-${100 + i}`, 500, 100));

      // 2. A real step convoyd sends it, flooded far past the per-run bound, and its request id under another rollout.
      const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
      const step = await thief.stepRequest();
      expect(step.rolloutId).to.equal(id);
      await send({ ...batch(step.requestId, id, 1, 10), lines: [HOSTILE_LINE] });
      for (let i = 0; i < 40; i++) await send(batch(step.requestId, id, 300, 1000));
      for (let i = 0; i < 20; i++) await send(batch(step.requestId, 'r-1', 300, 1000));

      // The stream is still open and answers: a result is acknowledged.
      const probe = `probe.hoss-a.${Date.now()}`;
      await thief.send({
        result: {
          requestId: probe,
          rolloutId: 'probe',
          step: 'build',
          outcome: 'SUCCEEDED',
          exitCode: 0,
          reason: '',
          outputTail: [],
          startedAtMs: 1,
          finishedAtMs: 2,
          previousCommit: '',
          backup: null,
          releaseNotes: null,
          repo: null,
          health: null,
          attempt: 1,
        },
      });
      await thief.waitFor((m) => m.ack?.requestId === probe, 'the acknowledgement of a result sent after the flood');
      expect(thief.open, 'the agent is still connected').to.equal(true);
      expect((await fleet.agents()).find((a) => a.id === 'hoss-a')?.connected).to.equal(true);

      // What convoyd kept: the real step's output up to the per-run bound, nothing else.
      const stored = await logsJson(fleet, id);
      const text = stored.filter((l) => !l.line.startsWith('[convoy:'));
      expect(stored.length).to.be.at.most(MAX_LOG_LINES_PER_RUN + 1);
      expect(text.reduce((sum, l) => sum + Buffer.byteLength(l.line), 0)).to.be.at.most(MAX_LOG_BYTES_PER_RUN);
      expect(new Set(stored.map((l) => `${l.agentId} ${l.step}`))).to.deep.equal(new Set([`hoss-a ${step.step}`]));
      expect(stored.at(-1)?.line).to.equal(
        '[convoy: output of this step beyond 5000 lines or 2 MiB is not stored by convoyd; agent hoss-a keeps it in its own log]',
      );
      expect(await logsJson(fleet, 'r-1'), "hoss-b's rollout keeps exactly its own logs").to.deep.equal(realLogs);
      const kept = (await metric(fleet, 'convoy_step_output_stored_bytes')) - storedBefore;
      const grown = stateBytes(fleet) - diskBefore;
      const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
      console.log(`      sent ${mib(sentBytes)} MiB of output; convoyd stored ${mib(kept)} MiB, its files grew ${mib(grown)} MiB`);
      expect(kept, 'output stored').to.be.at.most(MAX_LOG_BYTES_PER_RUN + 1024);
      // SQLite's write-ahead log holds up to its checkpoint (1000 pages of 4 KiB) besides the data.
      expect(grown, 'disk growth').to.be.below(MAX_LOG_BYTES_PER_RUN + 8 * 1024 * 1024);

      // Counted, and logged a few times rather than once per message.
      expect(await metric(fleet, 'convoy_step_output_dropped_lines_total', { reason: 'unknown-request' })).to.equal(60 * 500 + 20 * 300);
      expect(await metric(fleet, 'convoy_step_output_dropped_lines_total', { reason: 'run-limit' })).to.be.above(5000);
      expect(entries(fleet.coordinator, /^dropped \d+ line\(s\) of step output from agent hoss-a/).length).to.be.within(2, 12);

      // The escapes it slipped into the real step's output reach the operator inert.
      const shown = await fleet.cli(['rollout', 'logs', id, '--step', step.step], { timeoutMs: 60_000 });
      expect(shown.stdout).to.include('pwned \\x1b[2J\\x1b[1;1H\\x1b]52;c;cHduZWQ=\\x07 done');
      expect(/[\x00-\x08\x0b-\x1f\x7f]/.test(shown.stdout), 'no raw control character on the terminal').to.equal(false);
      expect(
        stored.some((l) => l.line === HOSTILE_LINE),
        '--json keeps the exact line',
      ).to.equal(true);
      await fleet.cli(['rollout', 'abort', id]);
    } finally {
      thief.close();
    }
  });
}
