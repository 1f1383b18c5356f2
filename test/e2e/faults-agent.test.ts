/**
 * Issue 4: the fault suite, part 2 of 3: convoy-agent killed or stopped. Each test breaks a real process at a chosen moment of a
 * real rollout (SIGKILL, SIGTERM, a cut connection, a full disk, a failing step), then checks
 * what an operator would: the rollout's outcome, every host's served version, work tree and
 * backups, how often each step really ran (from the sample services' own logs), and that no
 * process is left behind. Each test records a row of the fault matrix: docs/reliability.md is
 * generated from a run by test/e2e/faults/write-reliability.ts. The tests live in
 * test/e2e/faults/; the suite is split in three files so that parallel workers share it.
 */
import { useSandbox } from '../helpers/index.js';
import { agentRestarts } from './faults/agent-restarts.js';
import { checkoutKills } from './faults/checkout-kill.js';
import { useFaultMatrix } from './faults/matrix.js';

describe('e2e: faults (agent restarts, a kill mid-checkout)', function () {
  this.timeout(180_000);
  const suite = { sandbox: useSandbox('convoy-faults-'), declare: useFaultMatrix() };
  agentRestarts(suite);
  checkoutKills(suite);
});
