/**
 * The agent's state directory on a small tmpfs that fills up (or is read-only) while the agent
 * works: the result still reaches the coordinator with the cause and the file in its reason,
 * the next step waits instead of being refused, and once space is back the rollout goes on
 * by itself, without a restart, with nothing recorded lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, waitFor, type Fleet } from '../../helpers/index.js';
import { host, start, status, waitRollout, type RolloutJson } from '../support.js';
import {
  countEvents,
  describeFinal,
  finalState,
  gatedInBuild,
  outcomes,
  repeatedSteps,
  runsOf,
  shutDownAndCheck,
  strayProcesses,
  waitFinished,
  ONE,
  type FaultSuite,
} from './support.js';
import { mountSmallDisk, type SmallDisk } from './tmpfs.js';

/** Room for the journal, the step logs and the catalogue of one rollout, several times over. */
const STATE_DISK_KIB = 2048;

/** The state directory createFleet gives hoss-a, mounted as a small tmpfs before the fleet exists. */
function stateDisk(dir: string): SmallDisk | string {
  return mountSmallDisk(path.join(dir, 'agents', 'hoss-a', 'state'), STATE_DISK_KIB);
}

/** The mounted disk, or the test skipped with the reason it could not be mounted (mounting needs root). */
function diskOrSkip(ctx: Mocha.Context, dir: string): SmallDisk {
  const disk = stateDisk(dir);
  if (typeof disk !== 'string') return disk;
  console.log(`      skipped: ${disk}`);
  ctx.skip();
}

/** The lines of `step` in `convoy rollout logs`. */
async function logLines(fleet: Fleet, id: string, step: string): Promise<string[]> {
  const res = await fleet.cli(['rollout', 'logs', id, '--host', 'hoss-a', '--step', step]);
  return res.stdout.split('\n').filter((l) => l !== '');
}

/** The journal as the agent left it on disk: whatever it holds must parse. */
function journalOnDisk(stateDir: string): { inFlight: unknown; undelivered: { step: string; outcome: string }[] } {
  return JSON.parse(fs.readFileSync(path.join(stateDir, 'journal.json'), 'utf8')) as ReturnType<typeof journalOnDisk>;
}

export function agentStorageFaults({ sandbox, declare }: FaultSuite): void {
  it('agent state directory full during make build: ENOSPC and the journal in the result, the next step waits, and goes on once space is freed', async function () {
    const disk = diskOrSkip(this, sandbox.dir);
    const row = declare({
      fault: "the agent's state directory (a 2 MiB tmpfs) fills up while make build runs; freed later",
      phase: 'single host, build running',
      expected:
        'build result delivered naming ENOSPC and journal.json; up waits (not refused); once freed the rollout succeeds, no restart',
    });
    const { fleet, a, id, g } = await gatedInBuild(sandbox.dir);
    const agentPid = a.agent!.pid;
    disk.fill();
    g.open();
    const built = (r: RolloutJson): boolean => runsOf(host(r, 'hoss-a'), 'build')[0]?.outcome === 'succeeded';
    const meanwhile = await waitRollout(fleet, id, 'build reported', built, 60_000);
    const buildReason = runsOf(host(meanwhile, 'hoss-a'), 'build')[0]!.reason;
    const waiting = await waitFor(async () => (await logLines(fleet, id, 'up')).find((l) => l.includes('waits:')), {
      what: 'up to say it waits for the journal',
      timeoutMs: 30_000,
    });
    const whileFull = await status(fleet, id);
    const upStartedWhileFull = countEvents(a, 'start', '0.2.0');
    disk.free();
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const journal = journalOnDisk(disk.dir);
    const strays = strayProcesses(fleet);
    row.observe(
      `build's reason while full: "${buildReason}"`,
      `while full: rollout ${whileFull.state}, host ${host(whileFull, 'hoss-a').state} in ${host(whileFull, 'hoss-a').currentStep}; up said "${waiting}"`,
      `after freeing: rollout ${r.state}, steps ${host(r, 'hoss-a')
        .steps.map((s) => `${s.step}:${s.outcome}`)
        .join(', ')}; agent restarted: ${a.agent!.pid !== agentPid || a.agent!.hasExited()}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    const journalFile = path.join(disk.dir, 'journal.json');
    expect(buildReason).to.contain(`cannot write ${journalFile}: no space left on device (ENOSPC)`);
    expect(buildReason).to.contain("result not in the agent's journal yet");
    expect(whileFull.state).to.equal('running');
    expect([host(whileFull, 'hoss-a').state, host(whileFull, 'hoss-a').currentStep]).to.deep.equal(['updating', 'up']);
    expect(waiting).to.contain(`step up waits: cannot write ${journalFile}: no space left on device (ENOSPC)`);
    expect(upStartedWhileFull).to.equal(0);
    expect(r.state, r.reason).to.equal('succeeded');
    expect(a.agent!.pid).to.equal(agentPid);
    expect(outcomes(r, 'hoss-a', 'build')).to.equal('succeeded');
    expect(repeatedSteps(r), 'no step ran twice').to.deep.equal([]);
    expect(journal.inFlight).to.equal(null);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  const atStart: [string, string, (d: SmallDisk) => void, (d: SmallDisk) => void, string][] = [
    [
      'full',
      'ENOSPC',
      (d) => d.fill(),
      (d) => d.free(),
      'no space left on device (ENOSPC); free space on the file system holding {dir} (df -h {dir})',
    ],
    [
      'read-only',
      'EROFS',
      (d) => d.remount('ro'),
      (d) => d.remount('rw'),
      'read-only file system (EROFS); remount the file system holding {dir} read-write, or point stateDir elsewhere',
    ],
  ];
  for (const [kind, code, spoil, mend, cause] of atStart) {
    it(`agent started on a ${kind} state directory: names the journal and the fix, keeps running, and the rollout waits until it is mended`, async function () {
      const disk = diskOrSkip(this, sandbox.dir);
      const row = declare({
        fault: `convoy-agent started on a ${kind} state directory (${code}), mended during a rollout`,
        phase: 'agent start, then single host backup',
        expected: 'the log names journal.json, the cause and the fix; the agent connects; backup waits; once mended the rollout succeeds',
      });
      spoil(disk);
      const fleet = await createFleet({ dir: sandbox.dir, servers: ONE, cluster: false });
      const a = fleet.host('hoss-a');
      const said = await waitFor(
        () =>
          fs
            .readFileSync(a.agentLog, 'utf8')
            .split('\n')
            .find((l) => l.includes('journal not written')),
        { what: 'the agent to say its journal cannot be written' },
      );
      const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
      const waiting = await waitFor(async () => (await logLines(fleet, id, 'backup')).find((l) => l.includes('waits:')), {
        what: 'backup to say it waits for the journal',
        timeoutMs: 30_000,
      });
      mend(disk);
      const r = await waitFinished(fleet, id);
      const final = await finalState(fleet);
      row.observe(`agent log at start: ${said}`, `backup said: "${waiting}"`, `rollout ${r.state}`, describeFinal(final));
      const down = await shutDownAndCheck(fleet, row);

      const journalFile = path.join(disk.dir, 'journal.json');
      expect(said).to.contain(`journal not written: cannot write ${journalFile}: ${cause.replaceAll('{dir}', disk.dir)}`);
      expect(waiting).to.contain(`step backup waits: cannot write ${journalFile}: ${code === 'ENOSPC' ? 'no space' : 'read-only'}`);
      expect(r.state, r.reason).to.equal('succeeded');
      expect(repeatedSteps(r)).to.deep.equal([]);
      expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
      expect(down).to.deep.equal([]);
    });
  }
}
