/**
 * Snapshot files of convoyd's state, read and written with SQLite (better-sqlite3, as in
 * sqlite-store.ts): what a snapshot holds, a consistent copy of one SQLite file into another,
 * and the lock that tells whether convoyd has a state file open.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import { describeStorageError, isLocked } from './storage-errors.js';

/** What a snapshot (or a state file) holds. */
export interface SnapshotContents {
  /** SQLite's user_version: the schema the state was written with (0: the first Convoy). */
  schemaVersion: number;
  rollouts: number;
  /** Ids of the rollouts still in progress in it (oldest first). */
  unfinished: string[];
}

/**
 * Makes a snapshot file of ours self-contained and checks it: any -wal beside it is folded in
 * and the file set to rollback-journal mode (a WAL-mode file would grow -wal and -shm files
 * wherever it is opened, even read-only); SQLite's quick_check must pass and it must have the
 * rollouts table. Throws a ConvoyError naming `shownAs` and the problem. Only for files convoy
 * wrote itself (a temporary copy): the operator's own file is never opened for writing.
 */
export function settleSnapshot(file: string, shownAs: string): SnapshotContents {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    throw new ConvoyError('INVALID_ARGUMENT', `cannot read the snapshot ${shownAs}: ${describeStorageError(err)}`);
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new ConvoyError('INVALID_ARGUMENT', `the snapshot ${shownAs} is damaged (SQLite quick_check: ${String(check)})`);
    const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'rollouts'").get() as { n: number };
    if (tables.n === 0)
      throw new ConvoyError('INVALID_ARGUMENT', `${shownAs} is an SQLite file but not a Convoy state snapshot (it has no rollouts table)`);
    const rows = db.prepare('SELECT id, finished FROM rollouts ORDER BY seq').all() as { id: string; finished: number }[];
    return {
      schemaVersion: Number(db.pragma('user_version', { simple: true })),
      rollouts: rows.length,
      unfinished: rows.filter((r) => r.finished === 0).map((r) => r.id),
    };
  } catch (err) {
    if (err instanceof ConvoyError) throw err;
    throw new ConvoyError('INVALID_ARGUMENT', `cannot read the snapshot ${shownAs}: ${describeStorageError(err)}`);
  } finally {
    db.close();
  }
}

/**
 * Takes the lock convoyd holds on its state file (sqlite-store.ts), so nothing else can open
 * it while a restore replaces it; returns what to do with the locked file, or throws a
 * ConvoyError saying convoyd runs. `aside` gets a consistent copy of the current state.
 */
export function lockStateFile(file: string): { copyTo(aside: string): void; release(): void } {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    if (isLocked(err))
      throw new ConvoyError(
        'FAILED_PRECONDITION',
        `the state file ${file} is in use: convoyd is running with it`,
        'Stop convoyd first (sudo systemctl stop convoyd), restore, then start it again.',
      );
    throw new ConvoyError(
      'FAILED_PRECONDITION',
      `cannot open the current state file ${file}: ${describeStorageError(err)}`,
      `Move it aside by hand (mv ${file} ${file}.broken) and restore again.`,
    );
  }
  return {
    copyTo: (aside) => {
      try {
        db.prepare('VACUUM INTO ?').run(aside);
      } catch (err) {
        throw new ConvoyError('FAILED_PRECONDITION', `cannot keep a copy of ${file} in ${aside}: ${messageOf(err)}`);
      }
    },
    release: () => db.close(),
  };
}

/** fsync a file, or a directory after a rename in it (some file systems cannot sync directories: then only less durable). */
export function syncPath(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    if (!fs.fstatSync(fd).isDirectory()) throw err;
  } finally {
    fs.closeSync(fd);
  }
}
