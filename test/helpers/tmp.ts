/** Temporary directories for tests: removed at the end unless CONVOY_KEEP_TMP=1. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

/** True when CONVOY_KEEP_TMP=1 asks to keep temp dirs for inspection. */
export function keepTmp(): boolean {
  return process.env.CONVOY_KEEP_TMP === '1';
}

/** A fresh directory under os.tmpdir() (real path: programs compare paths). */
export async function makeTempDir(prefix = 'convoy-test-'): Promise<string> {
  const dir = fs.realpathSync(await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** Removes the dirs made so far (or, with CONVOY_KEEP_TMP=1, keeps them); returns the kept ones. */
export async function removeTempDirs(): Promise<string[]> {
  const dirs = made.splice(0);
  if (keepTmp()) return dirs;
  await Promise.all(dirs.map((dir) => fs.promises.rm(dir, { recursive: true, force: true })));
  return [];
}
