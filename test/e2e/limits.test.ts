/**
 * Issue 13: every principal bounded to itself. Real convoyd and agents on 127.0.0.1 with real
 * certificates, and raw clients speaking the protocols, check each bound docs/security.md
 * states: unauthenticated connections, revoked operators' streams, Plan floods, agent journals
 * over the message size, and step output floods. The tests live in test/e2e/limits/.
 */
import { useSandbox } from '../helpers/index.js';
import { connectionLimits } from './limits/connections.js';
import { inspectionLimits } from './limits/inspections.js';
import { journalLimits } from './limits/journal.js';
import { outputLimits } from './limits/output.js';
import { streamLimits } from './limits/streams.js';

describe('e2e: limits (connections, streams, inspections, journal, step output)', function () {
  this.timeout(180_000);
  const sandbox = useSandbox('convoy-limits-');
  connectionLimits(sandbox);
  streamLimits(sandbox);
  inspectionLimits(sandbox);
  journalLimits(sandbox);
  outputLimits(sandbox);
});
