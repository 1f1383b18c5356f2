/**
 * Issue 12, the coordinator's side: a restart that needs no operator whatever order the agents
 * come back in, a frozen convoyd that does not blame its agents for its own stall, and a state
 * file on a full disk that stops nothing for good and loses nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createFleet, onCleanup, useSandbox, waitFor } from '../helpers/index.js';
import { host, start, waitRollout, TERMINAL } from './support.js';
import { gate, rolloutEvents } from './faults/support.js';
import { mountSmallDisk } from './faults/tmpfs.js';

describe('e2e: the coordinator at the edges', function () {
  this.timeout(120_000);
  const sandbox = useSandbox('convoy-coord-faults-');

  it('a restarted convoyd needs no resume when a member reconnects before the auth server: the gate waits, with its reason', async () => {
    const g = gate(sandbox.dir, 'build-a');
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [
        { name: 'hoss-auth', role: 'auth' },
        { name: 'hoss-a', role: 'member', agent: { steps: { build: { command: g.wrap('make build') } } } },
        { name: 'hoss-b', role: 'member' },
      ],
    });
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await g.reached();
    await fleet.killCoordinator();
    await fleet.stopAgent('hoss-auth'); // the auth server's agent comes back last
    await fleet.startCoordinator();
    await fleet.waitAgentsConnected(['hoss-a', 'hoss-b']);
    g.open(); // hoss-a finishes; hoss-b is next and needs the auth server
    const waiting = await waitRollout(fleet, id, 'waiting for the auth server', (r) => r.reason.startsWith('waiting for the auth server'));
    expect(waiting.state).to.equal('running');
    expect(waiting.reason).to.match(/auth server hoss-auth is not connected; no member starts until it is back \(pauses at /);
    fleet.startAgent('hoss-auth');
    const r = await waitRollout(fleet, id, 'finished', (x) => TERMINAL.includes(x.state), 90_000);
    expect(r.state, r.reason).to.equal('succeeded');
    const events = await rolloutEvents(fleet, id);
    expect(
      events.some((e) => / -> paused/.test(e.message)),
      'never paused',
    ).to.equal(false);
  });

  it('a convoyd frozen past the heartbeat timeout mid-step counts the result its agent sent meanwhile', async () => {
    const g = gate(sandbox.dir, 'build-solo');
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { steps: { build: { command: g.wrap('make build') } } } }],
      cluster: false,
    });
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    await g.reached();
    fleet.coordinator!.signal('SIGSTOP');
    onCleanup('convoyd SIGCONT', () => fleet.coordinator?.signal('SIGCONT'));
    g.open();
    // the build ends while convoyd is frozen; its result and heartbeats wait in convoyd's socket
    await waitFor(() => fs.readFileSync(fleet.host('hoss-a').agentLog, 'utf8').includes('step build of rollout r-1 SUCCEEDED'), {
      what: 'the build to finish on the agent',
      timeoutMs: 30_000,
    });
    await sleep(4_000); // at least twice the heartbeat timeout (2s): any longer freeze is the same case
    fleet.coordinator!.signal('SIGCONT');
    const r = await waitRollout(fleet, id, 'finished', (x) => TERMINAL.includes(x.state), 90_000);
    expect(r.state, r.reason).to.equal('succeeded');
    const builds = host(r, 'hoss-a').steps.filter((s) => s.step === 'build');
    expect(builds.map((b) => b.outcome)).to.deep.equal(['succeeded']);
    expect(fs.readFileSync(fleet.coordinatorLog, 'utf8')).to.match(/convoyd was stalled for \d+s; reading what agents sent meanwhile/);
  });

  it("goes on without a restart once space is back on convoyd's full disk, saying why meanwhile and losing nothing", async function () {
    const disk = mountSmallDisk(path.join(sandbox.dir, 'small-disk'), 8 * 1024);
    // CI runs as root, like this machine; a machine that cannot mount a tmpfs cannot run this case
    if (typeof disk === 'string') return this.skip();
    const mount = disk.dir;
    const g = gate(sandbox.dir, 'build-full');
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { steps: { build: { command: g.wrap('make build') } } } }],
      cluster: false,
      coordinatorOverrides: { stateFile: path.join(mount, 'state.db') },
    });
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    await g.reached();
    disk.fill();
    g.open();
    const stuck = await waitRollout(fleet, id, 'the rollout to say the state file cannot be written', (r) =>
      r.reason.includes('cannot write its state file'),
    );
    expect(stuck.reason).to.include(`convoyd cannot write its state file ${path.join(mount, 'state.db')}: the disk is full (ENOSPC)`);
    expect(stuck.state).to.equal('running');
    disk.free();
    const r = await waitRollout(fleet, id, 'finished', (x) => TERMINAL.includes(x.state), 90_000);
    expect(r.state, r.reason).to.equal('succeeded');
    const h = host(r, 'hoss-a');
    expect(h.steps.filter((s) => s.step === 'build').map((s) => s.outcome)).to.deep.equal(['succeeded']);
    expect(h.steps.map((s) => s.step)).to.deep.equal([
      'backup',
      'release-notes',
      'checkout',
      'config',
      'build',
      'up',
      'health',
      'backup-after',
    ]);
    expect(await fleet.host('hoss-a').server.servedVersion()).to.equal('0.2.0');
  });
});
