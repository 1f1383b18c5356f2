import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { forgetVanished, pruneBackups, type PruneDeps } from '../../../../agent/backups/prune.js';
import { archivesToPrune, majorMinor, type RetentionInput } from '../../../../agent/backups/retention.js';
import { BackupCatalogue } from '../../../../agent/plan/catalogue.js';
import { FakeClock } from '../../../../shared/clock.js';
import type { BackupRecord } from '../../../../shared/wire.js';
import { captureLogger } from '../../agent-daemon/fakes.js';
import { makeTempDir } from '../helpers/temp-repo.js';

/** A catalogue record: the archive of `step` of rollout `rolloutId`, taken at `version`, at minute `at`. */
function rec(id: string, version: string, at: number, step = 'backup', rolloutId = ''): BackupRecord {
  return { id, path: `/b/${id}.tar.gz`, version, sizeBytes: 1, sha256: '', createdAtMs: at * 60_000, step, rolloutId };
}

const input = (records: BackupRecord[], over: Partial<RetentionInput> = {}): RetentionInput => ({
  records,
  keepPerMinor: 2,
  installedVersion: '0.3.0',
  compatibility: 'same-major-minor',
  protectedRollouts: [],
  ...over,
});

const prunedIds = (i: RetentionInput): string[] => archivesToPrune(i).map((p) => p.record.id);

describe('agent/backups/retention: which archives backup.keep deletes', () => {
  it('groups by major.minor (git describe output with its release, a branch by its name)', () => {
    expect(['0.2.0', '0.2.7', 'v0.2.1', '0.2.0-3-gabc1234', '1.0.0', 'main'].map(majorMinor)).to.deep.equal([
      '0.2',
      '0.2',
      '0.2',
      '0.2',
      '1.0',
      'main',
    ]);
  });

  it('keeps the newest N of each major.minor and deletes the older ones, oldest first', () => {
    const records = [
      rec('a', '0.1.0', 1),
      rec('b', '0.1.1', 2),
      rec('c', '0.1.2', 3),
      rec('d', '0.2.0', 4),
      rec('e', '0.2.1', 5),
      rec('f', '0.2.2', 6),
      rec('g', '0.3.0', 7),
    ];
    expect(prunedIds(input(records))).to.deep.equal(['a', 'd']);
    const why = archivesToPrune(input(records))[0]?.why;
    expect(why).to.equal('older than the newest 2 of 0.1 (backup.keep.perMinor)');
  });

  it('keeps everything with perMinor "all" (0)', () => {
    expect(prunedIds(input([rec('a', '0.1.0', 1), rec('b', '0.1.0', 2), rec('c', '0.1.0', 3)], { keepPerMinor: 0 }))).to.deep.equal([]);
  });

  it('never deletes the newest archive restorable into the installed version, whatever the count', () => {
    // installed 0.1.5 after a downgrade: its only restorable archive is the oldest of 0.1
    const records = [rec('a', '0.1.5', 1), rec('b', '0.2.0', 2), rec('c', '0.2.0', 3), rec('d', '0.2.1', 4)];
    expect(prunedIds(input(records, { keepPerMinor: 1, installedVersion: '0.1.5' }))).to.deep.equal(['b', 'c']);
    expect(prunedIds(input(records, { keepPerMinor: 1, installedVersion: '0.2.0', compatibility: 'exact' }))).to.deep.equal(['b']);
  });

  it("never deletes the pre-update backup of a protected rollout (in progress, or the last to move the work tree), and only that one of the rollout's archives", () => {
    const records = [
      rec('pre-r4', '0.1.0', 1, 'backup', 'r-4'),
      rec('after-r4', '0.2.0', 2, 'backup-after', 'r-4'),
      rec('pre-r5', '0.1.0', 3, 'backup', 'r-5'),
      rec('pre-r6', '0.1.0', 4, 'backup', 'r-6'),
      rec('pre-r7', '0.1.0', 5, 'backup', 'r-7'),
    ];
    expect(prunedIds(input(records, { keepPerMinor: 1, installedVersion: '0.2.0', protectedRollouts: ['r-4', 'r-7'] }))).to.deep.equal([
      'pre-r5',
      'pre-r6',
    ]);
  });
});

