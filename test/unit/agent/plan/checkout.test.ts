/**
 * The checkout's half-done states, made by a real git killed mid-checkout: a smudge filter on
 * one file holds git until the test opens a gate, so the kill lands while git is writing the
 * tree, deterministically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { killProcessGroup, processGroupAlive } from '../../../../agent/exec/command.js';
import { Plan } from '../../../../agent/plan/plan.js';
import { RestorePoints } from '../../../../agent/plan/restore-points.js';
import { WorktreeMoves } from '../../../../agent/plan/worktree-moves.js';
import { FakeClock } from '../../../../shared/clock.js';
import { silentLogger } from '../../../../shared/logger.js';
import { waitFor } from '../../../helpers/wait.js';
import { testAgentConfig } from '../helpers/agent-config.js';
import { recordingHooks, stepRequest } from '../helpers/sample-repo.js';
import { makeTempDir, TempRepo } from '../helpers/temp-repo.js';

/** 0.1.0 -> 0.2.0 changes, adds, deletes, and changes the slow file last (git writes in path order). */
const V1 = { 'CHANGELOG.md': '# 0.1.0\n', 'gone.txt': 'removed in 0.2.0\n', 'server/Makefile': 'all:\n', 'zz-slow.txt': 'slow 0.1.0\n' };
const V2 = { 'CHANGELOG.md': '# 0.2.0\n# 0.1.0\n', 'added.txt': 'new in 0.2.0\n', 'zz-slow.txt': 'slow 0.2.0\n' };

interface Fixture {
  repo: TempRepo;
  stateDir: string;
  c1: string;
  c2: string;
  arrived: string;
  open(): void;
  plan(): Plan;
  remove(): void;
}

function createFixture(): Fixture {
  const tmp = makeTempDir('checkout');
  const origin = TempRepo.init(tmp.dir, 'origin');
  const c1 = origin.commit('release 0.1.0', V1);
  origin.tag('0.1.0');
  fs.rmSync(path.join(origin.dir, 'gone.txt'));
  const c2 = origin.commit('release 0.2.0', V2);
  origin.tag('0.2.0');
  const repo = TempRepo.clone(origin, tmp.dir, 'hoss');
  repo.git('checkout', '--quiet', '--detach', '0.1.0');
  const arrived = path.join(tmp.dir, 'filter.arrived');
  const opened = path.join(tmp.dir, 'filter.open');
  // the filter waits for the test; paths are the test's own temp dir
  repo.git('config', 'filter.slow.smudge', `sh -c 'touch "${arrived}"; until [ -e "${opened}" ]; do sleep 0.02; done; cat'`);
  fs.writeFileSync(path.join(repo.dir, '.git', 'info', 'attributes'), 'zz-slow.txt filter=slow\n');
  const stateDir = path.join(tmp.dir, 'state');
  fs.mkdirSync(stateDir);
  const config = testAgentConfig({ repo: repo.dir, stateDir, overrides: { fetch: false } });
  return {
    repo,
    stateDir,
    c1,
    c2,
    arrived,
    open: () => fs.writeFileSync(opened, ''),
    plan: () => new Plan({ config, clock: new FakeClock(), logger: silentLogger() }),
    remove: () => tmp.remove(),
  };
}

function status(repo: TempRepo): string[] {
  return repo
    .git('status', '--porcelain=v1', '--no-renames', '--untracked-files=all')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .sort();
}

