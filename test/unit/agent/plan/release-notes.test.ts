import { expect } from 'chai';
import {
  buildReleaseNotes,
  changelogSection,
  describedBase,
  findRequiredLines,
  versionsWithoutNotes,
} from '../../../../agent/plan/release-notes.js';

const MARKERS = ['ACTION REQUIRED', 'Required changes'];

const CHANGELOG = `# Changelog

All notable changes.

## [0.4.0] - 2026-03-01

- Faster search.

## 0.3.0-rc.1

- Release candidate, must not be taken for 0.3.0.

## v0.3.0 (2026-02-01)

### Required changes

- add \`AUTH_URL\` to server/config.env
- run \`make reindex\` once

### Fixed

- Uploads over 2 GiB.

## 0.2.0

ACTION REQUIRED: rename \`DATA_DIR\` to \`STORAGE_DIR\` in config.env.

\`\`\`
## 0.1.0 inside a code block is not a heading
\`\`\`

## 0.1.0

- First release.
`;

describe('release notes: changelog sections', () => {
  it('finds a section whatever the heading style: "## 0.2.0", "## [0.4.0] - date", "## v0.3.0 (date)"', () => {
    expect(changelogSection(CHANGELOG, '0.4.0')).to.equal('## [0.4.0] - 2026-03-01\n\n- Faster search.');
    expect(changelogSection(CHANGELOG, '0.3.0')?.split('\n')[0]).to.equal('## v0.3.0 (2026-02-01)');
    expect(changelogSection(CHANGELOG, 'v0.2.0')?.split('\n')[0]).to.equal('## 0.2.0');
  });

  it('ends a section at the next heading of the same or a higher level, keeping its sub-headings', () => {
    const section = changelogSection(CHANGELOG, '0.3.0') ?? '';
    expect(section).to.contain('### Required changes');
    expect(section).to.contain('### Fixed');
    expect(section).not.to.contain('## 0.2.0');
  });

  it('does not take a pre-release or a longer version for the version asked', () => {
    expect(changelogSection('## 0.3.0-rc.1\n- rc\n## 10.3.0\n- ten\n## 0.3.01\n', '0.3.0')).to.equal(undefined);
  });

  it('ignores headings inside fenced code blocks', () => {
    expect(changelogSection(CHANGELOG, '0.1.0')).to.equal('## 0.1.0\n\n- First release.');
  });
});

describe('release notes: required changes', () => {
  it('takes a marker heading with the lines under it until the next heading', () => {
    const section = changelogSection(CHANGELOG, '0.3.0') ?? '';
    expect(findRequiredLines(section, MARKERS)).to.deep.equal([
      '### Required changes',
      '- add `AUTH_URL` to server/config.env',
      '- run `make reindex` once',
    ]);
  });

  it('takes a line that starts with a marker, also after list marks and emphasis, in any case', () => {
    const text = [
      'Notes',
      '- **Action required**: restart the auth server first',
      'action required: run make migrate',
      '> ACTION REQUIRED — back up twice',
    ].join('\n');
    expect(findRequiredLines(text, MARKERS)).to.deep.equal([
      '- **Action required**: restart the auth server first',
      'action required: run make migrate',
      '> ACTION REQUIRED — back up twice',
    ]);
  });

  it('does not take a marker in the middle of a sentence', () => {
    expect(findRequiredLines('No action required for this release.\nThere are no Required changes.', MARKERS)).to.deep.equal([]);
  });

  it('finds nothing when no markers are configured', () => {
    expect(findRequiredLines('ACTION REQUIRED: x', [])).to.deep.equal([]);
  });
});

describe('release notes: building the notes of an update', () => {
  const tags = ['0.1.0', '0.2.0', '0.3.0', '0.4.0', 'latest'];

  it('covers every version in (from, to], tag note before changelog note, sources named', () => {
    const notes = buildReleaseNotes({
      tags,
      fromVersion: '0.1.0',
      toVersion: '0.3.0',
      tagMessages: { '0.2.0': 'Release 0.2.0', '0.3.0': '' },
      changelog: { path: 'CHANGELOG.md', text: CHANGELOG },
      markers: MARKERS,
    });
    expect(notes.notes.map((n) => [n.version, n.source])).to.deep.equal([
      ['0.2.0', 'tag'],
      ['0.2.0', 'CHANGELOG.md'],
      ['0.3.0', 'CHANGELOG.md'],
    ]);
    expect(notes.notes.map((n) => n.requiresAction)).to.deep.equal([false, true, true]);
    expect(notes.notes[1]?.requiredLines).to.deep.equal(['ACTION REQUIRED: rename `DATA_DIR` to `STORAGE_DIR` in config.env.']);
    expect(notes).to.include({ fromVersion: '0.1.0', toVersion: '0.3.0', requiresAction: true });
  });

  it('reads a tag message that declares required changes', () => {
    const notes = buildReleaseNotes({
      tags,
      fromVersion: '0.3.0',
      toVersion: '0.4.0',
      tagMessages: { '0.4.0': 'Release 0.4.0\n\nRequired changes:\nset SEARCH_SHARDS in config.env' },
      markers: MARKERS,
    });
    expect(notes.notes).to.have.length(1);
    expect(notes.notes[0]).to.include({ version: '0.4.0', source: 'tag', requiresAction: true });
    expect(notes.notes[0]?.requiredLines).to.deep.equal(['Required changes:']);
  });

  it('matches v-prefixed tags with changelog headings written without the v', () => {
    const notes = buildReleaseNotes({
      tags: ['v0.1.0', 'v0.2.0'],
      fromVersion: 'v0.1.0',
      toVersion: 'v0.2.0',
      tagMessages: {},
      changelog: { path: 'CHANGELOG.md', text: CHANGELOG },
      markers: MARKERS,
    });
    expect(notes.notes.map((n) => [n.version, n.source, n.requiresAction])).to.deep.equal([['v0.2.0', 'CHANGELOG.md', true]]);
  });

  it('has no notes when there is no changelog and tags are lightweight, and lists every version on the way as without notes', () => {
    const notes = buildReleaseNotes({ tags, fromVersion: '0.1.0', toVersion: '0.4.0', tagMessages: {}, markers: MARKERS });
    expect(notes).to.deep.include({ fromVersion: '0.1.0', toVersion: '0.4.0', notes: [], requiresAction: false });
    expect(versionsWithoutNotes(notes)).to.deep.equal(notes.versions);
    expect(notes.versions?.length).to.be.greaterThan(0);
  });

  it('treats an installed version from git describe as the tag it is based on', () => {
    expect(describedBase('0.1.0-3-gabc1234')).to.equal('0.1.0');
    expect(describedBase('0.2.0-rc.1')).to.equal('0.2.0-rc.1');
    const notes = buildReleaseNotes({
      tags,
      fromVersion: '0.1.0-3-gabc1234',
      toVersion: '0.2.0',
      tagMessages: { '0.1.0': 'old', '0.2.0': 'new' },
      markers: MARKERS,
    });
    expect(notes.notes.map((n) => n.version)).to.deep.equal(['0.2.0']);
  });

  it('has no notes for a downgrade', () => {
    const notes = buildReleaseNotes({ tags, fromVersion: '0.3.0', toVersion: '0.2.0', tagMessages: { '0.2.0': 'x' }, markers: MARKERS });
    expect(notes.notes).to.deep.equal([]);
  });
});
