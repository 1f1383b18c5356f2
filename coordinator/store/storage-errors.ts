/**
 * Storage errors said the way an operator can act on them: the file, what went wrong
 * (disk full, read-only, not a database) and what to do.
 */
import { ConvoyError, messageOf } from '../../shared/errors.js';

/** One sentence for an SQLite or file-system error of the state file. */
export function describeStorageError(err: unknown): string {
  const raw = (err as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  const message = messageOf(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|ENOSPC/i.test(message)) return 'the disk is full (ENOSPC)';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || /readonly|read-only|EROFS/i.test(message)) return 'it is read-only (EROFS)';
  if (code === 'EACCES' || code === 'SQLITE_PERM' || /permission denied|EACCES/i.test(message)) return 'permission denied (EACCES)';
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(message)) return 'it is not an SQLite database';
  if (code === 'SQLITE_CANTOPEN' || /unable to open database file/i.test(message))
    return 'it cannot be opened (its directory is missing, not writable, or the path is a directory)';
  if (code.startsWith('SQLITE_IOERR') || /disk I\/O error/i.test(message))
    return `a disk I/O error (${code || 'SQLITE_IOERR'}): the disk may be full or failing`;
  return `${code ? `${code}: ` : ''}${message}`;
}

/** The fix to suggest for what describeStorageError said. */
export function storageFix(described: string): string {
  if (described.startsWith('the disk is full')) return 'free space on that file system; convoyd retries by itself';
  if (described.startsWith('it is read-only') || described.startsWith('permission denied'))
    return 'make the file and its directory writable by the user running convoyd';
  if (described.startsWith('it is not an SQLite database'))
    return "point stateFile at convoyd's state file, or at a new path to start empty (convoy admin snapshot restore restores a copy)";
  return 'check the file system and the path in stateFile';
}

/** SQLITE_BUSY / SQLITE_LOCKED: another connection holds the file. */
export function isLocked(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function stateFileInUse(file: string): ConvoyError {
  return new ConvoyError(
    'FAILED_PRECONDITION',
    `the state file ${file} is in use by another process (another convoyd with this stateFile, or a restore in progress)`,
    'Stop the other convoyd first (systemctl stop convoyd), or give this one its own stateFile.',
  );
}
