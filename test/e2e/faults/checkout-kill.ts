/**
 * convoy-agent killed (SIGKILL) while its checkout's git is writing the work tree. A smudge
 * filter on server/VERSION (configured in the sample repository's .git, so the tree stays
 * clean) holds git at a gate the test opens: the kill lands mid-checkout every time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { processGroupAlive } from '../../../agent/exec/process-group.js';
import { git } from '../../../samples/sample-server/repo.js';
import { createFleet, onCleanup, waitFor, type FleetHost } from '../../helpers/index.js';
import { host, start, waitRollout } from '../support.js';
import {
  describeFinal,
  finalState,
  FAILING_BACKUP_AFTER,
  gate,
  outcomes,
  runsOf,
  shutDownAndCheck,
  strayProcesses,
  waitFinished,
  ONE,
  type FaultSuite,
  type Gate,
  rollbackEnded,
} from './support.js';

/** Makes git's checkout of server/VERSION wait at `g` (every checkout, reset and rollback writing it). */
function slowCheckout(h: FleetHost, g: Gate): void {
  git(h.server.root, ['config', 'filter.slow.smudge', g.wrap('cat')]);
  fs.writeFileSync(path.join(h.server.root, '.git', 'info', 'attributes'), 'server/VERSION filter=slow\n');
  // a failing test must not leave git waiting in the filter
  onCleanup('open the checkout gate', () => g.open());
}

/** The process groups the agent's journal names for the step in flight. */
function journalledGroups(h: FleetHost): { step: string; pgids: number[] } | undefined {
  const file = path.join(h.stateDir, 'journal.json');
  const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as { inFlight: { step: string; pgids?: number[] } | null };
  return journal.inFlight ? { step: journal.inFlight.step, pgids: journal.inFlight.pgids ?? [] } : undefined;
}

/** Kills the agent while its checkout waits in the filter; returns git's journalled process group. */
async function killMidCheckout(h: FleetHost, g: Gate, kill: () => Promise<void>): Promise<number> {
  await g.reached();
  const inFlight = await waitFor(() => journalledGroups(h), { what: `${h.name}'s journal to name the checkout's process group` });
  expect(inFlight.step).to.equal('checkout');
  expect(inFlight.pgids, 'the checkout journals its git before git writes').to.have.length(1);
  await kill();
  return inFlight.pgids[0]!;
}

export function checkoutKills({ sandbox, declare }: FaultSuite): void {
  it('agent SIGKILLed mid-checkout: the restart kills the orphaned git, the re-run undoes the half-done checkout and the rollout succeeds', async () => {
    const row = declare({
      fault: 'agent killed (SIGKILL) while git checkout writes the tree, restarted with git still running',
      phase: 'single host, checkout to 0.2.0 half-done',
      expected: "git's journalled group killed at restart; checkout interrupted, re-run undoes the half-done tree; rollout succeeds",
    });
    const g = gate(sandbox.dir, 'checkout');
    const fleet = await createFleet({ dir: sandbox.dir, servers: ONE, cluster: false });
    const a = fleet.host('hoss-a');
    const original = git(a.server.root, ['rev-parse', 'HEAD']);
    slowCheckout(a, g);
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const pgid = await killMidCheckout(a, g, () => fleet.killAgent('hoss-a'));
    const orphaned = processGroupAlive(pgid);
    const dirtyAfterKill = !a.server.isClean();
    fleet.startAgent('hoss-a');
    await g.reached(2); // the re-run, undoing the half-done tree, writes server/VERSION again
    const killedAtRestart = !processGroupAlive(pgid);
    g.open();
    const r = await waitFinished(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    const first = runsOf(host(r, 'hoss-a'), 'checkout')[0];
    row.observe(
      `git orphaned by the kill: ${orphaned}; tree dirty after the kill: ${dirtyAfterKill}; git killed at restart: ${killedAtRestart}`,
      `rollout ${r.state}; checkout runs: ${outcomes(r, 'hoss-a', 'checkout')} ("${first?.reason}")`,
      `previous commit recorded: ${host(r, 'hoss-a').previousCommit === original ? 'the original (0.1.0)' : host(r, 'hoss-a').previousCommit}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(orphaned).to.equal(true);
    expect(dirtyAfterKill).to.equal(true);
    expect(killedAtRestart).to.equal(true);
    expect(r.state, r.reason).to.equal('succeeded');
    expect(outcomes(r, 'hoss-a', 'checkout')).to.equal('interrupted,succeeded');
    expect(first?.reason).to.equal(`agent restarted while step checkout was running; process group ${pgid} killed`);
    expect(host(r, 'hoss-a').previousCommit).to.equal(original);
    expect(final['hoss-a']).to.deep.equal({ served: '0.2.0', head: '0.2.0', clean: true, backups: 2 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('agent SIGKILLed mid-checkout whose git then finishes alone: the re-run keeps the original commit, and a rollback returns to it', async () => {
    const row = declare({
      fault: 'agent killed (SIGKILL) mid-checkout; the orphaned git finishes before the restart; backup-after fails',
      phase: 'single host, checkout to 0.2.0, then `convoy rollout rollback`',
      expected: 'the re-run finds the tree at 0.2.0 and reports 0.1.0 as the previous commit; the rollback serves 0.1.0 again',
    });
    const g = gate(sandbox.dir, 'checkout');
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { steps: FAILING_BACKUP_AFTER } }],
      cluster: false,
    });
    const a = fleet.host('hoss-a');
    const original = git(a.server.root, ['rev-parse', 'HEAD']);
    slowCheckout(a, g);
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const pgid = await killMidCheckout(a, g, () => fleet.killAgent('hoss-a'));
    g.open();
    await waitFor(() => !processGroupAlive(pgid), { what: 'the orphaned git to finish the checkout', timeoutMs: 30_000 });
    const headBeforeRestart = a.server.headTag();
    fleet.startAgent('hoss-a');
    const failed = await waitFinished(fleet, id);
    const rollback = await fleet.cli(['rollout', 'rollback', id]);
    const r = await waitRollout(fleet, id, 'the rollback to end', rollbackEnded, 90_000);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `tree after the orphaned git finished: ${headBeforeRestart}`,
      `rollout ${failed.state} at ${failed.failedStep}; checkout runs: ${outcomes(failed, 'hoss-a', 'checkout')}`,
      `previous commit recorded: ${host(failed, 'hoss-a').previousCommit === original ? 'the original (0.1.0)' : host(failed, 'hoss-a').previousCommit}`,
      `\`convoy rollout rollback\` exit ${rollback.code}; host ${host(r, 'hoss-a').state}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(headBeforeRestart).to.equal('0.2.0');
    expect(failed.state).to.equal('failed');
    expect(failed.failedStep).to.equal('backup-after');
    expect(outcomes(failed, 'hoss-a', 'checkout')).to.equal('interrupted,succeeded');
    expect(host(failed, 'hoss-a').previousCommit).to.equal(original);
    expect(rollback.code, rollback.stderr).to.equal(0);
    expect(host(r, 'hoss-a').state, host(r, 'hoss-a').reason).to.equal('rolled-back');
    expect(final['hoss-a']).to.deep.equal({ served: '0.1.0', head: '0.1.0', clean: true, backups: 1 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });
}
