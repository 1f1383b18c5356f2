/**
 * Issue 10: Convoy on Hoss-like servers with `profile: hoss` and no step settings of its own:
 * hossadm backups, the documented restore (a reset that keeps the object data, the restore
 * with `make up` alongside), truthful release notes and configuration drift.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { useSandbox, waitFor } from '../helpers/index.js';
import { startFakeGithub } from '../helpers/github-api.js';
import type { HossServer } from '../../samples/hoss-server.js';
import { createHossFleet } from '../helpers/hoss-fleet.js';
import { host, start, status, waitRollout, TERMINAL, type RolloutJson } from './support.js';

const UPDATE = ['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after'];

describe('e2e: Hoss servers with profile: hoss', function () {
  this.timeout(120_000);
  const sandbox = useSandbox('convoy-hoss-');

  it('updates a linked pair 0.2.12 -> 0.2.13: backups by hossadm, the auth server first, both serving 0.2.13, object data untouched', async () => {
    const fleet = await createHossFleet({
      dir: sandbox.dir,
      servers: [
        { name: 'hoss-onprem', role: 'auth' },
        { name: 'hoss-cloud', role: 'member' },
      ],
    });
    const onprem = fleet.host('hoss-onprem').server;
    const cloud = fleet.host('hoss-cloud').server;
    cloud.writeObject('datasets/scan-1.bin', Buffer.alloc(4096, 7));
    const objects = cloud.hashObjects();
    await cloud.putRow('sample-17', 'scanned');

    const res = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.13', '--watch'], { timeoutMs: 100_000 });
    expect(res.code, `${res.stdout}\n${res.stderr}`).to.equal(0);

    const id = (await fleet.cli(['rollout', 'list', '--json'])).json as { id: string }[];
    const r = await status(fleet, id[0]!.id);
    expect(r.state).to.equal('succeeded');
    for (const name of ['hoss-onprem', 'hoss-cloud']) {
      const h = host(r, name);
      expect(h.state, name).to.equal('updated');
      expect(
        h.steps.map((s) => s.step),
        name,
      ).to.deep.equal(UPDATE);
    }
    expect(await onprem.servedVersion()).to.equal('0.2.13');
    expect(await cloud.servedVersion()).to.equal('0.2.13');
    expect([onprem.headTag(), cloud.headTag()]).to.deep.equal(['0.2.13', '0.2.13']);
    // the auth server was healthy at 0.2.13 before the member's update began
    const authHealthy = onprem.readEvents().find((e) => e.kind === 'healthy' && e.version === '0.2.13')?.atMs ?? Infinity;
    const memberBuild = cloud.readEvents().find((e) => e.kind === 'build-start' && e.version === '0.2.13')?.atMs ?? -Infinity;
    expect(authHealthy).to.be.below(memberBuild);
    // hossadm wrote the archives the catalogue records: one at 0.2.12 before, one at 0.2.13 after the update
    for (const server of [onprem, cloud]) {
      expect(
        server.readEvents().filter((e) => e.kind === 'backup-end'),
        server.name,
      ).to.have.length(2);
      const backups = await fleet.cli(['backups', server.name, '--json']);
      const catalogue = (backups.json as { backups: { backup: { path: string; version: string } }[] }).backups.map((b) => b.backup);
      expect(catalogue.map((b) => b.path).sort(), server.name).to.deep.equal(server.listBackups());
      expect(catalogue.map((b) => b.version).sort(), server.name).to.deep.equal(['0.2.12', '0.2.13']);
    }
    expect(cloud.hashObjects()).to.equal(objects);
    expect(cloud.readDb()?.rows['sample-17']).to.equal('scanned');
    expect(TERMINAL).to.include(r.state);
  });

  it("rolls a member whose build failed back by Hoss's restore: old version served, database the pre-update backup's, object data byte-identical", async () => {
    const fleet = await createHossFleet({
      dir: sandbox.dir,
      servers: [
        { name: 'hoss-onprem', role: 'auth' },
        { name: 'hoss-cloud', role: 'member' },
      ],
      cluster: { autoRollback: true },
    });
    const cloud = fleet.host('hoss-cloud').server;
    await cloud.putRow('sample-17', 'scanned');
    cloud.writeObject('datasets/scan-1.bin', Buffer.alloc(4096, 7));
    cloud.setKnob('hang-build');
    const id = await start(fleet, ['hoss', '--to', '0.2.13']);
    await waitForBuild(cloud, '0.2.13');
    // after the pre-update backup: a row the restore must undo, objects it must not touch
    await cloud.putRow('late-row', 'written after the backup');
    cloud.writeObject('datasets/scan-2.bin', 'written after the backup');
    const objects = cloud.hashObjects();
    await endHangingBuild(cloud);

    const r = await waitRollout(fleet, id, 'hoss-cloud rolled back', (x) => host(x, 'hoss-cloud').state === 'rolled-back', 90_000);
    expect(r.state).to.equal('failed');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-cloud', 'build']);
    const rollback = host(r, 'hoss-cloud').steps.filter((s) => s.phase === 'rollback');
    expect(rollback.map((s) => `${s.step}:${s.outcome}`)).to.deep.equal([
      'rollback-checkout:succeeded',
      'build:succeeded',
      'down:succeeded',
      'reset:succeeded',
      'restore:succeeded',
      'restart-sync:succeeded',
      'restart-core:succeeded',
      'health:succeeded',
    ]);
    const kinds = cloud.readEvents().map((e) => e.kind);
    expect(kinds).to.include.members(['restore-ready', 'restore-complete', 'db-restored']);
    expect(kinds, 'make reset (which deletes the object data) never ran').to.not.include('reset');
    expect(await cloud.servedVersion()).to.equal('0.2.12');
    expect(cloud.headTag()).to.equal('0.2.12');
    expect(cloud.readDb()?.rows).to.deep.equal({ 'sample-17': 'scanned' });
    expect(cloud.hashObjects()).to.equal(objects);
    const restore = rollback.find((s) => s.step === 'restore');
    expect(restore?.outputTail.join('\n')).to.match(/Restore Complete/);
  });

  it("records a restore that refuses (an installed server, exit 0) as failed, in the tool's own words", async () => {
    const fleet = await createHossFleet({
      dir: sandbox.dir,
      servers: [
        {
          name: 'hoss-solo',
          role: 'member',
          // a rollback procedure without the documented reset: hossadm finds the installation and refuses
          agent: { procedures: { rollback: ['rollback-checkout', 'build', 'restore', 'restart-core', 'health'] } },
        },
      ],
      cluster: { autoRollback: true },
    });
    const solo = fleet.host('hoss-solo').server;
    solo.setKnob('hang-build');
    const id = await start(fleet, ['hoss', '--to', '0.2.13']);
    await waitForBuild(solo, '0.2.13');
    await endHangingBuild(solo);
    const restored = (x: RolloutJson): boolean =>
      host(x, 'hoss-solo').steps.some((s) => s.phase === 'rollback' && s.step === 'restore' && s.outcome !== 'running');
    const r = await waitRollout(fleet, id, 'the rollback restore ended', restored, 90_000);
    const restore = host(r, 'hoss-solo').steps.find((s) => s.phase === 'rollback' && s.step === 'restore');
    expect(restore?.outcome).to.equal('failed');
    expect(restore?.exitCode).to.equal(0);
    expect(restore?.reason).to.include('exited 0 but its output matched rejectOutput "An existing installation is detected"');
    expect(restore?.reason).to.include('Reset the local installation before proceeding with a restore.');
    expect(solo.readEvents().map((e) => e.kind)).to.include('restore-refused');
    const final = await waitRollout(fleet, id, 'failed', (x) => TERMINAL.includes(x.state) && x.reason.includes('rollback of'));
    expect(final.state).to.equal('failed');
    expect(host(final, 'hoss-solo').state).to.equal('failed');
    expect(final.reason).to.match(/rollback of hoss-solo failed at restore$/);
  });

  it('re-runs an interrupted backup after its cleanup removed the partial backup hossadm left (.current)', async () => {
    const fleet = await createHossFleet({ dir: sandbox.dir, servers: [{ name: 'hoss-solo', role: 'member' }] });
    const solo = fleet.host('hoss-solo').server;
    solo.setKnob('hang-backup');
    const id = await start(fleet, ['hoss', '--to', '0.2.13']);
    await waitFor(() => solo.readEvents().some((e) => e.kind === 'backup-hanging'), { what: 'hossadm backup to hang', timeoutMs: 60_000 });
    const current = `${solo.backupRoot}/.current`;
    expect(fs.existsSync(current), '.current while the backup runs').to.equal(true);
    await fleet.killAgent('hoss-solo');
    solo.setKnob('hang-backup', false);
    fleet.startAgent('hoss-solo');

    const r = await waitRollout(fleet, id, 'finished', (x) => TERMINAL.includes(x.state), 90_000);
    expect(r.state, r.reason).to.equal('succeeded');
    const backups = host(r, 'hoss-solo').steps.filter((s) => s.step === 'backup');
    expect(backups.map((s) => `${s.attempt}:${s.outcome}`)).to.deep.equal(['1:interrupted', '2:succeeded']);
    const logs = await fleet.cli(['rollout', 'logs', id, '--host', 'hoss-solo', '--step', 'backup']);
    expect(logs.stdout).to.match(/\[cleanup\] backup is run again after an interruption: running rm -rf -- /);
    expect(logs.stdout).to.include('Backup Complete');
    expect(fs.existsSync(current), '.current after the re-run').to.equal(false);
    expect(solo.readEvents().filter((e) => e.kind === 'backup-end')).to.have.length(2);
    expect(solo.processes().filter((pid) => commandLine(pid).includes('hossadm'))).to.deep.equal([]);
  });

  it('says where it looked for release notes, waits for an acknowledgement when a version has none, and shows the configuration drift', async () => {
    const repo = 'WyssCenter/hybrid-object-store';
    const github = await startFakeGithub({
      repo,
      releases: [{ tag: '0.2.13', name: 'Hoss 0.2.13', body: 'Faster sync of large datasets.' }],
    });
    after(() => github.close());
    const versions = [
      { version: '0.2.12' },
      { version: '0.2.13' },
      {
        version: '0.2.14',
        envKeys: { SYNC_WORKERS: '4' },
        templates: { 'sync/config.yaml.tmpl': 'workers: {{SYNC_WORKERS}}\n' },
        composeFiles: { 'sync/docker-compose.yaml': 'services:\n  sync:\n    environment: [SYNC_WORKERS]\n' },
      },
    ];
    const fleet = await createHossFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-solo', role: 'member', versions }],
      cluster: { releaseNotes: { github: { repo, apiUrl: github.apiUrl, timeout: '5s' }, requireNotes: true } },
    });
    const solo = fleet.host('hoss-solo').server;

    const plan = await fleet.cli(['plan', 'hoss', '--to', '0.2.14', '--diff']);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).to.include(`0.2.13 (github:${repo})`);
    expect(plan.stdout).to.match(/none found for 0\.2\.14: not "no action required"/);
    expect(plan.stdout).to.include(`GitHub releases of ${repo}`);
    expect(plan.stdout).to.match(/^\s+A server\/sync\/config\.yaml\.tmpl$/m);
    expect(plan.stdout).to.match(/^\s+A server\/sync\/docker-compose\.yaml$/m);
    expect(plan.stdout).to.match(/^\s+\+workers: \{\{SYNC_WORKERS\}\}$/m);
    expect(plan.stdout).to.match(/required change: \.env \(\S+\) lacks SYNC_WORKERS, which `make env` of 0\.2\.14/);
    expect(plan.stdout).to.include('The rollout would wait for an acknowledgement:');
    const noDiff = await fleet.cli(['plan', 'hoss', '--to', '0.2.14']);
    expect(noDiff.stdout).to.not.include('+workers');

    const id = await start(fleet, ['hoss', '--to', '0.2.14']);
    const waiting = await waitRollout(fleet, id, 'awaiting-ack', (x) => x.state === 'awaiting-ack');
    expect(waiting.reason).to.include('no release notes found for 0.2.14');
    expect(waiting.reason).to.include('lacks SYNC_WORKERS');
    expect(waiting.notesMissing).to.deep.equal(['0.2.14']);
    expect(
      solo.readEvents().some((e) => e.kind === 'backup-start'),
      'nothing ran before the acknowledgement',
    ).to.equal(false);
    const events = await fleet.cli(['events', '--rollout', id]);
    expect(events.stdout).to.match(
      /release notes: none found for 0\.2\.14 \(looked in: .*GitHub releases of WyssCenter\/hybrid-object-store\)/,
    );
    const text = await fleet.cli(['rollout', 'status', id]);
    expect(text.stdout).to.match(/Release notes: none found for 0\.2\.14/);
    // the plan's answers were cached: GitHub was asked once per tag
    expect(github.count(`/repos/${repo}/releases/tags/0.2.13`)).to.equal(1);

    const ack = await fleet.cli(['rollout', 'ack', id]);
    expect(ack.code, ack.stderr).to.equal(0);
    const done = await waitRollout(fleet, id, 'finished', (x) => TERMINAL.includes(x.state), 90_000);
    expect(done.state, done.reason).to.equal('succeeded');
    expect(await solo.servedVersion()).to.equal('0.2.14');
  });
});

/** Resolves once `make build` of `version` started on the server (its own events log says so). */
async function waitForBuild(server: HossServer, version: string): Promise<void> {
  await waitFor(() => server.readEvents().some((e) => e.kind === 'build-start' && e.version === version), {
    what: `${server.name} to build ${version}`,
    timeoutMs: 60_000,
  });
}

/**
 * The hanging `make build` (knobs/hang-build) ends with an error: its sleep is killed; later
 * builds do not hang. The sleep is waited for: the build's first event comes before it.
 */
async function endHangingBuild(server: HossServer): Promise<void> {
  const sleeping = await waitFor(
    () => {
      const pids = server.processes().filter((pid) => commandLine(pid).startsWith('sleep'));
      return pids.length > 0 ? pids : undefined;
    },
    { what: `${server.name}'s hanging build to sleep`, timeoutMs: 30_000 },
  );
  server.setKnob('hang-build', false);
  for (const pid of sleeping) process.kill(pid, 'SIGTERM');
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}
