/**
 * The offline half of `convoy admin snapshot restore`: read coordinator.yaml, put the snapshot
 * in place. admin-snapshot.ts imports this module when `restore` runs, so no other command
 * loads the config parser and the store (zod, yaml, node-cron, better-sqlite3).
 *
 * What went wrong comes back as a value, not as an error to test with instanceof: a module
 * loaded by import() can have its own copy of shared/errors.js (tsx loads both graphs in
 * the tests), and the caller's instanceof would not know this copy's classes.
 */
import { ConfigError, ConvoyError } from '../../../shared/errors.js';
import { loadCoordinatorConfig } from '../../config.js';
import { restoreSnapshot, type RestoreReport } from '../../store/snapshot-restore.js';
import { SCHEMA_VERSION } from '../../store/sqlite-store.js';

/** The report and the schema this convoyd runs, or why restoring was refused (a usage error, exit 2). */
export type RestoreOutcome = { report: RestoreReport; schemaVersion: number } | { refused: string };

export interface RestoreRequest {
  snapshot: string;
  /** coordinator.yaml, whose stateFile (and listen address) is the target; or: */
  config?: string;
  stateFile?: string;
  now(): number;
}

export async function restoreFromCli(req: RestoreRequest): Promise<RestoreOutcome> {
  let target: { stateFile: string; listen?: string };
  if (req.stateFile) target = { stateFile: req.stateFile };
  else {
    try {
      const config = loadCoordinatorConfig(req.config!);
      target = { stateFile: config.stateFile, listen: config.listen };
    } catch (err) {
      if (err instanceof ConfigError) return { refused: `${req.config} is not a valid coordinator.yaml: ${err.problems.join('; ')}` };
      throw err;
    }
  }
  try {
    const report = await restoreSnapshot({ snapshot: req.snapshot, ...target, now: () => req.now() });
    return { report, schemaVersion: SCHEMA_VERSION };
  } catch (err) {
    if (!(err instanceof ConvoyError)) throw err;
    return { refused: err.hint ? `${err.message}. ${err.hint}` : err.message };
  }
}
