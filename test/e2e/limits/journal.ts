/**
 * A journal over the message size (what a coordinator that never acknowledges makes of
 * results with long output) no longer locks the agent out: its Hello carries the newest results
 * that fit, the others follow it, and convoyd acknowledges them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { MAX_MESSAGE_BYTES } from '../../../shared/proto.js';
import { createFleet, waitFor, type Sandbox } from '../../helpers/index.js';
import { readJournal } from '../faults/support.js';
import { logged } from './support.js';

/** A finished result for a rollout convoyd does not know, with 40 lines of 4,000 characters of output. */
function longResult(i: number): Record<string, unknown> {
  return {
    requestId: `r-900.hoss-a.build.${i}`,
    rolloutId: 'r-900',
    step: 'build',
    outcome: 'FAILED',
    exitCode: 2,
    reason: 'exit code 2',
    outputTail: Array.from({ length: 40 }, (_, n) => `line ${n} ${'y'.repeat(4000)}`),
    startedAtMs: 1_700_000_000_000,
    finishedAtMs: 1_700_000_001_000,
    previousCommit: '',
    backup: null,
    releaseNotes: null,
    repo: null,
    health: null,
    attempt: i,
  };
}

export function journalLimits(sandbox: Sandbox): void {
  it('an agent whose journal is over the message size still reconnects and delivers every result', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, servers: [{ name: 'hoss-a', role: 'member' }], cluster: false });
    const a = fleet.host('hoss-a');
    await fleet.stopAgent('hoss-a');
    const file = path.join(a.stateDir, 'journal.json');
    fs.writeFileSync(file, JSON.stringify({ inFlight: null, undelivered: Array.from({ length: 30 }, (_, i) => longResult(i + 1)) }), {
      mode: 0o600,
    });
    expect(fs.statSync(file).size, 'the journal alone is over the message limit').to.be.above(MAX_MESSAGE_BYTES);

    const agent = fleet.startAgent('hoss-a');
    await fleet.waitAgentsConnected(['hoss-a']);
    const told = await logged(agent, /^the Hello carries the newest \d+ of 30 unacknowledged results/);
    expect(told.level).to.equal('warn');
    await waitFor(() => readJournal(a).undelivered.length === 0, {
      what: 'convoyd to acknowledge all 30 results',
      timeoutMs: 30_000,
      describe: () => `${readJournal(a).undelivered.length} left`,
    });
    expect(agent.hasExited()).to.equal(false);
    expect((await fleet.agents()).find((x) => x.id === 'hoss-a')?.connected).to.equal(true);
  });
}
