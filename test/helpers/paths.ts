/** Where the built programs are, found from this file (test/helpers/) up to the repository root. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The three programs of package.json `bin`. */
export type Program = 'convoy' | 'convoyd' | 'convoy-agent';

let root: string | undefined;

/** The repository root: the nearest ancestor with package.json and bin/convoy.js. */
export function repoRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'bin', 'convoy.js'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the convoy repository above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  root = dir;
  return dir;
}

/**
 * bin/<program>.js, after checking that the compiled module it imports exists, so a test
 * run before `npm run build` fails with the fix instead of ERR_MODULE_NOT_FOUND.
 */
export function programPath(program: Program): string {
  const bin = path.join(repoRoot(), 'bin', `${program}.js`);
  const target = /import\s+'(\.\.\/dist\/[^']+)'/.exec(fs.readFileSync(bin, 'utf8'))?.[1];
  if (target && !fs.existsSync(path.resolve(path.dirname(bin), target))) {
    throw new Error(`${program} is not built (${target} is missing): run npm run build first`);
  }
  return bin;
}
