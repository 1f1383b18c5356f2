import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { findArchives, matchesGlob, splitArchiveGlob } from '../../../../agent/plan/archive-glob.js';
import { BackupCatalogue } from '../../../../agent/plan/catalogue.js';
import { FakeClock } from '../../../../shared/clock.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { makeTempDir } from '../helpers/temp-repo.js';

describe('archive glob', () => {
  const cases: [string, string, boolean][] = [
    ['hoss-2026-01-01.tar.gz', '*.tar.gz', true],
    ['hoss.tar.gz.partial', '*.tar.gz', false],
    ['.hoss.tar.gz', '*.tar.gz', false],
    ['backup-7.tar.gz', 'backup-?.tar.gz', true],
    ['backup-17.tar.gz', 'backup-?.tar.gz', false],
    ['backup+1.tar.gz', 'backup+?.tar.gz', true],
    ['backupx1.tar.gz', 'backup+?.tar.gz', false],
    ['a(1).tgz', 'a(?).tgz', true],
  ];
  for (const [name, pattern, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${name} against ${pattern}`, () => {
      expect(matchesGlob(name, pattern)).to.equal(expected);
    });
  }

  it('resolves the directory part against the server directory and refuses wildcards in it', () => {
    expect(splitArchiveGlob('/opt/hoss/server', 'backups/*.tar.gz')).to.deep.equal({
      dir: '/opt/hoss/server/backups',
      pattern: '*.tar.gz',
    });
    expect(splitArchiveGlob('/opt/hoss/server', '/var/backups/hoss-*.tgz')).to.deep.equal({ dir: '/var/backups', pattern: 'hoss-*.tgz' });
    expect(() => splitArchiveGlob('/srv', 'backups/*/x.tar.gz')).to.throw(ConvoyError, 'wildcards are only supported in the file name');
  });

  it('lists only regular files, and nothing when the directory is missing', async () => {
    const tmp = makeTempDir('glob');
    try {
      fs.mkdirSync(path.join(tmp.dir, 'backups', 'dir.tar.gz'), { recursive: true });
      fs.writeFileSync(path.join(tmp.dir, 'backups', 'one.tar.gz'), 'x');
      const found = await findArchives(tmp.dir, 'backups/*.tar.gz');
      expect(found.map((f) => f.path)).to.deep.equal([path.join(tmp.dir, 'backups', 'one.tar.gz')]);
      expect(await findArchives(tmp.dir, 'missing/*.tar.gz')).to.deep.equal([]);
    } finally {
      tmp.remove();
    }
  });
});

describe('backup catalogue', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let serverDir: string;
  let stateDir: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));

  beforeEach(() => {
    tmp = makeTempDir('catalogue');
    serverDir = path.join(tmp.dir, 'server');
    stateDir = path.join(tmp.dir, 'state');
    fs.mkdirSync(path.join(serverDir, 'backups'), { recursive: true });
  });
  afterEach(() => tmp.remove());

  function writeArchive(name: string, content: string, ageMs = 0): string {
    const file = path.join(serverDir, 'backups', name);
    fs.writeFileSync(file, content);
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(file, t, t);
    return file;
  }

  const record = (catalogue: BackupCatalogue, sinceMs = Date.now()) =>
    catalogue.recordNewestArchive({
      serverDir,
      archiveGlob: 'backups/*.tar.gz',
      sinceMs,
      version: '0.1.0',
      step: 'backup',
      rolloutId: 'r-1',
    });

  it('records the newest archive written since the step started, with its size and sha256', async () => {
    const since = Date.now();
    writeArchive('old.tar.gz', 'old', 3_600_000);
    const fresh = writeArchive('fresh.tar.gz', 'fresh archive');
    const catalogue = new BackupCatalogue({ stateDir, clock });
    const rec = await record(catalogue, since);
    expect(rec).to.deep.equal({
      id: `20260102T030405Z-${rec.sha256.slice(0, 12)}`,
      path: fresh,
      version: '0.1.0',
      sizeBytes: 13,
      sha256: createHash('sha256').update('fresh archive').digest('hex'),
      createdAtMs: clock.now(),
      step: 'backup',
      rolloutId: 'r-1',
    });
    expect(catalogue.find(rec.id)).to.deep.equal(rec);
  });

  it('persists to backups.json with mode 0600 and reads it back after a restart', async () => {
    writeArchive('a.tar.gz', 'a');
    const rec = await record(new BackupCatalogue({ stateDir, clock }));
    const file = path.join(stateDir, 'backups.json');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.readdirSync(stateDir)).to.deep.equal(['backups.json']);
    expect(new BackupCatalogue({ stateDir, clock }).list()).to.deep.equal([rec]);
  });

  it('fails when the backup command left no new archive', async () => {
    writeArchive('yesterday.tar.gz', 'old', 86_400_000);
    const err = await record(new BackupCatalogue({ stateDir, clock })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConvoyError);
    expect((err as Error).message).to.equal(`backup command succeeded but produced no archive matching backups/*.tar.gz (in ${serverDir})`);
  });

  it('replaces the record of an archive whose file was overwritten by a later backup', async () => {
    const catalogue = new BackupCatalogue({ stateDir, clock });
    writeArchive('latest.tar.gz', 'first');
    await record(catalogue);
    clock.advance(60_000);
    writeArchive('latest.tar.gz', 'second');
    const second = await record(catalogue);
    expect(catalogue.list()).to.deep.equal([second]);
  });

  it('gives two archives of the same content taken in the same second different ids, so pruning one keeps the other', async () => {
    const catalogue = new BackupCatalogue({ stateDir, clock });
    const since = Date.now();
    writeArchive('backup-0.1.1-1.tar.gz', 'same data');
    const first = await record(catalogue, since);
    writeArchive('backup-0.1.1-2.tar.gz', 'same data');
    const second = await record(catalogue, since);
    expect(second.sha256).to.equal(first.sha256);
    expect(second.id).to.equal(`${first.id}-2`);
    await catalogue.forget([first.id]);
    expect(catalogue.list()).to.deep.equal([second]);
  });

  it('notices an archive that changed or disappeared since it was recorded', async () => {
    const catalogue = new BackupCatalogue({ stateDir, clock });
    const file = writeArchive('a.tar.gz', 'original');
    const rec = await record(catalogue);
    expect(await catalogue.verify(rec)).to.equal(undefined);
    fs.writeFileSync(file, 'tampered');
    expect(await catalogue.verify(rec)).to.match(/^backup .* changed since it was recorded/);
    fs.rmSync(file);
    expect(await catalogue.verify(rec)).to.equal(`backup ${rec.id}: archive ${file} no longer exists`);
  });

  it('refuses to start on a corrupt catalogue, naming the file', () => {
    fs.mkdirSync(stateDir);
    fs.writeFileSync(path.join(stateDir, 'backups.json'), '{ not json');
    expect(() => new BackupCatalogue({ stateDir, clock })).to.throw(
      ConvoyError,
      `the backup catalogue ${path.join(stateDir, 'backups.json')} is corrupt`,
    );
  });
});
