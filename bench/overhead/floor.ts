/**
 * The floor: the same commands as Convoy runs, in one bash script, nothing else. Backups of
 * every host first (at once), then the auth server's update, then each member's, as a linked rollout
 * orders them; health is curl until the service reports the target version.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BACKUP_COMMAND, makeEnv, TO_VERSION, type BenchHost } from './fleet-files.js';

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function updateLines(h: BenchHost): string[] {
  const want = `"version":"${TO_VERSION}"`;
  return [
    `cd ${quote(h.repo)} && git checkout -q ${TO_VERSION}`,
    `cd ${quote(h.serverDir)}`,
    'make config',
    'make build',
    'make up DETACH=true',
    `until curl -fsS ${quote(h.healthUrl)} | grep -qF ${quote(want)}; do sleep 0.05; done`,
    BACKUP_COMMAND,
  ];
}

/** Writes the script for `hosts` (the first is the auth server) into `dir`; returns its path. */
export function writeFloorScript(dir: string, hosts: BenchHost[]): string {
  const lines = ['#!/bin/bash', 'set -euo pipefail', 'exec > /dev/null'];
  // the pre-update backups run on every host at once, as Convoy's backup-all phase runs them
  for (const h of hosts) lines.push(`(cd ${quote(h.serverDir)} && ${BACKUP_COMMAND}) &`);
  lines.push('for job in $(jobs -p); do wait "$job"; done');
  for (const h of hosts) lines.push(...updateLines(h));
  const file = path.join(dir, 'floor.sh');
  fs.writeFileSync(file, lines.join('\n') + '\n', { mode: 0o755 });
  return file;
}

/** Runs the script; resolves with its wall time in ms. */
export function runFloor(script: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('bash', [script], { env: makeEnv() }, (err, _out, stderr) => {
      if (err) reject(new Error(`floor script failed: ${err.message}\n${stderr}`));
      else resolve(performance.now() - started);
    });
  });
}
