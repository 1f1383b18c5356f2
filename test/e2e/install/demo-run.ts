/**
 * `convoy demo --keep` run as a user runs it: from a terminal (its own process group, so
 * Ctrl-C is SIGINT to the whole group), the printed environment pasted into another shell.
 */
import fs from 'node:fs';
import { startProcess, type ManagedProcess } from '../../helpers/index.js';

/** The demo is up: its rollout, the sandbox directory and the environment it printed. */
export interface KeptDemo {
  process: ManagedProcess;
  sandboxDir: string;
  /** CONVOY_COORDINATOR, CONVOY_CA, CONVOY_CERT, CONVOY_KEY as printed on the export line. */
  env: Record<string, string>;
  /** The lines printed before "Press Ctrl-C". */
  output: string;
}

/** Parses `export A=x B='y z'` (the quoting demo/narration.ts shellWord writes). */
export function parseExportLine(line: string): Record<string, string> {
  const body = line.trim().replace(/^export\s+/, '');
  const env: Record<string, string> = {};
  for (const m of body.matchAll(/([A-Z_]+)=('(?:[^']|'\\'')*'|\S+)/g)) {
    const raw = m[2]!;
    env[m[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}

/** Starts `convoy demo --keep` with `convoy` on PATH and waits until it says how to use it. */
export async function startKeptDemo(convoy: string, env: Record<string, string>, timeoutMs: number): Promise<KeptDemo> {
  const demo = startProcess('convoy demo --keep', convoy, ['demo', '--keep'], { env: { NO_COLOR: '1', ...env } });
  await demo.waitForLine(/^Press Ctrl-C to stop everything and remove /, timeoutMs);
  const exportLine = demo.lines.find((l) => /^\s*export CONVOY_COORDINATOR=/.test(l));
  if (!exportLine) throw new Error(`convoy demo --keep printed no export line:\n${demo.tail(60)}`);
  const sandboxDir = /^Sandbox (\S+):$/m.exec(demo.output())?.[1];
  if (!sandboxDir) throw new Error(`convoy demo --keep did not say where its sandbox is:\n${demo.tail(60)}`);
  return { process: demo, sandboxDir, env: parseExportLine(exportLine), output: demo.output() };
}

/** Processes whose command line names `dir` (the daemons and sample services of a sandbox). */
export function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(dir)) found.push(`${pid} ${cmd.trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Ctrl-C in the demo's terminal: SIGINT to its process group. */
export function interrupt(demo: ManagedProcess): void {
  try {
    process.kill(-demo.pid, 'SIGINT');
  } catch {
    // already gone
  }
}
