/**
 * Generates shared/generated/: the TypeScript types of the convoy.v1 messages, made by
 * proto-loader-gen-types from proto/ with the options shared/proto.ts decodes with, so the
 * types describe exactly the objects grpc-js hands over. The folder is committed (a clean clone
 * compiles without a generation step); test/unit/scripts/proto-types.test.ts fails when it
 * differs from what proto/ gives.
 *
 *   npm run proto:types     regenerate after editing a .proto
 *   npm run proto:check     exit 1, naming the files, when shared/generated/ is stale
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convoyPackage } from '../shared/package.js';
import { LOADER_OPTIONS, PROTO_FILES } from '../shared/proto.js';

/** Where the generated types live, relative to the package root. */
export const GENERATED_DIR = 'shared/generated';

/** The generator's flags: the loader options, spelled as its command line spells them. */
export function generatorArgs(outDir: string): string[] {
  const o = LOADER_OPTIONS;
  return [
    ...(o.keepCase ? ['--keepCase'] : []),
    `--longs=${o.longs.name}`,
    `--enums=${o.enums.name}`,
    ...(o.defaults ? ['--defaults'] : []),
    ...(o.oneofs ? ['--oneofs'] : []),
    '--includeComments',
    '--grpcLib=@grpc/grpc-js',
    // NodeNext resolution needs the extension on relative imports
    '--importFileExtension=.js',
    '-I',
    'proto',
    '-O',
    outDir,
    ...PROTO_FILES,
  ];
}

/** Runs proto-loader-gen-types into `outDir` (emptied first). */
export function generateInto(outDir: string): void {
  const generator = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
  fs.rmSync(outDir, { recursive: true, force: true });
  // Run from the package root: the generated files name their .proto by this relative path.
  execFileSync(process.execPath, [generator, ...generatorArgs(outDir)], { cwd: convoyPackage().dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The files of `committed` that are missing, extra or different compared with `fresh`. */
export function staleFiles(committed: string, fresh: string): string[] {
  const names = [...new Set([...filesUnder(committed), ...filesUnder(fresh)])].sort();
  return names.filter((name) => {
    const a = path.join(committed, name);
    const b = path.join(fresh, name);
    return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
  });
}

/** The committed files that regenerating would change ([] when in step with proto/). */
export function checkGenerated(): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-proto-types-'));
  try {
    generateInto(tmp);
    return staleFiles(path.join(convoyPackage().dir, GENERATED_DIR), tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  if (argv.includes('--check')) {
    const stale = checkGenerated();
    if (stale.length === 0) return 0;
    console.error(`${GENERATED_DIR} is not what proto/ gives (${stale.join(', ')}). Run: npm run proto:types`);
    return 1;
  }
  generateInto(path.join(convoyPackage().dir, GENERATED_DIR));
  console.log(`generated ${GENERATED_DIR} from proto/`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
