import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { dir: string; version: string } | undefined;

/** Convoy's name on the npm registry (`convoy` belongs to an unrelated package). */
export const PACKAGE_NAME = '@convoy-fleet/convoy';

/**
 * The Convoy package: its root directory and version. Found by walking up from this file, so it
 * works from sources under tsx (shared/), from the build (dist/shared/) and from an installed
 * package (npm install -g, /usr/lib/convoy of the Debian package).
 */
export function convoyPackage(): { dir: string; version: string } {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) return (cached = { dir, version: pkg.version ?? '0.0.0' });
    }
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the Convoy package.json above shared/');
}
