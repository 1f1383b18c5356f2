/** What a step's implementation reports; run-step.ts completes it into a StepResult. */
import type { AgentConfig } from '../types.js';
import type { GitRepo } from '../exec/git.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { BackupRecord, HealthState, ReleaseNotes, StepOutcome } from '../../shared/wire.js';
import type { BackupCatalogue } from './catalogue.js';
import type { RestorePoints } from './restore-points.js';
import type { WorktreeMoves } from './worktree-moves.js';
import type { ReleaseNotesMemo } from './release-notes.js';

/** The outcome of one step, before timestamps, ids and the repo state are added. */
export interface StepReport {
  outcome: StepOutcome;
  /** The command's exit code; 0 for a built-in success, -1 when killed or no process ran. */
  exitCode: number;
  /** One line for operators. */
  reason: string;
  previousCommit?: string;
  backup?: BackupRecord;
  releaseNotes?: ReleaseNotes;
  health?: HealthState;
}

/** What step implementations use. */
export interface StepDeps {
  config: AgentConfig;
  clock: Clock;
  logger: Logger;
  git: GitRepo;
  catalogue: BackupCatalogue;
  restorePoints: RestorePoints;
  /** The checkout steps' moves of the work tree, recorded before git touches it. */
  moves: WorktreeMoves;
  /** Release notes collected by the last inspection, reused by the release-notes step. */
  notes?: ReleaseNotesMemo;
}

export function failed(reason: string): StepReport {
  return { outcome: 'FAILED', exitCode: -1, reason };
}

export function succeeded(reason: string): StepReport {
  return { outcome: 'SUCCEEDED', exitCode: 0, reason };
}
