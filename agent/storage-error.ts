/**
 * Errors of the agent's own state files (journal, catalogue, restore points, checkout moves)
 * in words an operator can act on: which file, what the file system said, and what to do.
 * Node's own message for a failed write names no file ("ENOSPC: no space left on device, write").
 */
import path from 'node:path';
import { messageOf } from '../shared/errors.js';

/** What the agent was doing with the file. */
export type StorageAction = 'write' | 'read' | 'create';

/** A state file that cannot be written or read; `message` names the file, the cause and the fix. */
export class StorageError extends Error {
  constructor(
    readonly file: string,
    /** The errno code (ENOSPC, EROFS, EACCES…), or '' when there was none. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Causes whose fix is the operator's (space, a read-only mount, permissions): retrying helps once they fixed it. */
const CAUSES: Record<string, (dir: string) => string> = {
  ENOSPC: (dir) => `no space left on device (ENOSPC); free space on the file system holding ${dir} (df -h ${dir})`,
  EDQUOT: (dir) => `disk quota exceeded (EDQUOT); free space or raise the quota of the user running convoy-agent on ${dir}`,
  EROFS: (dir) => `read-only file system (EROFS); remount the file system holding ${dir} read-write, or point stateDir elsewhere`,
  EACCES: (dir) => `permission denied (EACCES); make ${dir} writable by the user running convoy-agent (chown, chmod 700)`,
  EPERM: (dir) => `operation not permitted (EPERM); make ${dir} writable by the user running convoy-agent (chown, chmod 700)`,
  EIO: (dir) => `input/output error (EIO); check the disk holding ${dir} (dmesg)`,
};

/** Wraps a file-system error: "cannot write /var/lib/convoy/journal.json: no space left on device (ENOSPC); free space …". */
export function storageError(file: string, err: unknown, action: StorageAction = 'write'): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const cause = CAUSES[code]?.(path.dirname(file)) ?? messageOf(err);
  return new StorageError(file, code, `cannot ${action} ${file}: ${cause}`, { cause: err });
}

/** True for causes an operator fixes outside the agent (full, read-only, not permitted): worth retrying later. */
export function isRetryableStorageError(err: unknown): boolean {
  return err instanceof StorageError && err.code in CAUSES;
}
