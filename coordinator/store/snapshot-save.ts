/**
 * `convoy admin snapshot save`: the running convoyd copies its whole state, online and
 * consistent (SQLite's backup API), into a file on its own host. Snapshots land in one
 * directory, `snapshots/` next to the state file (created 0700), and nowhere else: the
 * operator role lets someone steer rollouts, not write files wherever convoyd may. Each file
 * is written under a temporary name, checked, then linked into place (mode 0600), so a
 * snapshot that exists is whole, and one is never replaced without `force`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import type { SnapshotView } from '../cli/views.js';
import { settleSnapshot, syncPath } from './snapshot-file.js';
import { describeStorageError } from './storage-errors.js';

/** The directory name, next to the state file. */
export const SNAPSHOT_DIR = 'snapshots';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** What the snapshot is taken of (the SQLite store). */
export interface SnapshotSource {
  backupTo(file: string): Promise<void>;
}

export interface SaveOptions {
  stateFile: string;
  /** As the operator gave it: a file name, or an absolute path inside the snapshot directory. */
  file: string;
  force: boolean;
  convoyVersion: string;
  now: () => number;
}

/** Where snapshots of `stateFile` are written. */
export function snapshotDir(stateFile: string): string {
  return path.join(path.dirname(stateFile), SNAPSHOT_DIR);
}

/** The absolute path a snapshot named `file` is written to, or a refusal that says where they go. */
export function snapshotPath(stateFile: string, file: string): string {
  const dir = snapshotDir(stateFile);
  const name = path.isAbsolute(file) && path.dirname(file) === dir ? path.basename(file) : file;
  if (!NAME_RE.test(name)) {
    throw new ConvoyError(
      'INVALID_ARGUMENT',
      `snapshot "${file.slice(0, 200)}" is not a file name (letters, digits, . _ -; at most 128) nor a path in ${dir}: snapshots are written on convoyd's host, in that directory only`,
    );
  }
  return path.join(dir, name);
}

/** Takes the snapshot; returns what was written. */
export async function saveSnapshot(source: SnapshotSource, opts: SaveOptions): Promise<SnapshotView> {
  const target = snapshotPath(opts.stateFile, opts.file);
  prepareDirectory(path.dirname(target));
  refuseExisting(target, opts.force);
  const takenAtMs = opts.now();
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${takenAtMs}.partial`);
  try {
    fs.closeSync(fs.openSync(tmp, 'wx', 0o600));
    await source.backupTo(tmp).catch((err: unknown) => {
      throw new ConvoyError('FAILED_PRECONDITION', `cannot write the snapshot ${target}: ${describeStorageError(err)}`);
    });
    const contents = settleSnapshot(tmp, target);
    syncPath(tmp);
    install(tmp, target, opts.force);
    syncPath(path.dirname(target));
    return {
      path: target,
      sizeBytes: fs.statSync(target).size,
      sha256: await sha256(target),
      schemaVersion: contents.schemaVersion,
      convoyVersion: opts.convoyVersion,
      takenAtMs,
      rollouts: contents.rollouts,
      unfinishedRollouts: contents.unfinished,
    };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function prepareDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new ConvoyError('FAILED_PRECONDITION', `cannot create the snapshot directory ${dir}: ${messageOf(err)}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new ConvoyError('FAILED_PRECONDITION', `${dir} exists and is not a directory`);
}

function refuseExisting(target: string, force: boolean): void {
  const st = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isFile()) throw new ConvoyError('FAILED_PRECONDITION', `${target} exists on convoyd's host and is not a regular file`);
  if (!force)
    throw new ConvoyError(
      'ALREADY_EXISTS',
      `snapshot ${target} already exists on convoyd's host; choose another name, or pass --force to replace it`,
    );
}

/** Without force, link() fails if a snapshot of that name appeared meanwhile: never replaced by accident. */
function install(tmp: string, target: string, force: boolean): void {
  try {
    if (force) fs.renameSync(tmp, target);
    else fs.linkSync(tmp, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') refuseExisting(target, false);
    throw new ConvoyError('FAILED_PRECONDITION', `cannot write the snapshot ${target}: ${messageOf(err)}`);
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