describe('agent/backups/prune: the catalogue follows the files', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let catalogue: BackupCatalogue;
  let log: ReturnType<typeof captureLogger>;
  let serverDir: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  let installed = '0.2.0';
  let moved: string[] = [];

  const deps = (keepPerMinor: number): PruneDeps => ({
    config: { backup: { archiveGlob: 'backups/*.tar.gz', compatibility: 'same-major-minor', keepPerMinor } },
    catalogue,
    logger: log.logger,
    installedVersion: async () => installed,
    movedBy: () => moved,
  });

  /** Runs a backup step as the agent records one: the archive written, then catalogued. */
  async function backup(version: string, step: string, rolloutId: string): Promise<BackupRecord> {
    clock.advance(60_000);
    const file = path.join(serverDir, 'backups', `backup-${version}-${clock.now()}.tar.gz`);
    fs.writeFileSync(file, `${version} ${clock.now()}`);
    return catalogue.recordNewestArchive({ serverDir, archiveGlob: 'backups/*.tar.gz', sinceMs: 0, version, step, rolloutId });
  }

  const onDisk = (): string[] => fs.readdirSync(path.join(serverDir, 'backups')).sort();
  const listed = (c = catalogue): string[] =>
    c
      .list()
      .map((r) => path.basename(r.path))
      .sort();

  beforeEach(() => {
    tmp = makeTempDir('prune');
    serverDir = path.join(tmp.dir, 'server');
    fs.mkdirSync(path.join(serverDir, 'backups'), { recursive: true });
    catalogue = new BackupCatalogue({ stateDir: path.join(tmp.dir, 'state'), clock });
    log = captureLogger();
    installed = '0.2.0';
    moved = [];
  });
  afterEach(() => tmp.remove());

  it('deletes what the policy does not keep, files first, and the catalogue (also as reloaded from disk) lists exactly the files left', async () => {
    await backup('0.1.0', 'backup', 'r-1');
    await backup('0.1.1', 'backup-after', 'r-1');
    await backup('0.1.1', 'backup', 'r-2');
    const after = await backup('0.2.0', 'backup-after', 'r-2');
    moved = ['r-2'];
    const outcome = await pruneBackups(deps(1), 'r-2');
    expect(outcome.deleted.map((r) => r.version)).to.deep.equal(['0.1.0', '0.1.1']);
    expect(onDisk()).to.deep.equal(listed());
    expect(listed()).to.have.length(2);
    expect(catalogue.list().map((r) => `${r.step}@${r.version}`)).to.deep.equal(['backup-after@0.2.0', 'backup@0.1.1']);
    expect(listed(new BackupCatalogue({ stateDir: path.join(tmp.dir, 'state'), clock }))).to.deep.equal(onDisk());
    expect(log.lines).to.include(
      `info deleted backup archive ${catalogue.list().length ? outcome.deleted[0]!.path : ''} (taken at 0.1.0, backup ${outcome.deleted[0]!.id}): older than the newest 1 of 0.1 (backup.keep.perMinor)`,
    );
    expect(after.id).to.equal(catalogue.list()[0]?.id);
  });

  it('drops an archive deleted by hand from the catalogue, with a log line, and deletes nothing under "all"', async () => {
    const gone = await backup('0.1.0', 'backup', 'r-1');
    await backup('0.2.0', 'backup-after', 'r-1');
    fs.rmSync(gone.path);
    const outcome = await pruneBackups(deps(0), 'r-1');
    expect(outcome).to.deep.equal({ deleted: [], vanished: [gone] });
    expect(onDisk()).to.deep.equal(listed());
    expect(log.lines).to.include(`warn backup ${gone.id}: archive ${gone.path} is no longer on disk; dropped from the backup catalogue`);
    expect(await forgetVanished({ catalogue, logger: log.logger })).to.deep.equal([]);
  });

  it('keeps an archive it cannot delete in the catalogue, and says so', async () => {
    const first = await backup('0.1.0', 'backup', 'r-1');
    await backup('0.1.1', 'backup', 'r-2');
    await backup('0.1.2', 'backup', 'r-3');
    fs.rmSync(first.path);
    fs.mkdirSync(first.path); // a directory where the archive was: not ours to remove
    fs.writeFileSync(path.join(first.path, 'x'), '');
    installed = '0.1.2';
    const outcome = await pruneBackups(deps(1), 'r-3');
    expect(outcome.deleted.map((r) => r.version)).to.deep.equal(['0.1.1']);
    expect(catalogue.list().map((r) => r.version)).to.deep.equal(['0.1.2', '0.1.0']);
    expect(log.lines).to.include(`warn not deleting backup ${first.id}: ${first.path} is no longer a regular file; remove it by hand`);
  });
});
