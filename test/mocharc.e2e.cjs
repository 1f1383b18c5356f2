/**
 * The end-to-end suite's mocha config. Parallel workers take the files in this order, so the
 * longest files go first (measured: each takes one to four minutes on a loaded 2-core machine)
 * and the short ones fill in at the end; otherwise a long file that happens to sort last runs
 * alone while the other workers are idle. Every other *.test.ts under test/e2e/ follows.
 */
const fs = require('node:fs');
const path = require('node:path');

const LONGEST_FIRST = [
  'install.test.ts',
  'cluster.test.ts',
  'faults-storage-network.test.ts',
  'fuzz.test.ts',
  'ops.test.ts',
  'limits.test.ts',
  'faults-agent.test.ts',
  'hoss.test.ts',
];

function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const dir = path.join(__dirname, 'e2e');
const all = testFiles(dir).sort();
const first = LONGEST_FIRST.map((name) => path.join(dir, name)).filter((file) => all.includes(file));

module.exports = {
  'node-option': ['import=tsx', 'expose-gc'],
  extension: ['ts'],
  spec: [...first, ...all.filter((file) => !first.includes(file))],
  timeout: 120000,
  reporter: 'dot',
  parallel: true,
  jobs: 4,
};
