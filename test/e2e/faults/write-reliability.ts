/**
 * Regenerates docs/reliability.md from a real run of the fault suite:
 *
 *   npx tsx test/e2e/faults/write-reliability.ts
 *
 * builds the programs, runs the three test/e2e/faults-*.test.ts files with CONVOY_FAULT_MATRIX pointing at a
 * temporary file, then renders the rows the tests recorded. Exits with mocha's code, after
 * writing the document either way (failed rows are marked FAIL: the document never hides them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import { MATRIX_ENV, renderReliability, type FaultRow } from './matrix.js';

const COMMAND = 'npx tsx test/e2e/faults/write-reliability.ts';
/** Run one after the other in one mocha process: each file's rows are appended in this order. */
const SUITE = ['test/e2e/faults-coordinator.test.ts', 'test/e2e/faults-agent.test.ts', 'test/e2e/faults-storage-network.test.ts'];

/** The commit the run was made from, and whether the work tree had changes on top of it. */
function commitOf(root: string): { commit: string; dirty: boolean } {
  const git = (args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    return { commit: git(['rev-parse', '--short=12', 'HEAD']), dirty: git(['status', '--porcelain']) !== '' };
  } catch {
    return { commit: 'unknown (not a git checkout)', dirty: false };
  }
}

function main(): number {
  const root = repoRoot();
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('write-reliability: npm run build failed; docs/reliability.md was not rewritten\n');
    return build.status ?? 1;
  }
  const rowsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-fault-matrix-')), 'rows.json');
  const started = Date.now();
  const mocha = spawnSync(
    'npx',
    ['mocha', '--no-config', '--node-option', 'import=tsx', '--extension', 'ts', '--timeout', '180000', ...SUITE],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, [MATRIX_ENV]: rowsFile },
    },
  );
  const exitCode = mocha.status ?? 1;
  if (!fs.existsSync(rowsFile)) {
    process.stderr.write(
      `write-reliability: the suite recorded no rows (mocha exited ${exitCode}); docs/reliability.md was not rewritten\n`,
    );
    return exitCode || 1;
  }
  const rows = JSON.parse(fs.readFileSync(rowsFile, 'utf8')) as FaultRow[];
  fs.rmSync(path.dirname(rowsFile), { recursive: true, force: true });
  const doc = renderReliability(rows, {
    generatedAt: new Date(),
    ...commitOf(root),
    node: process.version,
    cpus: os.cpus().length,
    command: COMMAND,
    totalMs: Date.now() - started,
    mochaExitCode: exitCode,
  });
  const out = path.join(root, 'docs', 'reliability.md');
  fs.writeFileSync(out, doc);
  process.stdout.write(`wrote ${out}: ${rows.filter((r) => r.result === 'pass').length} of ${rows.length} faults as expected\n`);
  return exitCode;
}

process.exit(main());
