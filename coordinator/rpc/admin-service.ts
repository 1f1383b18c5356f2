/** The admin calls of ControlService (SaveSnapshot). Thin: validate, call the store's snapshot, map errors. */
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../shared/logger.js';
import type { SnapshotView } from '../cli/views.js';
import { actorOf, unary } from './errors.js';
import { bool, str } from './fields.js';

export interface AdminServiceDeps {
  /** Takes a snapshot named `file` (coordinator/store/snapshot-save.ts decides where it may go). */
  saveSnapshot(file: string, force: boolean): Promise<SnapshotView>;
  logger: Logger;
}

export function adminServiceHandlers(deps: AdminServiceDeps): grpc.UntypedServiceImplementation {
  return {
    saveSnapshot: unary(async (req: { file: unknown; force: unknown }, call) => {
      const file = str(req.file, 'file', 4096);
      const force = bool(req.force, 'force');
      const snapshot = await deps.saveSnapshot(file, force);
      deps.logger.info(`snapshot of the state written to ${snapshot.path} (asked by ${actorOf(call)})`, {
        path: snapshot.path,
        sizeBytes: snapshot.sizeBytes,
        schemaVersion: snapshot.schemaVersion,
        actor: actorOf(call),
      });
      return snapshot;
    }),
  };
}
