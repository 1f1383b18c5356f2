/**
 * The step-output log on the agent host: `<stateDir>/logs/<rolloutId>/<step>.log`, every
 * line with a timestamp, so an operator can read a step's output even when the
 * coordinator never received it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { printable } from '../../shared/versions.js';

const ROLLOUT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Why a rollout id (it names a directory) is unacceptable, or undefined. */
export function rolloutIdProblem(id: string): string | undefined {
  if (ROLLOUT_ID.test(id) && id !== '.' && id !== '..') return undefined;
  return `rollout id "${printable(id)}" is not valid: use 1 to 64 letters, digits, '.', '_' or '-'`;
}

/** Where the output of `step` in `rolloutId` is kept. The caller has validated rolloutId. */
export function stepLogPath(stateDir: string, rolloutId: string, step: string): string {
  return path.join(stateDir, 'logs', rolloutId, `${step.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
}

/** An append-only log of one step; write errors (a full disk) never fail the step. */
export class StepLog {
  private failed = false;

  private constructor(
    private readonly stream: WriteStream,
    private readonly clock: Clock,
    readonly file: string,
  ) {
    stream.on('error', () => {
      this.failed = true;
    });
  }

  static async open(file: string, clock: Clock): Promise<StepLog> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    return new StepLog(createWriteStream(file, { flags: 'a', mode: 0o600 }), clock, file);
  }

  write(lines: string[]): void {
    if (this.failed || lines.length === 0) return;
    const stamp = new Date(this.clock.now()).toISOString();
    this.stream.write(lines.map((l) => `${stamp} ${l}\n`).join(''));
  }

  /** True once a write failed; later lines are dropped. */
  broken(): boolean {
    return this.failed;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
  }
}
