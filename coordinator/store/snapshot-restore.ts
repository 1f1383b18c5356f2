/**
 * `convoy admin snapshot restore`: puts a snapshot in place of a stopped convoyd's state file.
 * Offline on purpose: a running convoyd holds its state in memory and would write over a file
 * replaced under it. Made safe by, in order:
 *
 * 1. the snapshot is copied (with its -wal, if one is beside it) to a temporary file next to
 *    the state file and checked there: SQLite's quick_check, a Convoy state (rollouts table),
 *    and a schema this convoy knows (a newer one is refused; an older one is migrated by
 *    convoyd at its next start, after its own copy);
 * 2. convoyd must not run: the lock convoyd holds on its state file is taken (sqlite-store.ts),
 *    and with a coordinator.yaml its listen address must be free;
 * 3. the current state is kept: a consistent copy, `<stateFile>.before-restore-<time>`;
 * 4. the copy is renamed over the state file (atomic), stale -wal/-shm files removed first,
 *    owned like the directory when run as root.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseAddress } from '../../shared/address.js';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import { lockStateFile, settleSnapshot, syncPath, type SnapshotContents } from './snapshot-file.js';
import { SCHEMA_VERSION } from './sqlite-store.js';

export interface RestoreOptions {
  snapshot: string;
  stateFile: string;
  /** convoyd's listen address (from coordinator.yaml): refused while something listens there. */
  listen?: string;
  now: () => number;
}

/** What a restore did. */
export interface RestoreReport extends SnapshotContents {
  stateFile: string;
  snapshot: string;
  /** Where the state it replaced was kept ('' when there was none). */
  previous: string;
}

/** Restores `snapshot` into `stateFile`; throws a ConvoyError naming what refused it and the fix. */
export async function restoreSnapshot(opts: RestoreOptions): Promise<RestoreReport> {
  const snapshot = path.resolve(opts.snapshot);
  const stateFile = path.resolve(opts.stateFile);
  checkPaths(snapshot, stateFile);
  if (opts.listen) await refuseWhileListening(opts.listen);
  const dir = path.dirname(stateFile);
  const stamp = new Date(opts.now())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const tmp = path.join(dir, `.${path.basename(stateFile)}.restore-${stamp}-${process.pid}`);
  try {
    copyWithWal(snapshot, tmp);
    const contents = settleSnapshot(tmp, snapshot);
    if (contents.schemaVersion > SCHEMA_VERSION)
      throw new ConvoyError(
        'FAILED_PRECONDITION',
        `the snapshot ${snapshot} has schema ${contents.schemaVersion}, written by a newer Convoy (this one knows up to schema ${SCHEMA_VERSION})`,
        'Restore it with the Convoy release that wrote it (docs/upgrading.md, "Roll back Convoy").',
      );
    const previous = fs.existsSync(stateFile) ? keepCurrent(stateFile, `${stateFile}.before-restore-${stamp}`) : '';
    if (previous) ownLikeDirectory(previous, dir);
    for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${stateFile}${suffix}`, { force: true });
    ownLikeDirectory(tmp, dir);
    syncPath(tmp);
    fs.renameSync(tmp, stateFile);
    syncPath(dir);
    return { ...contents, stateFile, snapshot, previous };
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-journal`]) fs.rmSync(f, { force: true });
  }
}

function checkPaths(snapshot: string, stateFile: string): void {
  if (!fs.statSync(snapshot, { throwIfNoEntry: false })?.isFile())
    throw new ConvoyError(
      'NOT_FOUND',
      `the snapshot ${snapshot} does not exist (or is not a file)`,
      'Give the path of a snapshot file on this host.',
    );
  if (snapshot === stateFile) throw new ConvoyError('INVALID_ARGUMENT', `the snapshot ${snapshot} is the state file itself`);
  const dir = path.dirname(stateFile);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new ConvoyError(
      'NOT_FOUND',
      `the directory of the state file, ${dir}, does not exist`,
      `Create it (mode 0700), or check stateFile.`,
    );
}

/** A convoyd that listens has its state in memory: restoring under it would be undone. */
async function refuseWhileListening(listen: string): Promise<void> {
  const address = parseAddress(listen);
  if (!address) return;
  const server = net.createServer();
  const problem = await new Promise<string | undefined>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' ? 'in use' : undefined));
    server.listen(address.port, address.host, () => resolve(undefined));
  });
  await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  if (problem)
    throw new ConvoyError(
      'FAILED_PRECONDITION',
      `something listens on convoyd's address ${listen}: convoyd is running`,
      'Stop convoyd first (sudo systemctl stop convoyd), restore, then start it again.',
    );
}

/** The snapshot and, when one is beside it, its -wal (the part of a copied live file not yet in it). */
function copyWithWal(snapshot: string, tmp: string): void {
  try {
    fs.copyFileSync(snapshot, tmp, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(tmp, 0o600);
    const wal = `${snapshot}-wal`;
    if ((fs.statSync(wal, { throwIfNoEntry: false })?.size ?? 0) > 0) fs.copyFileSync(wal, `${tmp}-wal`, fs.constants.COPYFILE_EXCL);
  } catch (err) {
    throw new ConvoyError('FAILED_PRECONDITION', `cannot copy the snapshot ${snapshot} next to the state file: ${messageOf(err)}`);
  }
}

/** Locks the current state file (refused while convoyd runs), keeps a consistent copy of it, unlocks. */
function keepCurrent(stateFile: string, aside: string): string {
  const locked = lockStateFile(stateFile);
  try {
    locked.copyTo(aside);
    fs.chmodSync(aside, 0o600);
  } finally {
    locked.release();
  }
  return aside;
}

/** Run as root (sudo), the files go to the directory's owner: convoyd must be able to open them. */
function ownLikeDirectory(file: string, dir: string): void {
  if (process.getuid?.() !== 0) return;
  const st = fs.statSync(dir);
  fs.chownSync(file, st.uid, st.gid);
}
