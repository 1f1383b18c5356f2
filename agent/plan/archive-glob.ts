/**
 * The small glob of `backup.archiveGlob`: literal directories, then one file-name pattern
 * with `*` (any run of characters) and `?` (one character). As in a shell, a wildcard
 * does not match a leading dot.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConvoyError } from '../../shared/errors.js';

/** A file that matched, with what the catalogue needs to pick the newest. */
export interface ArchiveFile {
  path: string;
  mtimeMs: number;
  sizeBytes: number;
}

/** Splits "backups/*.tar.gz" into the directory (resolved against `baseDir`) and the name pattern. */
export function splitArchiveGlob(baseDir: string, glob: string): { dir: string; pattern: string } {
  const dirPart = path.dirname(glob);
  if (/[*?[\]]/.test(dirPart)) {
    throw new ConvoyError(
      'INVALID_ARGUMENT',
      `backup.archiveGlob "${glob}": wildcards are only supported in the file name, not in "${dirPart}"`,
    );
  }
  return { dir: path.resolve(baseDir, dirPart), pattern: path.basename(glob) };
}

/** Compiles a file-name pattern; every character other than * and ? is literal. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** True when `name` (one path segment) matches `pattern`. */
export function matchesGlob(name: string, pattern: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  return globToRegExp(pattern).test(name);
}

/** Regular files matching the glob; none when the directory does not exist. */
export async function findArchives(baseDir: string, glob: string): Promise<ArchiveFile[]> {
  const { dir, pattern } = splitArchiveGlob(baseDir, glob);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: ArchiveFile[] = [];
  for (const name of names.filter((n) => matchesGlob(n, pattern))) {
    const file = path.join(dir, name);
    const st = await stat(file).catch(() => undefined);
    if (st?.isFile()) found.push({ path: file, mtimeMs: st.mtimeMs, sizeBytes: st.size });
  }
  return found;
}
