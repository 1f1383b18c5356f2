#!/usr/bin/env node
/**
 * Runs npm scripts side by side and fails if any fails: `node scripts/run-parallel.mjs build typecheck`.
 * tsc is single-threaded, so the build and the type check of the tests take about the time of
 * the longer one on two cores instead of their sum. Each script's output is kept whole and
 * printed when it ends, so two compilers' errors never interleave.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import process from 'node:process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.mjs <npm script> [<npm script> …]\n');
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const runs = scripts.map(
  (name) =>
    new Promise((resolve) => {
      const started = Date.now();
      const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks = [];
      child.stdout.on('data', (c) => chunks.push(c));
      child.stderr.on('data', (c) => chunks.push(c));
      child.on('close', (code, signal) => {
        const output = Buffer.concat(chunks).toString();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const how = code === 0 ? 'ok' : signal ? `killed by ${signal}` : `exit ${code}`;
        process.stdout.write(`${output}${output && !output.endsWith('\n') ? '\n' : ''}npm run ${name}: ${how} (${seconds} s)\n`);
        resolve(code === 0);
      });
    }),
);
const ok = await Promise.all(runs);
process.exit(ok.every(Boolean) ? 0 : 1);
