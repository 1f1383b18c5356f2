/**
 * Release notes from a GitHub-Releases-compatible API, against a local fake of that API (a
 * real HTTP server). What a rollout relies on: a note when one is published, "not published"
 * only when GitHub said so, "unavailable" with the reason otherwise, and few requests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { ClusterConfig } from '../../../../coordinator/config.js';
import type { GithubNotesConfig } from '../../../../coordinator/release-notes/config.js';
import { GithubReleaseNotes, NOT_PUBLISHED_TTL_MS, type VersionNotes } from '../../../../coordinator/release-notes/github-notes.js';
import { FakeClock } from '../../../../shared/clock.js';
import { type FakeGithub, type FakeRelease, startFakeGithub } from '../../../helpers/github-api.js';

const REPO = 'WyssCenter/hybrid-object-store';
const MARKERS = ['ACTION REQUIRED', 'Required changes'];
const HOUR = 3_600_000;
const tagPath = (tag: string): string => `/repos/${REPO}/releases/tags/${tag}`;

const RELEASES: FakeRelease[] = [
  { tag: '0.2.12', name: 'v0.2.12', body: '- Faster sync.' },
  {
    tag: '0.2.13',
    name: 'Hoss 0.2.13',
    body: '## Fixes\n\n- Search paging.\n\n## Required changes\n\n- Add `SEARCH_SHARDS` to `~/.hoss/.env`.\n',
  },
  { tag: '0.3.0', name: 'draft of 0.3.0', body: 'ACTION REQUIRED: not yet', draft: true },
];

describe('coordinator/release-notes: GitHub releases', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-gh-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let gh: FakeGithub;
  let clock: FakeClock;
  const made: GithubReleaseNotes[] = [];
  afterEach(async () => {
    for (const n of made.splice(0)) n.stop();
    await gh?.close();
  });

  function notes(over: Partial<GithubNotesConfig> = {}, maxInFlight?: number): GithubReleaseNotes {
    const github: GithubNotesConfig = { repo: REPO, apiUrl: gh.apiUrl, timeoutMs: 2000, cacheTtlMs: HOUR, ...over };
    const n = new GithubReleaseNotes({ github, markers: MARKERS, clock, maxInFlight });
    made.push(n);
    return n;
  }

  async function one(n: GithubReleaseNotes, tag: string): Promise<VersionNotes> {
    return (await n.notesFor([tag])).get(tag)!;
  }

  function tokenFile(token: string): string {
    const file = path.join(dir, `token-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return file;
  }

  beforeEach(async () => {
    clock = new FakeClock();
    gh = await startFakeGithub({ repo: REPO, releases: RELEASES });
  });

  it('returns the published note (name and body) with the lines the marker rule requires, per version in order', async () => {
    const result = await notes().notesFor(['0.2.12', '0.2.13']);
    expect([...result.keys()]).to.deep.equal(['0.2.12', '0.2.13']);
    expect(result.get('0.2.12')).to.deep.equal({
      status: 'found',
      note: { version: '0.2.12', source: `github:${REPO}`, text: 'v0.2.12\n\n- Faster sync.', requiresAction: false, requiredLines: [] },
    });
    const hoss = result.get('0.2.13');
    expect(hoss?.status === 'found' && hoss.note.requiredLines).to.deep.equal([
      '## Required changes',
      '- Add `SEARCH_SHARDS` to `~/.hoss/.env`.',
    ]);
    expect(hoss?.status === 'found' && hoss.note.requiresAction).to.equal(true);
    expect(hoss?.status === 'found' && hoss.note.text.startsWith('Hoss 0.2.13\n\n## Fixes')).to.equal(true);
  });

  it('says "not published" for a tag without a release, and for a draft, once GitHub shows the repository', async () => {
    const result = await notes().notesFor(['0.2.11', '0.3.0']);
    expect(result.get('0.2.11')).to.deep.equal({ status: 'not-published' });
    expect(result.get('0.3.0')).to.deep.equal({ status: 'not-published' });
    expect(gh.count(`/repos/${REPO}`), 'the repository is looked up once').to.equal(1);
  });

  it('does not call a missing (or hidden) repository "not published"', async () => {
    const answer = await one(notes({ repo: 'WyssCenter/no-such-repo' }), '0.2.13');
    expect(answer).to.deep.equal({
      status: 'unavailable',
      reason: `repository WyssCenter/no-such-repo not found at ${gh.apiUrl}: it does not exist, or it is private and no tokenFile is configured`,
    });
  });

  it('sends the GitHub media type, User-Agent convoy and the bearer token read from the file', async () => {
    await gh.close();
    gh = await startFakeGithub({ repo: REPO, releases: RELEASES, token: 'ghp_secret', prefix: '/api/v3' });
    const answer = await one(notes({ tokenFile: tokenFile('ghp_secret') }), '0.2.12');
    expect(answer.status).to.equal('found');
    expect(gh.lastHeaders()).to.include({
      accept: 'application/vnd.github+json',
      'user-agent': 'convoy',
      authorization: 'Bearer ghp_secret',
    });
    expect(gh.count(tagPath('0.2.12')), 'served under the GitHub Enterprise prefix').to.equal(1);
  });

  it('sends no Authorization header without a token file', async () => {
    await one(notes(), '0.2.12');
    expect(gh.lastHeaders()).to.not.have.property('authorization');
  });

  it('reports a refused token as unavailable, naming the file and never the token', async () => {
    await gh.close();
    gh = await startFakeGithub({ repo: REPO, releases: RELEASES, token: 'ghp_right' });
    const file = tokenFile('ghp_wrong');
    const answer = await one(notes({ tokenFile: file }), '0.2.12');
    expect(answer).to.deep.equal({
      status: 'unavailable',
      reason: `GitHub API at ${gh.apiUrl}${tagPath('0.2.12')} refused the token (HTTP 401: Bad credentials); replace the token in ${file}`,
    });
  });

  it('refuses a token file others can read, with the fix, without sending anything', async () => {
    const file = tokenFile('ghp_secret');
    fs.chmodSync(file, 0o640);
    const answer = await one(notes({ tokenFile: file }), '0.2.12');
    expect(answer).to.deep.equal({
      status: 'unavailable',
      reason: `tokenFile "${file}" is readable or writable by group or others (mode 0640); a token must be private. Run chmod 600 ${file}`,
    });
    expect(gh.total()).to.equal(0);
  });

  const failures: [string, Parameters<FakeGithub['behave']>[0], (url: string) => RegExp][] = [
    ['HTTP 500', { kind: 'error', status: 500 }, (url) => new RegExp(`^GitHub API at ${url} answered HTTP 500: Server Error$`)],
    ['a body that is not JSON', { kind: 'not-json' }, (url) => new RegExp(`^GitHub API at ${url} answered a body that is not JSON$`)],
    ['no headers within the timeout', { kind: 'hang' }, (url) => new RegExp(`^no answer within 300ms from ${url}$`)],
    ['a body that never ends', { kind: 'stream' }, (url) => new RegExp(`^no complete answer within 300ms \\(.*\\) from ${url}$`)],
  ];
  for (const [what, behaviour, reason] of failures) {
    it(`reports ${what} as unavailable with the reason, and does not cache it`, async () => {
      const n = notes({ timeoutMs: 300 });
      gh.behave(behaviour);
      const answer = await one(n, '0.2.13');
      expect(answer.status).to.equal('unavailable');
      expect(answer.status === 'unavailable' && answer.reason).to.match(reason(`${gh.apiUrl}${tagPath('0.2.13')}`));
      gh.behave({ kind: 'normal' });
      expect((await one(n, '0.2.13')).status, 'asked again once GitHub answers').to.equal('found');
      expect(gh.count(tagPath('0.2.13'))).to.equal(2);
    });
  }

  it('names when a rate limit resets, and asks nothing more until then', async () => {
    const n = notes();
    const resetAtS = Math.floor(clock.now() / 1000) + 600;
    gh.behave({ kind: 'rate-limit', resetAtS });
    const first = await n.notesFor(['0.2.12']);
    const reason = `GitHub API rate limit exhausted (x-ratelimit-remaining: 0); it resets at ${new Date(resetAtS * 1000).toISOString()} (in 10m00s); a token (releaseNotes.github.tokenFile) raises the limit`;
    expect(first.get('0.2.12')).to.deep.equal({ status: 'unavailable', reason });
    gh.behave({ kind: 'normal' });
    clock.advance(60_000);
    expect(await one(n, '0.2.13')).to.deep.equal({ status: 'unavailable', reason });
    expect(gh.total(), 'no request while the limit holds').to.equal(1);
    clock.set(resetAtS * 1000 + 1);
    expect((await one(n, '0.2.13')).status).to.equal('found');
  });

  it('reuses a published note for cacheTtl and "not published" for a shorter while', async () => {
    const n = notes({ cacheTtlMs: HOUR });
    await n.notesFor(['0.2.13', '0.2.14']);
    clock.advance(NOT_PUBLISHED_TTL_MS - 1);
    await n.notesFor(['0.2.13', '0.2.14']);
    expect([gh.count(tagPath('0.2.13')), gh.count(tagPath('0.2.14'))]).to.deep.equal([1, 1]);
    gh.setRelease({ tag: '0.2.14', name: '0.2.14', body: 'Published meanwhile.' });
    clock.advance(1);
    expect((await one(n, '0.2.14')).status, 'a release published later is seen within minutes').to.equal('found');
    clock.advance(HOUR - NOT_PUBLISHED_TTL_MS);
    await one(n, '0.2.13');
    expect([gh.count(tagPath('0.2.13')), gh.count(tagPath('0.2.14'))]).to.deep.equal([2, 2]);
  });

  it('shares one request between concurrent questions about the same tag', async () => {
    const n = notes();
    gh.behave({ kind: 'held' });
    const both = Promise.all([n.notesFor(['0.2.13']), n.notesFor(['0.2.13', '0.2.13'])]);
    await gh.heldReached(1);
    gh.release();
    const [a, b] = await both;
    expect(a.get('0.2.13')).to.deep.equal(b.get('0.2.13'));
    expect(gh.count(tagPath('0.2.13'))).to.equal(1);
  });

  it('keeps at most maxInFlight requests in flight', async () => {
    const tags = Array.from({ length: 10 }, (_, i) => `1.0.${i}`);
    for (const tag of tags) gh.setRelease({ tag, body: `notes of ${tag}` });
    const n = notes({}, 3);
    gh.behave({ kind: 'held' });
    const all = n.notesFor(tags);
    await gh.heldReached(3);
    for (let i = 0; i < tags.length; i++) {
      await gh.heldReached(1);
      gh.releaseOne();
    }
    const result = await all;
    expect([...result.values()].every((v) => v.status === 'found')).to.equal(true);
    expect(gh.total()).to.equal(10);
    // the limiter's own test shows the bound exactly; here, that it holds over real requests
    expect(gh.maxHeld()).to.equal(3);
  });

  it('cancels requests in flight when stopped', async () => {
    const n = notes({ timeoutMs: 30_000 });
    gh.behave({ kind: 'hang' });
    const arrived = gh.nextRequest();
    const pending = one(n, '0.2.13');
    await arrived;
    n.stop();
    const answer = await pending;
    expect(answer.status).to.equal('unavailable');
    expect(answer.status === 'unavailable' && answer.reason).to.match(/cancelled \(convoyd is stopping\)$/);
    await gh.clientsGone();
  });

  it('is made from a cluster whose releaseNotes name a GitHub repository, and only then', () => {
    const cluster = { name: 'hoss', releaseNotes: { requireNotes: true, markers: MARKERS } } as unknown as ClusterConfig;
    expect(GithubReleaseNotes.fromCluster(cluster, { clock })).to.equal(undefined);
    const github: GithubNotesConfig = { repo: REPO, apiUrl: gh.apiUrl, timeoutMs: 1000, cacheTtlMs: HOUR };
    const withGithub = { ...cluster, releaseNotes: { ...cluster.releaseNotes!, github } };
    const made = GithubReleaseNotes.fromCluster(withGithub, { clock });
    expect(made?.source).to.equal(`github:${REPO}`);
    made?.stop();
  });
});
