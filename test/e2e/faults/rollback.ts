/** Rollback: automatic after a member fails, by hand with a failing restore, and across a convoyd crash. */
import { expect } from 'chai';
import { createFleet, type FleetServerSpec } from '../../helpers/index.js';
import { host, start, waitRollout } from '../support.js';
import {
  countEvents,
  describeFinal,
  finalState,
  gate,
  rolloutEvents,
  shutDownAndCheck,
  strayProcesses,
  waitFinished,
  waitJournalled,
  FAILING_BACKUP_AFTER,
  putObject,
  getObject,
  type FaultSuite,
  rollbackEnded,
} from './support.js';

export function rollbackFaults({ sandbox, declare }: FaultSuite): void {
  it('a member fails after its checkout with autoRollback: it serves the old version again with its pre-update data', async () => {
    const row = declare({
      fault: 'backup-after fails on a member (after checkout, build, up, health), autoRollback: true',
      phase: 'members, hoss-a',
      expected: 'hoss-a back at 0.1.0 with the pre-update backup restored; rollout failed, host rolled-back; hoss-b untouched',
    });
    const g = gate(sandbox.dir, 'auth-build');
    const servers: FleetServerSpec[] = [
      { name: 'hoss-auth', role: 'auth', agent: { steps: { build: { command: g.wrap('make build') } } } },
      { name: 'hoss-a', role: 'member', agent: { steps: FAILING_BACKUP_AFTER } },
      { name: 'hoss-b', role: 'member' },
    ];
    const fleet = await createFleet({ dir: sandbox.dir, servers, cluster: { autoRollback: true } });
    const a = fleet.host('hoss-a');
    await putObject(a.server.port, 'greeting', 'written before the update');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await g.reached();
    // after the pre-update backup: data the rollback must undo
    await putObject(a.server.port, 'greeting', 'written after the backup');
    await putObject(a.server.port, 'extra', 'not in the backup');
    g.open();
    const r = await waitRollout(
      fleet,
      id,
      'the rollback of hoss-a to finish',
      (x) => {
        const settled = x.hosts.every((h) => h.steps.every((s) => s.outcome !== 'running'));
        const a = host(x, 'hoss-a');
        return x.state === 'failed' && settled && (a.state === 'rolled-back' || a.reason.includes('rollback'));
      },
      120_000,
    );
    const events = await rolloutEvents(fleet, id);
    const final = await finalState(fleet);
    const greeting = await getObject(a.server.port, 'greeting');
    const extra = await getObject(a.server.port, 'extra');
    const preArchive = a.server.readEvents().find((e) => e.kind === 'backup-end' && e.version === '0.1.0')?.archive;
    const restored = a.server.readEvents().filter((e) => e.kind === 'restore');
    const rollbackSteps = host(r, 'hoss-a')
      .steps.filter((s) => (s as { phase?: string }).phase === 'rollback')
      .map((s) => `${s.step}:${s.outcome}`);
    const backups = await fleet.cli(['backups', 'hoss-a']);
    const strays = strayProcesses(fleet);
    row.observe(
      `rollout ${r.state}; hosts ${r.hosts.map((h) => `${h.agentId} ${h.state}`).join(', ')}`,
      `rollback steps: ${rollbackSteps.join(', ')}`,
      `data after rollback: greeting "${greeting}", extra ${extra === undefined ? 'absent' : 'present'}`,
      `restored archive is the pre-update backup: ${restored.length === 1 && restored[0]?.archive === preArchive}`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(r.state).to.equal('failed');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-a', 'backup-after']);
    expect(r.hosts.map((h) => [h.agentId, h.state])).to.deep.equal([
      ['hoss-auth', 'updated'],
      ['hoss-a', 'rolled-back'],
      ['hoss-b', 'backed-up'],
    ]);
    expect(rollbackSteps).to.deep.equal([
      'rollback-checkout:succeeded',
      'config:succeeded',
      'build:succeeded',
      'up:succeeded',
      'restore:succeeded',
      'health:succeeded',
    ]);
    expect(r.reason).to.contain('hoss-a rolled back to 0.1.0');
    expect(events.some((e) => /^hoss-a rolled back to 0\.1\.0 and restored backup \S+ \(taken at 0\.1\.0\)$/.test(e.message))).to.equal(
      true,
    );
    expect(greeting).to.equal('written before the update');
    expect(extra).to.equal(undefined);
    expect(restored.map((e) => e.archive)).to.deep.equal([preArchive]);
    expect(backups.stdout).to.match(/hoss-a: installed 0\.1\.0, 1 backup/);
    expect(backups.stdout).to.match(/backup-0\.1\.0-\d+\.tar\.gz\s+0\.1\.0\s+.*\s+backup\s+yes/);
    expect(final).to.deep.equal({
      'hoss-auth': { served: '0.2.0', head: '0.2.0', clean: true, backups: 2 },
      'hoss-a': { served: '0.1.0', head: '0.1.0', clean: true, backups: 1 },
      'hoss-b': { served: '0.1.0', head: '0.1.0', clean: true, backups: 1 },
    });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('a rollback by hand whose restore fails leaves the host failed with both reasons', async () => {
    const row = declare({
      fault: 'backup-after fails, then `convoy rollout rollback` by hand, whose restore fails',
      phase: 'single host, after the rollout failed',
      expected: 'code rolled back and serving 0.1.0, but the host stays failed naming the step and the rollback step',
    });
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { steps: FAILING_BACKUP_AFTER } }],
      cluster: false,
    });
    const a = fleet.host('hoss-a');
    a.server.setKnob('fail-restore');
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const failed = await waitFinished(fleet, id);
    const rollback = await fleet.cli(['rollout', 'rollback', id]);
    const r = await waitRollout(
      fleet,
      id,
      'the rollback to end',
      (x) => host(x, 'hoss-a').reason.includes('rollback') && host(x, 'hoss-a').steps.every((s) => s.outcome !== 'running'),
      90_000,
    );
    const events = await rolloutEvents(fleet, id);
    const final = await finalState(fleet);
    const strays = strayProcesses(fleet);
    row.observe(
      `rollout ${failed.state} at ${failed.failedStep}; \`convoy rollout rollback\` exit ${rollback.code}`,
      `host ${host(r, 'hoss-a').state}: "${host(r, 'hoss-a').reason}"`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(failed.state).to.equal('failed');
    expect(failed.failedStep).to.equal('backup-after');
    expect(rollback.code, rollback.stderr).to.equal(0);
    expect(host(r, 'hoss-a').state).to.equal('failed');
    expect(host(r, 'hoss-a').reason).to.match(/^backup-after: .* exited with code 3; rollback restore: .* exited with code 3$/);
    expect(events.some((e) => e.message.startsWith('rollback of hoss-a failed at restore'))).to.equal(true);
    expect(events.some((e) => /rollback requested by /.test(e.message))).to.equal(true);
    expect(final['hoss-a']).to.deep.equal({ served: '0.1.0', head: '0.1.0', clean: true, backups: 1 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });

  it('convoyd SIGKILLed during a rollback: the restarted convoyd finishes the rollback from where it was', async () => {
    const row = declare({
      fault: 'convoyd killed (SIGKILL) during `convoy rollout rollback`, restarted after the step ended',
      phase: 'rollback of a failed single host, its build running',
      expected: 'the failed rollout is reloaded because its rollback is unfinished; the rollback build runs once; host rolled-back',
    });
    const g = gate(sandbox.dir, 'rollback-build');
    // only the rollback's build (toward the old version) waits at the gate
    const build = `if [ "$CONVOY_TARGET_VERSION" = 0.1.0 ]; then ${g.wrap('true')}; fi; make build`;
    const agent = { steps: { ...FAILING_BACKUP_AFTER, build: { command: build } } };
    const fleet = await createFleet({ dir: sandbox.dir, servers: [{ name: 'hoss-a', role: 'member', agent }], cluster: false });
    const a = fleet.host('hoss-a');
    await putObject(a.server.port, 'greeting', 'written before the update');
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    await waitFinished(fleet, id);
    await putObject(a.server.port, 'greeting', 'written by 0.2.0');
    const rollback = await fleet.cli(['rollout', 'rollback', id]);
    await g.reached();
    await fleet.killCoordinator();
    g.open();
    const kept = await waitJournalled(a, 'build');
    await fleet.startCoordinator();
    const r = await waitRollout(fleet, id, 'the rollback to end', rollbackEnded, 90_000);
    const rollbackSteps = host(r, 'hoss-a')
      .steps.filter((s) => (s as { phase?: string }).phase === 'rollback')
      .map((s) => `${s.step}:${s.outcome}`);
    const final = await finalState(fleet);
    const greeting = await getObject(a.server.port, 'greeting');
    const strays = strayProcesses(fleet);
    row.observe(
      `\`convoy rollout rollback\` exit ${rollback.code}; journalled while convoyd was down: rollback build ${kept.outcome}`,
      `host ${host(r, 'hoss-a').state}; rollback steps: ${rollbackSteps.join(', ')}`,
      `builds at 0.1.0 during the rollback: ${countEvents(a, 'build-start', '0.1.0') - 1}`,
      `data: greeting "${greeting}"`,
      describeFinal(final),
      `step processes left: ${strays.length}`,
    );
    const down = await shutDownAndCheck(fleet, row);

    expect(rollback.code, rollback.stderr).to.equal(0);
    expect(kept.outcome).to.equal('SUCCEEDED');
    expect(r.state).to.equal('failed');
    expect(host(r, 'hoss-a').state).to.equal('rolled-back');
    expect(rollbackSteps).to.deep.equal([
      'rollback-checkout:succeeded',
      'config:succeeded',
      'build:succeeded',
      'up:succeeded',
      'restore:succeeded',
      'health:succeeded',
    ]);
    // one build at 0.1.0 when the sample server was installed, one by the rollback
    expect(countEvents(a, 'build-start', '0.1.0')).to.equal(2);
    expect(greeting).to.equal('written before the update');
    expect(final['hoss-a']).to.deep.equal({ served: '0.1.0', head: '0.1.0', clean: true, backups: 1 });
    expect(strays).to.deep.equal([]);
    expect(down).to.deep.equal([]);
  });
}
