/**
 * Issue 11: rollouts tell the truth. Through the CLI, with real processes: a superseded
 * rollback refused, an automatic rollback followed to its end by --watch, a --host rollout that
 * takes its cluster's settings, plan agreeing with start, and `convoy agents` telling the
 * version checked out from the version served, and "unknown" from "healthy".
 */
import { expect } from 'chai';
import { createFleet, useSandbox, waitFor } from '../helpers/index.js';
import { host, start, status, waitRollout, TERMINAL, type RolloutJson } from './support.js';
import { countEvents } from './faults/support.js';

/** A command that fails for one target version and runs `make <target>` otherwise (the version comes from the environment). */
function failingAt(version: string, command: string): string {
  return `if [ "$CONVOY_TARGET_VERSION" = "${version}" ]; then echo "no build for ${version}" >&2; exit 2; fi; ${command}`;
}

describe('e2e: rollouts tell the truth', function () {
  this.timeout(120_000);
  const sandbox = useSandbox('convoy-truth-');

  it('refuses to roll back a rollout that a later one superseded on the host, and says which', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { steps: { 'backup-after': { command: failingAt('0.2.0', './backup.sh') } } } }],
      cluster: false,
    });
    const first = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const failed = await waitRollout(fleet, first, 'failed', (r) => TERMINAL.includes(r.state));
    expect([failed.state, failed.failedStep]).to.deep.equal(['failed', 'backup-after']);
    expect(failed.rollbackPossible).to.equal(true);
    const second = await start(fleet, ['--host', 'hoss-a', '--to', '0.3.0', '--ack-release-notes']);
    expect((await waitRollout(fleet, second, 'finished', (r) => TERMINAL.includes(r.state))).state).to.equal('succeeded');

    const refused = await fleet.cli(['rollout', 'rollback', first]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include(`rollout ${second} changed hoss-a after it (to 0.3.0)`);
    expect(refused.stderr).to.include('--allow-superseded');
    const text = await fleet.cli(['rollout', 'status', first]);
    expect(text.stdout).to.match(new RegExp(`Rollback\\s+not possible: rollout ${second} changed hoss-a after it`));
    expect(text.stdout).to.not.include(`convoy rollout rollback ${first}`);
    expect(await fleet.host('hoss-a').server.servedVersion()).to.equal('0.3.0');

    // the documented override: back past r-2, followed live; the reply says what it started
    const forced = await fleet.cli(['rollout', 'rollback', first, '--allow-superseded', '--watch'], { timeoutMs: 60_000 });
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.stdout).to.match(/rolling hoss-a back to 0\.1\.0 \(started: rollback-checkout\)/);
    const after = await status(fleet, first);
    expect([after.state, host(after, 'hoss-a').state]).to.deep.equal(['failed', 'rolled-back']);
    expect(await fleet.host('hoss-a').server.servedVersion()).to.equal('0.1.0');
  });

  it("follows an automatic rollback of a --host rollout (its cluster's autoRollback) with --watch to the end, exit 1", async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { steps: { build: { command: failingAt('0.2.0', 'make build') } } } }],
      cluster: { autoRollback: true },
    });
    const res = await fleet.cli(['rollout', 'start', '--host', 'hoss-a', '--to', '0.2.0', '--watch', '--json'], { timeoutMs: 90_000 });
    expect(res.code, res.stderr).to.equal(1);
    const views = (res.jsonLines ?? []) as RolloutJson[];
    const last = views.at(-1)!;
    expect(last.state).to.equal('failed');
    expect(host(last, 'hoss-a').state).to.equal('rolled-back');
    expect(last.reason).to.match(/^hoss-a: build: .* exited with code 2; hoss-a rolled back to 0\.1\.0$/);
    // the watch saw the rollback running: the rollout was not "failed" while Convoy still moved the host
    const during = views.filter((v) => v.phase === 'rollback');
    expect(during.length).to.be.greaterThan(0);
    expect(during.every((v) => v.state === 'running')).to.equal(true);
    expect(await fleet.host('hoss-a').server.servedVersion()).to.equal('0.1.0');
    const again = await fleet.cli(['rollout', 'rollback', last.id]);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.include('hoss-a was already rolled back');
  });

  it('plans what start does: a skipped host, an unhealthy one and a downgrade are decided alike', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [
        { name: 'hoss-a', role: 'member', install: '0.2.0' },
        { name: 'hoss-b', role: 'member' },
        { name: 'hoss-c', role: 'member' },
      ],
      cluster: {},
    });
    fleet.host('hoss-b').server.setKnob('never-healthy');
    await waitFor(async () => (await fleet.agents()).find((a) => a.id === 'hoss-b')?.healthState === 'unhealthy', {
      what: 'hoss-b to report unhealthy',
      timeoutMs: 20_000,
    });
    const plan = await fleet.cli(['plan', 'hoss', '--to', '0.2.0', '--json']);
    expect(plan.code).to.equal(2);
    const verdicts = (plan.json as { hosts: { agentId: string; verdict: string; verdictReason: string; problem: string }[] }).hosts;
    const byId = Object.fromEntries(verdicts.map((h) => [h.agentId, h]));
    expect(byId['hoss-a']).to.include({ verdict: 'skip', verdictReason: 'already at 0.2.0' });
    expect(byId['hoss-b']?.verdict).to.equal('refused');
    expect(byId['hoss-b']?.problem).to.match(/^is not healthy before the update/);
    expect(byId['hoss-c']?.verdict).to.equal('update');
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    const r = await waitRollout(fleet, id, 'finished', (x) => TERMINAL.includes(x.state));
    expect([r.state, r.failedHost, r.failedStep]).to.deep.equal(['failed', 'hoss-b', 'preflight']);
    expect(r.reason).to.equal(`hoss-b: preflight: ${byId['hoss-b']?.problem}`);

    const downgrade = await fleet.cli(['plan', '--host', 'hoss-a', '--to', '0.1.0']);
    expect(downgrade.code).to.equal(2);
    expect(downgrade.stdout).to.include('refused: 0.1.0 is a downgrade from 0.2.0 (set allowDowngrade: true on the cluster to permit it)');
    const down = await start(fleet, ['--host', 'hoss-a', '--to', '0.1.0']);
    const d = await waitRollout(fleet, down, 'finished', (x) => TERMINAL.includes(x.state));
    expect(d.reason).to.equal('hoss-a: preflight: 0.1.0 is a downgrade from 0.2.0 (set allowDowngrade: true on the cluster to permit it)');

    const same = await fleet.cli(['plan', '--host', 'hoss-a', '--to', '0.2.0']);
    expect(same.code).to.equal(0);
    expect(same.stdout).to.include('skip: already at 0.2.0');
    expect(same.stdout).to.include('Nothing to do: every host already runs 0.2.0.');
    const noop = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const n = await waitRollout(fleet, noop, 'finished', (x) => TERMINAL.includes(x.state));
    expect([n.state, host(n, 'hoss-a').state]).to.deep.equal(['succeeded', 'skipped']);
  });

  it('shows the version checked out and the version served apart after an abort mid-build, and health unknown once the agent is gone', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, servers: [{ name: 'hoss-a', role: 'member' }], cluster: false });
    const a = fleet.host('hoss-a');
    a.server.setKnob('hang-build');
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    await waitFor(() => countEvents(a, 'build-start', '0.2.0') === 1, { what: 'make build to start', timeoutMs: 60_000 });
    expect((await fleet.cli(['rollout', 'abort', id])).code).to.equal(0);
    await waitRollout(fleet, id, 'aborted', (r) => r.state === 'aborted');

    const [listed] = await fleet.agents();
    expect(listed).to.include({ checkedOutVersion: '0.2.0', servedVersion: '0.1.0', healthState: 'healthy' });
    const text = await fleet.cli(['agents']);
    expect(text.stdout).to.match(/CHECKED OUT\s+SERVED/);
    expect(text.stdout).to.match(/hoss-a .* healthy\s+0\.2\.0\s+0\.1\.0/);

    await fleet.stopAgent('hoss-a');
    const gone = await waitFor(async () => (await fleet.agents()).find((x) => x.id === 'hoss-a' && !x.connected), {
      what: 'hoss-a to be disconnected',
      timeoutMs: 20_000,
    });
    expect(gone).to.include({ healthState: 'unknown', servedVersion: '' });
    const after = await fleet.cli(['agents']);
    expect(after.stdout).to.match(/hoss-a .* no\s+unknown \(last report (just now|.* ago)\)\s+0\.2\.0\s+\?/);
    const metrics = await (await fetch(fleet.metricsUrl)).text();
    expect(metrics).to.match(/^convoy_agent_up\{agent="hoss-a",cluster=""\} 0$/m);
    expect(metrics).to.not.match(/^convoy_agent_server_healthy\{agent="hoss-a"/m);
    expect(metrics).to.match(/^convoy_agent_info\{agent="hoss-a",cluster="",role="none",version="0\.2\.0",served=""\} 1$/m);
    await status(fleet, id);
  });
});
