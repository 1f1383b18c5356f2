import { expect } from 'chai';
import {
  compareVersions,
  isDowngrade,
  isRestorable,
  sortVersionsDesc,
  versionSyntaxProblem,
  versionsBetween,
} from '../../../shared/versions.js';

describe('versions', () => {
  it('orders tags by semver precedence, v-prefix or not, pre-releases before releases', () => {
    const tags = ['0.10.0', '0.2.5', 'v0.3.0', '0.3.0-rc.1', '0.2.10', 'main', '1.0.0'];
    expect(sortVersionsDesc(tags)).to.deep.equal(['1.0.0', '0.10.0', 'v0.3.0', '0.3.0-rc.1', '0.2.10', '0.2.5']);
    expect(compareVersions('0.2.10', '0.2.9')).to.be.greaterThan(0);
    expect(compareVersions('main', '0.1.0')).to.be.greaterThan(0);
  });

  it('lists the releases an update passes through: (from, to]', () => {
    const tags = ['0.1.0', '0.2.0', '0.2.5', '0.3.0', '0.3.1', 'latest-build'];
    expect(versionsBetween(tags, '0.1.0', '0.3.0')).to.deep.equal(['0.2.0', '0.2.5', '0.3.0']);
    expect(versionsBetween(tags, '0.3.0', '0.3.0')).to.deep.equal([]);
    expect(versionsBetween(tags, 'a1b2c3d', '0.2.0')).to.deep.equal(['0.2.0']);
  });

  it('detects downgrades', () => {
    expect(isDowngrade('0.3.0', '0.2.5')).to.equal(true);
    expect(isDowngrade('0.2.5', '0.3.0')).to.equal(false);
    expect(isDowngrade('main', '0.1.0')).to.equal(false);
  });

  const refused = [
    '1.2.0; rm -rf /',
    '--upload-pack=x',
    '-x',
    '',
    'a b',
    '$(id)',
    '`id`',
    '1.0..2',
    'x'.repeat(101),
    'tag\nnext',
    'v1|sh',
    'a/',
  ];
  for (const v of refused) {
    it(`refuses the version string ${JSON.stringify(v.slice(0, 30))}`, () => {
      expect(versionSyntaxProblem(v)).to.be.a('string');
    });
  }

  for (const v of ['0.2.5', 'v1.0.0', '1.0.0-rc.1+build.5', 'main', 'release/2026-11']) {
    it(`accepts the version string ${v}`, () => {
      expect(versionSyntaxProblem(v)).to.equal(undefined);
    });
  }

  it('says why a hostile version is refused without echoing control characters', () => {
    expect(versionSyntaxProblem('1.0\u001b[2J')).to.equal(
      '"1.0\\x1b[2J" is not a version: use a tag or branch name made of letters, digits and . _ + - / (not starting with - )',
    );
  });

  it('decides restorability by the compatibility rule (default: same major.minor)', () => {
    expect(isRestorable('0.2.0', '0.2.5')).to.equal(true);
    expect(isRestorable('0.2.0', '0.3.0')).to.equal(false);
    expect(isRestorable('0.2.0', '0.3.0', 'same-major')).to.equal(true);
    expect(isRestorable('0.2.0', '0.2.1', 'exact')).to.equal(false);
    expect(isRestorable('0.2.0', '9.9.9', 'any')).to.equal(true);
  });
});
