/**
 * Backup steps record the archive their command produced; restore hands the command an
 * archive from the agent's own catalogue (CONVOY_BACKUP_ARCHIVE), never a network path.
 */
import type { StepConfig, StepHooks } from '../types.js';
import { systemClock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import { printable } from '../../shared/versions.js';
import type { StepRequest } from '../../shared/wire.js';
import { runCommandStep } from './command-step.js';
import { failed, type StepDeps, type StepReport } from './step-report.js';

/** Runs the backup command, then catalogues the newest archive it wrote. */
export async function runBackupStep(deps: StepDeps, step: StepConfig, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  // Compared with file mtimes, which come from the real clock, not from an injected one.
  const sinceMs = systemClock.now();
  const version = (await deps.git.state(deps.config.trackedBranch)).installedVersion;
  const report = await runCommandStep(deps, step, request, hooks);
  if (report.outcome !== 'SUCCEEDED') return report;
  try {
    const backup = await deps.catalogue.recordNewestArchive({
      serverDir: deps.config.serverDir,
      archiveGlob: deps.config.backup.archiveGlob,
      sinceMs,
      version,
      step: step.name,
      rolloutId: request.rolloutId,
    });
    hooks.onOutput([
      `recorded backup ${backup.id}: ${backup.path} (${backup.sizeBytes} bytes, sha256 ${backup.sha256.slice(0, 12)}…) at version ${version}`,
    ]);
    return { ...report, backup };
  } catch (err) {
    return { ...failed(messageOf(err)), exitCode: report.exitCode };
  }
}

/**
 * A step that needs the pre-update backup (restore, and a reset that makes way for it):
 * checks the catalogued archive is still the one recorded BEFORE anything runs (a reset
 * without a restorable archive would lose the server), then runs the command with it.
 */
export async function runBackupArchiveStep(deps: StepDeps, step: StepConfig, request: StepRequest, hooks: StepHooks): Promise<StepReport> {
  const backup = deps.catalogue.find(request.backupId);
  if (!backup) return failed(`backup "${printable(request.backupId)}" is not in the catalogue of agent ${deps.config.id}`);
  const problem = await deps.catalogue.verify(backup);
  if (problem) return { ...failed(`${step.name} refused before it ran: ${problem}`), backup };
  hooks.onOutput([`${step.name}: backup ${backup.id}: ${backup.path} (taken at version ${backup.version}, sha256 verified)`]);
  const report = await runCommandStep(deps, step, request, hooks, { CONVOY_BACKUP_ARCHIVE: backup.path });
  return { ...report, backup };
}
