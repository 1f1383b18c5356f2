/**
 * The commits this agent's own checkout step moved away from: the only commits a rollback
 * may return to. A confused or compromised coordinator can therefore not move a host to an
 * arbitrary commit of its history, only back to where an update started.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { storageError } from '../storage-error.js';

/** How many restore points are kept (oldest dropped first). */
export const MAX_RESTORE_POINTS = 20;

export class RestorePoints {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'restore-points.json');
  }

  /** Newest last; [] when none was recorded (or the file is unreadable: refuse rather than guess). */
  list(): string[] {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
    } catch {
      return [];
    }
  }

  has(commit: string): boolean {
    return this.list().includes(commit);
  }

  /** Records the commit a checkout leaves (before it moves); throws a StorageError naming the file and the fix. */
  async add(commit: string): Promise<void> {
    if (!commit) return;
    const known = this.list();
    if (known.at(-1) === commit) return; // a re-run of the same checkout: nothing new to write
    const points = [...known.filter((c) => c !== commit), commit].slice(-MAX_RESTORE_POINTS);
    try {
      await writeFileAtomic(this.file, JSON.stringify(points));
    } catch (err) {
      throw storageError(this.file, err);
    }
  }
}
