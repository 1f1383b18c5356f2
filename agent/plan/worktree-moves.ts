/**
 * What the checkout steps are doing to the work tree, written before git touches it:
 * <stateDir>/worktree-moves.json holds, per step (checkout, rollback-checkout), the last move
 * — from which commit, to which, for which rollout — and whether it finished. With it a re-run
 * knows Convoy's own half-done checkout (dirt that is only that move is undone, not refused)
 * and reports the commit the rollout started from, never the target it already reached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { storageError } from '../storage-error.js';

/** One move of the work tree by a checkout step. */
export interface WorktreeMove {
  /** The step that moves: checkout or rollback-checkout. */
  step: string;
  rolloutId: string;
  /** What was asked for: a tag, the tracked branch, or the restore commit. */
  target: string;
  /** HEAD before the rollout's first move (a full sha): where a rollback returns to. */
  from: string;
  /** The commit the move goes to (a full sha). */
  to: string;
  /** moving: written before git starts; done: git finished and HEAD is at `to`. */
  state: 'moving' | 'done';
  atMs: number;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

function isMove(v: unknown): v is WorktreeMove {
  if (v === null || typeof v !== 'object') return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.step === 'string' &&
    typeof m.rolloutId === 'string' &&
    typeof m.target === 'string' &&
    typeof m.from === 'string' &&
    FULL_SHA.test(m.from) &&
    typeof m.to === 'string' &&
    FULL_SHA.test(m.to) &&
    (m.state === 'moving' || m.state === 'done')
  );
}

/** The moves file of one agent. */
export class WorktreeMoves {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'worktree-moves.json');
  }

  /** Every recorded move; none when the file is missing or unreadable (a move we cannot read is not ours to undo). */
  list(): WorktreeMove[] {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return parsed !== null && typeof parsed === 'object' ? Object.values(parsed).filter(isMove) : [];
    } catch {
      return [];
    }
  }

  /** The last move of `step`, if one was recorded. */
  get(step: string): WorktreeMove | undefined {
    return this.list().find((m) => m.step === step);
  }

  /** Records `move` as the last of its step; throws a StorageError naming the file and the fix. */
  async record(move: WorktreeMove): Promise<void> {
    const byStep = Object.fromEntries([...this.list().filter((m) => m.step !== move.step), move].map((m) => [m.step, m]));
    try {
      await writeFileAtomic(this.file, JSON.stringify(byStep, null, 1) + '\n');
    } catch (err) {
      throw storageError(this.file, err);
    }
  }
}

/**
 * Whether `move` describes the request's own work: the same rollout, or an unfinished move to
 * the same target (a later rollout re-running what a killed agent left half-done).
 */
export function moveBelongsTo(move: WorktreeMove | undefined, rolloutId: string, target: string): move is WorktreeMove {
  if (!move) return false;
  if (rolloutId !== '' && move.rolloutId === rolloutId) return true;
  return move.state === 'moving' && move.target === target;
}
