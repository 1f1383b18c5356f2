import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { GitRepo } from '../../../../agent/exec/git.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { makeTempDir, TempRepo } from '../helpers/temp-repo.js';

describe('GitRepo', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let repo: TempRepo;
  let git: GitRepo;

  beforeEach(() => {
    tmp = makeTempDir('git');
    repo = TempRepo.init(tmp.dir);
    repo.commit('first', { 'README.md': 'hello\n' });
    git = new GitRepo(repo.dir);
  });
  afterEach(() => tmp.remove());

  it('reports the highest version tag at HEAD as the installed version', async () => {
    repo.tag('0.9.0');
    repo.tag('v1.0.0');
    repo.tag('stable');
    const state = await git.state('main');
    expect(state).to.deep.equal({
      installedVersion: 'v1.0.0',
      commit: repo.head(),
      clean: true,
      tags: ['v1.0.0', '0.9.0', 'stable'],
      branch: 'main',
      trackedBranch: 'main',
      dirtyDetail: '',
    });
  });

  it('falls back to git describe between releases', async () => {
    repo.tag('0.1.0');
    repo.commit('after the release');
    const state = await git.state();
    expect(state.installedVersion).to.match(/^0\.1\.0-1-g[0-9a-f]+$/);
  });

  it('lists the first changed paths of a dirty tree, untracked files included', async () => {
    for (let i = 1; i <= 6; i++) repo.write(`new-${i}.txt`, 'x');
    fs.appendFileSync(path.join(repo.dir, 'README.md'), 'edit\n');
    const state = await git.state();
    expect(state.clean).to.equal(false);
    expect(state.dirtyDetail).to.equal('M README.md, ?? new-1.txt, ?? new-2.txt, ?? new-3.txt, ?? new-4.txt and 2 more');
  });

  it('reads annotated tag messages and returns nothing for lightweight tags', async () => {
    repo.tag('0.1.0', 'Release 0.1.0\n\nACTION REQUIRED: set AUTH_URL');
    repo.tag('0.1.1');
    expect(await git.annotatedTagMessage('0.1.0')).to.equal('Release 0.1.0\n\nACTION REQUIRED: set AUTH_URL');
    expect(await git.annotatedTagMessage('0.1.1')).to.equal('');
    expect(await git.annotatedTagMessage('0.1')).to.equal('');
  });

  it('shows a file as it is at a tag, and nothing for a missing file', async () => {
    repo.tag('0.1.0');
    repo.commit('second', { 'README.md': 'changed\n' });
    expect(await git.showFile('refs/tags/0.1.0', 'README.md')).to.equal('hello\n');
    expect(await git.showFile('refs/tags/0.1.0', 'CHANGELOG.md')).to.equal(undefined);
  });

  it('refuses a fast-forward when the branch has diverged from its upstream', async () => {
    const clone = TempRepo.clone(repo, tmp.dir, 'clone');
    repo.commit('upstream work');
    clone.commit('local work');
    const cloneGit = new GitRepo(clone.dir);
    await cloneGit.fetchTags();
    const err = await cloneGit.fastForward('main').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(/Not possible to fast-forward/);
  });

  it('never hands git a value it could read as an option', async () => {
    for (const call of [
      () => git.tagExists('--upload-pack=x'),
      () => git.checkoutTag('-b'),
      () => git.checkoutCommit('--orphan'),
      () => git.showFile('--output=x', 'a'),
    ]) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ConvoyError);
      expect((err as ConvoyError).code).to.equal('INVALID_ARGUMENT');
    }
  });

  it('fetches nothing and reports so when there is no remote', async () => {
    expect(await git.fetchTags()).to.equal(false);
  });
});
