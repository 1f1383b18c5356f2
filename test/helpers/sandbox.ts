/**
 * Mocha hooks for end-to-end tests: a fresh temp dir per test, and after each test (passed or
 * failed) every fleet and sample server torn down, every process stopped, the temp dir removed
 * (kept with CONVOY_KEEP_TMP=1). A failed test reports the output tails of its processes.
 */
import { runCleanups } from './cleanup.js';
import { describeProcesses, forgetProcesses, stopAllProcesses } from './processes.js';
import { keepTmp, makeTempDir, removeTempDirs } from './tmp.js';

/** The current test's temp dir (valid inside a test and its hooks). */
export interface Sandbox {
  readonly dir: string;
}

/** Stops and removes everything the current test made; returns the cleanup failures. */
export async function cleanupEverything(): Promise<Error[]> {
  const failures = await runCleanups();
  await stopAllProcesses();
  forgetProcesses();
  const kept = await removeTempDirs();
  if (kept.length > 0) console.error(`kept (CONVOY_KEEP_TMP=1): ${kept.join(' ')}`);
  return failures;
}

/** Call inside describe(): installs beforeEach/afterEach hooks and returns the per-test sandbox. */
export function useSandbox(prefix = 'convoy-e2e-'): Sandbox {
  let dir: string | undefined;
  const sandbox: Sandbox = {
    get dir(): string {
      if (!dir) throw new Error('the sandbox dir exists only inside a test (call useSandbox() in describe())');
      return dir;
    },
  };
  beforeEach(async function () {
    dir = await makeTempDir(prefix);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      console.error(`\n${describeProcesses()}`);
      if (!keepTmp()) console.error(`(set CONVOY_KEEP_TMP=1 to keep ${dir} for inspection)`);
    }
    const failures = await cleanupEverything();
    dir = undefined;
    if (failures.length > 0) throw new AggregateError(failures, failures.map((f) => f.message).join('\n'));
  });
  return sandbox;
}
