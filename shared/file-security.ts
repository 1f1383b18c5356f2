/**
 * Permission checks on the files a daemon trusts, run at start before any port is opened.
 * A private key others can read is a stolen identity; a CA file or state file others can
 * write lets them choose whom we trust or what we remember. Each problem names the file,
 * its mode and the command that fixes it.
 */
import fs from 'node:fs';
import path from 'node:path';

function modeOf(st: fs.Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0');
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** A private key: a regular file no one but its owner may read or write. */
export function privateKeyProblem(file: string, what: string): string | undefined {
  const st = statOf(file);
  if (!st) return undefined; // existence is reported by the config check
  if (!st.isFile()) return `${what} "${file}" is not a regular file`;
  if ((st.mode & 0o077) !== 0) {
    return `${what} "${file}" is readable or writable by group or others (mode ${modeOf(st)}); a private key must be private. Run chmod 600 ${file}`;
  }
  return undefined;
}

/** A file holding a secret (an API token): a regular file no one but its owner may read or write. */
export function secretFileProblem(file: string, what: string): string | undefined {
  const st = statOf(file);
  if (!st) return undefined;
  if (!st.isFile()) return `${what} "${file}" is not a regular file`;
  if ((st.mode & 0o077) !== 0) {
    return `${what} "${file}" is readable or writable by group or others (mode ${modeOf(st)}); a token must be private. Run chmod 600 ${file}`;
  }
  return undefined;
}

/** A certificate or CA bundle: others may read it, but only its owner may change it. */
export function trustedFileProblem(file: string, what: string): string | undefined {
  const st = statOf(file);
  if (!st) return undefined;
  if (!st.isFile()) return `${what} "${file}" is not a regular file`;
  if ((st.mode & 0o022) !== 0) {
    return `${what} "${file}" is writable by group or others (mode ${modeOf(st)}); whoever can write it chooses whom Convoy trusts. Run chmod 644 ${file}`;
  }
  return undefined;
}

/** The three files of a `tls: { ca, cert, key }` block; `prefix` is the key path ("tls", "coordinator.tls"). */
export function tlsFilesProblems(files: { ca: string; cert: string; key: string }, prefix: string): string[] {
  return [
    trustedFileProblem(files.ca, `${prefix}.ca`),
    trustedFileProblem(files.cert, `${prefix}.cert`),
    privateKeyProblem(files.key, `${prefix}.key`),
  ].filter((p): p is string => p !== undefined);
}

/** A state file (SQLite) and its directory: nobody else may read or write the file, nor write the directory. */
export function stateFileProblems(file: string, what: string): string[] {
  const problems: string[] = [];
  const dir = path.dirname(file);
  const dirSt = statOf(dir);
  // Even a sticky directory (/tmp) is refused: others could create the SQLite -wal/-shm files first.
  if (dirSt && (dirSt.mode & 0o002) !== 0) {
    problems.push(
      `${what} "${file}": its directory ${dir} is world-writable (mode ${modeOf(dirSt)}); others could replace the state. Run chmod 700 ${dir}`,
    );
  }
  // SQLite's -wal and -shm files hold the same data as the database until a checkpoint.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    const st = statOf(f);
    if (st && (st.mode & 0o077) !== 0) {
      problems.push(
        `${what} "${f}" is readable or writable by group or others (mode ${modeOf(st)}); it holds the fleet's state and step output, which others could read or forge. Run chmod 600 ${f}`,
      );
    }
  }
  return problems;
}
