/**
 * `convoy admin snapshot save` while a rollout holds a step, and `restore` of that snapshot
 * into a fresh convoyd (a new state file) that then finishes the rollout, every step run once;
 * the refusals an operator meets on the way (an existing name, a running convoyd).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, writeYaml, type FleetServerSpec, type Sandbox } from '../../helpers/index.js';
import { countEvents, EVERY, gate, repeatedSteps, rolloutEvents, waitFinished } from '../faults/support.js';
import { start, status } from '../support.js';

export function snapshotChecks(sandbox: Sandbox): void {
  it('saves a snapshot while a rollout holds a step, and a fresh convoyd restored from it finishes the rollout, every step run once', async () => {
    const g = gate(sandbox.dir, 'a-build');
    const servers: FleetServerSpec[] = [
      { name: 'hoss-auth', role: 'auth' },
      { name: 'hoss-a', role: 'member', agent: { steps: { build: { command: g.wrap('make build') } } } },
      { name: 'hoss-b', role: 'member' },
    ];
    const fleet = await createFleet({ dir: sandbox.dir, servers });
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await g.reached();

    const saved = await fleet.cli(['admin', 'snapshot', 'save', 'mid-rollout.db', '--json']);
    expect(saved.code, saved.stderr).to.equal(0);
    const snap = saved.json as { path: string; schemaVersion: number; unfinishedRollouts: string[]; rollouts: number };
    const file = path.join(path.dirname(fleet.stateFile), 'snapshots', 'mid-rollout.db');
    expect(snap).to.deep.include({ path: file, rollouts: 1, unfinishedRollouts: [id] });
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const text = await fleet.cli(['admin', 'snapshot', 'save', 'mid-rollout-2.db']);
    expect(text.stdout).to.contain(
      `Snapshot written on convoyd's host (not on this machine, unless convoyd runs here): ${path.dirname(file)}/mid-rollout-2.db`,
    );

    const again = await fleet.cli(['admin', 'snapshot', 'save', 'mid-rollout.db']);
    expect([again.code, again.stderr.trim()]).to.deep.equal([
      2,
      `convoy: snapshot ${file} already exists on convoyd's host; choose another name, or pass --force to replace it`,
    ]);
    const outside = await fleet.cli(['admin', 'snapshot', 'save', '/tmp/elsewhere.db']);
    expect(outside.code).to.equal(2);
    expect(outside.stderr).to.contain(`nor a path in ${path.dirname(file)}`);

    // restoring under a running convoyd is refused, by its address and by the lock on its state file
    const busy = await fleet.cli(['admin', 'snapshot', 'restore', file, '--config', fleet.coordinatorConfigFile]);
    expect(busy.code).to.equal(2);
    expect(busy.stderr).to.contain(`something listens on convoyd's address ${fleet.coordinatorAddress}: convoyd is running`);
    const locked = await fleet.cli(['admin', 'snapshot', 'restore', file, '--state-file', fleet.stateFile]);
    expect(locked.code).to.equal(2);
    expect(locked.stderr).to.contain(`the state file ${fleet.stateFile} is in use: convoyd is running with it`);

    // the coordinator host is lost: a fresh convoyd with a new, empty state directory
    await fleet.killCoordinator();
    const freshState = path.join(sandbox.dir, 'coordinator-2', 'state.db');
    fs.mkdirSync(path.dirname(freshState), { mode: 0o700 });
    writeYaml(fleet.coordinatorConfigFile, { ...fleet.coordinatorConfig, stateFile: freshState });
    const restored = await fleet.cli(['admin', 'snapshot', 'restore', file, '--config', fleet.coordinatorConfigFile]);
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.contain(
      `Restored ${freshState} from ${file} (schema ${snap.schemaVersion}, 1 rollout; in progress: ${id}).`,
    );
    expect(restored.stdout).to.contain('There was no state file before.');

    await fleet.startCoordinator();
    await fleet.waitAgentsConnected(EVERY);
    expect((await status(fleet, id)).state).to.equal('running');
    g.open();
    const r = await waitFinished(fleet, id);
    const events = await rolloutEvents(fleet, id);

    expect(r.state, r.reason).to.equal('succeeded');
    expect(events.some((e) => e.message.includes('rollout reloaded in running/members'))).to.equal(true);
    expect(repeatedSteps(r)).to.deep.equal([]);
    expect(fleet.hosts.map((h) => countEvents(h, 'build-start', '0.2.0'))).to.deep.equal([1, 1, 1]);
    expect(fleet.hosts.map((h) => countEvents(h, 'backup-start', '0.1.0'))).to.deep.equal([1, 1, 1]);
    for (const h of fleet.hosts) expect(await h.server.servedVersion(), h.name).to.equal('0.2.0');
    expect(fs.existsSync(path.join(path.dirname(freshState), 'snapshots'))).to.equal(false);
  });
}
