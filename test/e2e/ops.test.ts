/**
 * Issue 16 (running Convoy itself): a state file of the first Convoy migrated on start; snapshots of convoyd's state taken during a rollout and
 * restored into a fresh convoyd that finishes it; agents of another protocol refused with both
 * versions named; backup archives on agents pruned by policy with the catalogue matching the
 * files; certificate expiry exported and alerted on; `convoy-agent doctor` on a healthy and a
 * broken host. Real processes throughout; the tests live in test/e2e/ops/.
 */
import { useSandbox } from '../helpers/index.js';
import { certificateChecks } from './ops/certificates.js';
import { doctorChecks } from './ops/doctor.js';
import { migrationChecks } from './ops/migration.js';
import { protocolChecks } from './ops/protocol.js';
import { retentionChecks } from './ops/retention.js';
import { snapshotChecks } from './ops/snapshots.js';

describe('e2e: running Convoy itself (migrations, snapshots, protocol versions, backup retention, certificates, doctor)', function () {
  this.timeout(240_000);
  const sandbox = useSandbox('convoy-ops-');
  migrationChecks(sandbox);
  snapshotChecks(sandbox);
  protocolChecks(sandbox);
  retentionChecks(sandbox);
  certificateChecks(sandbox);
  doctorChecks(sandbox);
});
