/** What a schedule's target ("latest", a semver range, an exact tag) resolves to for a cluster. */
import { expect } from 'chai';
import { resolveTarget, type MemberVersions } from '../../../coordinator/schedule/target.js';

const TAGS = ['0.1.0', '0.2.0', '0.2.3', '0.3.0-rc.1', '0.3.0', '0.3.1', 'nightly'];

function member(agentId: string, installedVersion: string, tags: string[] = TAGS): MemberVersions {
  return { agentId, installedVersion, tags };
}

describe('schedule target resolution', () => {
  it('latest: the highest release tag every member has', () => {
    const members = [
      member('hoss-auth', '0.1.0'),
      member(
        'hoss-a',
        '0.1.0',
        TAGS.filter((t) => t !== '0.3.1'),
      ),
    ];
    expect(resolveTarget('latest', members)).to.deep.equal({ kind: 'update', target: '0.3.0', behind: ['hoss-auth', 'hoss-a'] });
  });

  it('latest never picks a release candidate or a non-version tag', () => {
    const tags = ['0.2.0', '0.3.0-rc.1', 'nightly'];
    expect(resolveTarget('latest', [member('a', '0.1.0', tags)])).to.deep.include({ kind: 'update', target: '0.2.0' });
  });

  it('a range: the highest tag in it, here the newest 0.2 patch', () => {
    const members = [member('hoss-auth', '0.2.0'), member('hoss-a', '0.1.0')];
    expect(resolveTarget('~0.2', members)).to.deep.equal({ kind: 'update', target: '0.2.3', behind: ['hoss-auth', 'hoss-a'] });
    expect(resolveTarget('^0.3.0', members)).to.deep.include({ kind: 'update', target: '0.3.1' });
  });

  it('an exact tag, even a release candidate; only the members not on it are behind', () => {
    const members = [member('hoss-auth', '0.3.0-rc.1'), member('hoss-a', '0.2.0')];
    expect(resolveTarget('0.3.0-rc.1', members)).to.deep.equal({ kind: 'update', target: '0.3.0-rc.1', behind: ['hoss-a'] });
  });

  it('nothing newer: every member already runs the target', () => {
    const members = [member('hoss-auth', '0.3.1'), member('hoss-a', '0.3.1')];
    expect(resolveTarget('latest', members)).to.deep.equal({ kind: 'up-to-date', target: '0.3.1' });
    expect(resolveTarget('~0.3', members)).to.deep.equal({ kind: 'up-to-date', target: '0.3.1' });
  });

  it('never resolves to a downgrade: a member past the target is reported', () => {
    const members = [member('hoss-auth', '0.3.1'), member('hoss-a', '0.2.0')];
    expect(resolveTarget('~0.2', members)).to.deep.equal({
      kind: 'problem',
      problem: 'hoss-auth runs 0.3.1, newer than 0.2.3 ("~0.2"); a schedule never downgrades',
    });
  });

  it('says which member lacks an exact tag, and when no tag fits a range', () => {
    const members = [member('hoss-auth', '0.1.0'), member('hoss-a', '0.1.0', ['0.1.0'])];
    expect(resolveTarget('0.3.1', members)).to.deep.equal({ kind: 'problem', problem: 'tag 0.3.1 is missing on hoss-a' });
    expect(resolveTarget('~0.4', members)).to.deep.equal({ kind: 'problem', problem: 'no tag present on every member satisfies "~0.4"' });
  });

  it('cannot resolve for a member that never reported its tags', () => {
    const members = [member('hoss-auth', '0.1.0'), { agentId: 'hoss-b', installedVersion: '', tags: undefined }];
    expect(resolveTarget('latest', members)).to.deep.equal({
      kind: 'problem',
      problem: 'hoss-b never reported its tags (has its agent ever connected?)',
    });
  });
});
