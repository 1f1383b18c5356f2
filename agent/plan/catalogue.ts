/**
 * The agent's backup catalogue: which archive each backup step produced, at which
 * version, with its size and sha256. Restore takes archive paths only from here, never
 * from the network. Stored as `<stateDir>/backups.json` (mode 0600, written atomically).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import type { BackupRecord } from '../../shared/wire.js';
import { findArchives } from './archive-glob.js';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { storageError } from '../storage-error.js';

export const CATALOGUE_FILE = 'backups.json';

/**
 * File systems stamp mtimes from a coarse clock that can lag the wall clock by a few
 * milliseconds (and some keep whole seconds), so an archive written right after the step
 * started may look older than the start.
 */
const MTIME_SLACK_MS = 2000;

/** What a finished backup step tells the catalogue. */
export interface RecordArchiveOptions {
  serverDir: string;
  archiveGlob: string;
  /** When the backup step started: older archives belong to earlier backups. */
  sinceMs: number;
  /** The version installed when the backup was taken. */
  version: string;
  step: string;
  rolloutId: string;
}

interface CatalogueFile {
  version: 1;
  backups: BackupRecord[];
}

/** The backup catalogue of one agent. */
export class BackupCatalogue {
  readonly file: string;
  private records: BackupRecord[];
  private writes: Promise<void> = Promise.resolve();

  /** Loads the catalogue (synchronously: it is small and read once at start). */
  constructor(private readonly opts: { stateDir: string; clock: Clock }) {
    this.file = path.join(opts.stateDir, CATALOGUE_FILE);
    this.records = loadRecords(this.file);
  }

  /** Every recorded backup, newest first. */
  list(): BackupRecord[] {
    return [...this.records].sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  find(id: string): BackupRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  /**
   * Records the newest archive matching the glob that was written since the step started.
   * Throws a ConvoyError when there is none: a backup that left no archive is a failure.
   */
  async recordNewestArchive(opts: RecordArchiveOptions): Promise<BackupRecord> {
    const archives = await findArchives(opts.serverDir, opts.archiveGlob);
    const newest = archives.filter((a) => a.mtimeMs >= opts.sinceMs - MTIME_SLACK_MS).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
    if (!newest) {
      throw new ConvoyError(
        'FAILED_PRECONDITION',
        `backup command succeeded but produced no archive matching ${opts.archiveGlob} (in ${opts.serverDir})`,
        'Check that the backup command writes its archive where backup.archiveGlob points.',
      );
    }
    const sha256 = await sha256File(newest.path);
    const createdAtMs = this.opts.clock.now();
    // Two archives with the same content taken in the same second (a fast update's backup-after,
    // then the next update's backup) would share an id, and a prune or restore of one would act
    // on both: the second gets a suffix.
    const others = this.records.filter((r) => r.path !== newest.path);
    const base = backupId(createdAtMs, sha256);
    let id = base;
    for (let n = 2; others.some((r) => r.id === id); n++) id = `${base}-${n}`;
    const record: BackupRecord = {
      id,
      path: newest.path,
      version: opts.version,
      sizeBytes: newest.sizeBytes,
      sha256,
      createdAtMs,
      step: opts.step,
      rolloutId: opts.rolloutId,
    };
    // A command that reuses one file name replaces that archive: the old record would lie.
    await this.save([...this.records.filter((r) => r.path !== record.path), record]);
    return record;
  }

  /** Drops records (their archives were deleted, or are gone); throws a StorageError when the file cannot be written. */
  async forget(ids: string[]): Promise<void> {
    const gone = new Set(ids);
    if (!this.records.some((r) => gone.has(r.id))) return;
    await this.save(this.records.filter((r) => !gone.has(r.id)));
  }

  /** Why the archive of `record` can no longer be restored (gone, or changed), or undefined. */
  async verify(record: BackupRecord): Promise<string | undefined> {
    const st = await stat(record.path).catch(() => undefined);
    if (!st?.isFile()) return `backup ${record.id}: archive ${record.path} no longer exists`;
    const sha = await sha256File(record.path);
    if (sha !== record.sha256)
      return `backup ${record.id}: archive ${record.path} changed since it was recorded (sha256 ${sha.slice(0, 12)}…, recorded ${record.sha256.slice(0, 12)}…)`;
    return undefined;
  }

  private async save(records: BackupRecord[]): Promise<void> {
    const write = this.writes.then(async () => {
      await mkdir(this.opts.stateDir, { recursive: true, mode: 0o700 });
      const content: CatalogueFile = { version: 1, backups: records };
      await writeFileAtomic(this.file, JSON.stringify(content, null, 2) + '\n').catch((err: unknown) => {
        throw storageError(this.file, err);
      });
      this.records = records;
    });
    this.writes = write.catch(() => undefined);
    return write;
  }
}

/** Hex sha256 of a file, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** A stable, sortable id: UTC time of the backup plus the start of the archive's sha256. */
export function backupId(createdAtMs: number, sha256: string): string {
  const stamp = new Date(createdAtMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${sha256.slice(0, 12)}`;
}

function loadRecords(file: string): BackupRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConvoyError('FAILED_PRECONDITION', `cannot read the backup catalogue ${file}: ${messageOf(err)}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<CatalogueFile>;
    if (!Array.isArray(parsed.backups)) throw new Error('no "backups" list');
    return parsed.backups.filter(isRecord);
  } catch (err) {
    throw new ConvoyError(
      'FAILED_PRECONDITION',
      `the backup catalogue ${file} is corrupt: ${messageOf(err)}`,
      `Repair the file or move it aside, then restart convoy-agent (a moved catalogue forgets its backups).`,
    );
  }
}

function isRecord(r: unknown): r is BackupRecord {
  const o = r as Partial<BackupRecord> | null;
  return !!o && typeof o.id === 'string' && typeof o.path === 'string' && typeof o.sha256 === 'string' && typeof o.createdAtMs === 'number';
}