describe('plan: a checkout killed half-way', () => {
  let f: Fixture;
  beforeEach(() => (f = createFixture()));
  afterEach(() => f.remove());

  /** Runs the checkout until git waits in the filter, then kills git's group the way a restarted agent does. */
  async function killMidCheckout(rolloutId = 'r-1'): Promise<void> {
    const hooks = recordingHooks();
    const running = f.plan().run(stepRequest('checkout', '0.2.0', { rolloutId }), hooks);
    await waitFor(() => fs.existsSync(f.arrived), { what: 'git to reach the slow file' });
    expect(hooks.pgids, 'git runs in a process group reported before it writes').to.have.length(1);
    const pgid = hooks.pgids[0]!;
    expect(pgid).to.not.equal(process.pid);
    await killProcessGroup(pgid);
    const result = await running;
    expect(result.outcome).to.equal('FAILED');
    expect(processGroupAlive(pgid)).to.equal(false);
    fs.rmSync(f.arrived);
  }

  it('leaves the tree dirty with only the move, which a re-run undoes and finishes, reporting the commit it started from', async () => {
    await killMidCheckout();
    expect(f.repo.head()).to.equal(f.c1);
    expect(status(f.repo)).to.deep.equal(['?? added.txt', 'D gone.txt', 'D zz-slow.txt', 'M CHANGELOG.md']);

    const rerun = stepRequest('checkout', '0.2.0', { requestId: 'req-checkout-2', attempt: 2 });
    const plan = f.plan();
    expect(await plan.validate(rerun)).to.equal(undefined);
    expect(await plan.repoState(), "what the coordinator sees: not the operator's dirt").to.deep.include({
      installedVersion: '0.1.0',
      clean: true,
      dirtyDetail: "Convoy's own half-done checkout to 0.2.0 (4 path(s)), undone by the next checkout",
    });
    f.open();
    const hooks = recordingHooks();
    const result = await plan.run(rerun, hooks);
    expect(result.outcome, result.reason).to.equal('SUCCEEDED');
    expect(result.previousCommit).to.equal(f.c1);
    expect(f.repo.head()).to.equal(f.c2);
    expect(status(f.repo)).to.deep.equal([]);
    expect(fs.readFileSync(path.join(f.repo.dir, 'zz-slow.txt'), 'utf8')).to.equal('slow 0.2.0\n');
    expect(hooks.lines[0]).to.equal(
      `work tree ${f.repo.dir} holds Convoy's own half-done checkout to 0.2.0 (rollout r-1, from ${f.c1.slice(0, 12)}): ` +
        '4 changed path(s): M CHANGELOG.md, D gone.txt, D zz-slow.txt, ?? added.txt; undoing it before moving the tree again',
    );
    expect(new RestorePoints(f.stateDir).list()).to.deep.equal([f.c1]);
  });

  it('reports the commit the rollout started from when a re-run finds the checkout already finished', async () => {
    f.open();
    const plan = f.plan();
    const first = await plan.run(stepRequest('checkout', '0.2.0'), recordingHooks());
    const again = await plan.run(stepRequest('checkout', '0.2.0', { requestId: 'req-checkout-2', attempt: 2 }), recordingHooks());
    expect([first.outcome, again.outcome]).to.deep.equal(['SUCCEEDED', 'SUCCEEDED']);
    expect([first.previousCommit, again.previousCommit]).to.deep.equal([f.c1, f.c1]);
    expect(new RestorePoints(f.stateDir).list()).to.deep.equal([f.c1]);
  });

  it('reports the starting commit when a killed git finished the move on its own and another rollout re-runs it', async () => {
    await killMidCheckout('r-1');
    f.open();
    f.repo.git('checkout', '--quiet', '--force', '--detach', '0.2.0'); // what the orphaned git would have done
    const result = await f.plan().run(stepRequest('checkout', '0.2.0', { rolloutId: 'r-2' }), recordingHooks());
    expect(result.outcome, result.reason).to.equal('SUCCEEDED');
    expect(result.previousCommit).to.equal(f.c1);
    expect(new RestorePoints(f.stateDir).list()).to.deep.equal([f.c1]);
  });

  it('refuses dirt that is not the move, and leaves it as it is', async () => {
    await killMidCheckout();
    fs.appendFileSync(path.join(f.repo.dir, 'server', 'Makefile'), '# an operator edit\n');
    const rerun = stepRequest('checkout', '0.2.0', { requestId: 'req-checkout-2', attempt: 2 });
    const plan = f.plan();
    expect(await plan.validate(rerun)).to.match(/^work tree .* is not clean: M CHANGELOG\.md, D gone\.txt, M server\/Makefile/);
    expect((await plan.repoState()).clean).to.equal(false);
    f.open();
    const result = await plan.run(rerun, recordingHooks());
    expect(result.outcome).to.equal('FAILED');
    expect(result.reason).to.match(/is not clean: .* — commit, stash or remove the changes, then retry$/);
    expect(fs.readFileSync(path.join(f.repo.dir, 'server', 'Makefile'), 'utf8')).to.equal('all:\n# an operator edit\n');
    expect(fs.readFileSync(path.join(f.repo.dir, 'CHANGELOG.md'), 'utf8')).to.equal(V2['CHANGELOG.md']);
  });

  it('refuses a changed file whose content is neither the old nor the target version', async () => {
    await killMidCheckout();
    fs.writeFileSync(path.join(f.repo.dir, 'CHANGELOG.md'), '# edited by hand mid-update\n');
    const rerun = stepRequest('checkout', '0.2.0', { requestId: 'req-checkout-2', attempt: 2 });
    expect(await f.plan().validate(rerun)).to.match(/is not clean: M CHANGELOG\.md/);
  });

  it('undoes a half-done rollback checkout too', async () => {
    f.open();
    const plan = f.plan();
    const forward = await plan.run(stepRequest('checkout', '0.2.0'), recordingHooks());
    fs.rmSync(path.join(path.dirname(f.arrived), 'filter.open'));
    fs.rmSync(f.arrived);
    const back = stepRequest('rollback-checkout', '', { requestId: 'req-back', restoreCommit: forward.previousCommit });
    const hooks = recordingHooks();
    const running = plan.run(back, hooks);
    await waitFor(() => fs.existsSync(f.arrived), { what: 'git to reach the slow file' });
    await killProcessGroup(hooks.pgids[0]!);
    expect((await running).outcome).to.equal('FAILED');
    expect(f.repo.head()).to.equal(f.c2);
    expect(await plan.validate({ ...back, requestId: 'req-back-2', attempt: 2 })).to.equal(undefined);
    f.open();
    const again = await plan.run({ ...back, requestId: 'req-back-2', attempt: 2 }, recordingHooks());
    expect(again.outcome, again.reason).to.equal('SUCCEEDED');
    expect(again.previousCommit).to.equal(f.c2);
    expect(f.repo.head()).to.equal(f.c1);
    expect(status(f.repo)).to.deep.equal([]);
  });

  it('does not touch the tree when the move cannot be recorded, and names the file', async () => {
    const movesFile = new WorktreeMoves(f.stateDir).file;
    fs.mkdirSync(movesFile); // a rename over a directory fails like a full disk would: nothing written
    f.open();
    const result = await f.plan().run(stepRequest('checkout', '0.2.0'), recordingHooks());
    expect(result.outcome).to.equal('FAILED');
    expect(result.reason).to.match(new RegExp(`^checkout of 0\\.2\\.0 failed: cannot write ${movesFile}: `));
    expect(f.repo.head()).to.equal(f.c1);
    expect(status(f.repo)).to.deep.equal([]);
  });
});
