/**
 * Applies backup.keep after each backup step, and keeps the catalogue and the files in step:
 * an archive deleted by hand (or by anything else) is dropped from the catalogue with a log
 * line, and an archive the policy deletes leaves the catalogue once its file is gone. Files are
 * deleted before their records, so a crash in between leaves a record without a file, which
 * the next pass drops, never a file no record points at.
 */
import { lstat, unlink } from 'node:fs/promises';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { BackupRecord } from '../../shared/wire.js';
import type { AgentConfig } from '../types.js';
import { archivesToPrune } from './retention.js';

/** The catalogue as pruning uses it (agent/plan/catalogue.ts). */
export interface PrunableCatalogue {
  list(): BackupRecord[];
  forget(ids: string[]): Promise<void>;
}

export interface PruneDeps {
  config: Pick<AgentConfig, 'backup'>;
  catalogue: PrunableCatalogue;
  logger: Logger;
  /** The version checked out now. */
  installedVersion(): Promise<string>;
  /** Rollouts that last moved the work tree (agent/plan/worktree-moves.ts). */
  movedBy(): string[];
}

/** What a pass did. */
export interface PruneOutcome {
  deleted: BackupRecord[];
  /** Records dropped because their archive was no longer on disk. */
  vanished: BackupRecord[];
}

/** Drops the records whose archive is gone; returns them. */
export async function forgetVanished(deps: Pick<PruneDeps, 'catalogue' | 'logger'>): Promise<BackupRecord[]> {
  const vanished: BackupRecord[] = [];
  for (const r of deps.catalogue.list()) {
    const st = await lstat(r.path).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : undefined));
    if (st === null) vanished.push(r);
  }
  if (vanished.length === 0) return [];
  await deps.catalogue.forget(vanished.map((r) => r.id));
  for (const r of vanished)
    deps.logger.warn(`backup ${r.id}: archive ${r.path} is no longer on disk; dropped from the backup catalogue`, {
      backupId: r.id,
      path: r.path,
      version: r.version,
    });
  return vanished;
}

/**
 * One pass after a backup step of rollout `rolloutId`: forget vanished archives, then delete
 * what backup.keep does not keep. An archive that cannot be deleted is logged and stays listed;
 * a catalogue that cannot be written throws (the caller logs it; the next pass tries again).
 */
export async function pruneBackups(deps: PruneDeps, rolloutId: string): Promise<PruneOutcome> {
  const vanished = await forgetVanished(deps);
  const pruned = archivesToPrune({
    records: deps.catalogue.list(),
    keepPerMinor: deps.config.backup.keepPerMinor,
    installedVersion: await deps.installedVersion(),
    compatibility: deps.config.backup.compatibility,
    protectedRollouts: [rolloutId, ...deps.movedBy()].filter(Boolean),
  });
  const deleted: BackupRecord[] = [];
  for (const { record, why } of pruned) {
    if (await deleteArchive(record, deps.logger)) {
      deleted.push(record);
      deps.logger.info(`deleted backup archive ${record.path} (taken at ${record.version}, backup ${record.id}): ${why}`, {
        backupId: record.id,
        path: record.path,
        version: record.version,
      });
    }
  }
  if (deleted.length) await deps.catalogue.forget(deleted.map((r) => r.id));
  return { deleted, vanished };
}

/** Deletes a catalogued archive; false (logged) when it is not a plain file or cannot be deleted. */
async function deleteArchive(record: BackupRecord, logger: Logger): Promise<boolean> {
  try {
    const st = await lstat(record.path);
    if (!st.isFile()) {
      logger.warn(`not deleting backup ${record.id}: ${record.path} is no longer a regular file; remove it by hand`, {
        backupId: record.id,
      });
      return false;
    }
    await unlink(record.path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    logger.warn(`cannot delete backup archive ${record.path}: ${messageOf(err)}; it stays in the catalogue`, { backupId: record.id });
    return false;
  }
}
