import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { GitRepo } from '../../../../agent/exec/git.js';
import { collectReleaseNotesOnce, newReleaseNotesMemo, type CollectReleaseNotesOptions } from '../../../../agent/plan/release-notes.js';
import { TempRepo } from '../helpers/temp-repo.js';

describe('release notes: collected once for an inspection and the step after it', () => {
  let parent: string;
  let repo: TempRepo;
  let opts: CollectReleaseNotesOptions;

  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-notes-memo-'));
    repo = TempRepo.init(parent);
    repo.commit('0.1.0', { 'CHANGELOG.md': '# Changelog\n\n## 0.1.0\n\n- First.\n' });
    repo.tag('0.1.0');
    repo.commit('0.2.0', { 'CHANGELOG.md': '# Changelog\n\n## 0.2.0\n\n- BREAKING: new schema.\n\n## 0.1.0\n\n- First.\n' });
    repo.tag('0.2.0', 'Release 0.2.0');
    opts = {
      git: new GitRepo(repo.dir),
      repoDir: repo.dir,
      changelog: 'CHANGELOG.md',
      markers: ['BREAKING'],
      fromVersion: '0.1.0',
      toVersion: '0.2.0',
    };
  });
  afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('answers the second request from memory, as an equal copy', async () => {
    const memo = newReleaseNotesMemo();
    const first = await collectReleaseNotesOnce(memo, opts);
    const second = await collectReleaseNotesOnce(memo, opts);
    expect(second).to.deep.equal(first);
    expect(second).to.not.equal(first);
    expect(first.requiresAction).to.equal(true);
  });

  it('reads git again once a tag changed', async () => {
    const memo = newReleaseNotesMemo();
    await collectReleaseNotesOnce(memo, opts);
    repo.git('tag', '-f', '-a', '-m', 'Release 0.2.0, retagged', '0.2.0', 'HEAD');
    const again = await collectReleaseNotesOnce(memo, opts);
    expect(again.notes.find((n) => n.source === 'tag')?.text).to.equal('Release 0.2.0, retagged');
  });

  it('reads git again for another range', async () => {
    const memo = newReleaseNotesMemo();
    await collectReleaseNotesOnce(memo, opts);
    const other = await collectReleaseNotesOnce(memo, { ...opts, fromVersion: '0.2.0' });
    expect(other.notes).to.deep.equal([]);
  });
});
