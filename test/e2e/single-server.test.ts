/**
 * Issue 2: one server updated end to end with the real convoyd, convoy-agent, CLI, git, make
 * and a real HTTP service, exactly as the seed procedure describes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, freePort, runCli, useSandbox, type Fleet } from '../helpers/index.js';
import { commandOf, host, latestRolloutId, listRollouts, start, status, waitRollout, TERMINAL } from './support.js';

const PLAN = ['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after'];

async function singleFleet(dir: string, agent?: Record<string, unknown>): Promise<Fleet> {
  return createFleet({ dir, servers: [{ name: 'hoss-a', role: 'member', agent }], cluster: false });
}

async function putObject(port: number, key: string, body: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/objects/${key}`, { method: 'PUT', body });
  expect(res.status, `PUT /objects/${key}`).to.be.within(200, 299);
}

async function getObject(port: number, key: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/objects/${key}`);
  expect(res.status, `GET /objects/${key}`).to.equal(200);
  return res.text();
}

describe('e2e: updating one server', function () {
  this.timeout(90_000);
  const sandbox = useSandbox();

  it('updates 0.1.0 -> 0.2.0: new version served, tree at the tag, two backups, data intact, every step recorded', async () => {
    const fleet = await singleFleet(sandbox.dir);
    const server = fleet.host('hoss-a').server;
    await putObject(server.port, 'invoice-17', 'paid in full');

    const res = await fleet.cli(['rollout', 'start', '--host', 'hoss-a', '--to', '0.2.0', '--watch'], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).to.equal(0);

    expect(await server.servedVersion()).to.equal('0.2.0');
    expect(server.headTag()).to.equal('0.2.0');
    expect(server.isClean()).to.equal(true);
    expect(await getObject(server.port, 'invoice-17')).to.equal('paid in full');

    const r = await status(fleet, await latestRolloutId(fleet));
    expect(r.state).to.equal('succeeded');
    const h = host(r, 'hoss-a');
    expect(h.state).to.equal('updated');
    expect(h.steps.map((s) => s.step)).to.deep.equal(PLAN);
    for (const s of h.steps) {
      expect(s.outcome, s.step).to.equal('succeeded');
      expect(s.exitCode, s.step).to.equal(0);
      expect(s.finishedAtMs, s.step).to.be.at.least(s.startedAtMs);
      expect(s.durationMs, s.step).to.equal(s.finishedAtMs - s.startedAtMs);
    }

    const backups = await fleet.cli(['backups', 'hoss-a', '--json']);
    expect(backups.code, backups.stderr).to.equal(0);
    const catalogue = (
      backups.json as { backups: { backup: { version: string; path: string; sizeBytes: number; sha256: string; step: string } }[] }
    ).backups.map((b) => b.backup);
    expect(catalogue.map((b) => [b.step, b.version]).sort()).to.deep.equal([
      ['backup', '0.1.0'],
      ['backup-after', '0.2.0'],
    ]);
    for (const b of catalogue) {
      expect(fs.statSync(b.path).size).to.equal(b.sizeBytes);
      expect(b.sha256).to.match(/^[0-9a-f]{64}$/);
    }
    const stopStart = server
      .readEvents()
      .filter((e) => e.kind === 'stop' || e.kind === 'start')
      .map((e) => `${e.kind} ${e.version}`);
    expect(stopStart.slice(-2)).to.deep.equal(['stop 0.1.0', 'start 0.2.0']);
  });

  it('stops at a failing make build: failed, naming host, step, exit code and output; later steps never ran', async () => {
    const fleet = await singleFleet(sandbox.dir);
    const server = fleet.host('hoss-a').server;
    server.setKnob('fail-build');

    const res = await fleet.cli(['rollout', 'start', '--host', 'hoss-a', '--to', '0.2.0', '--watch'], { timeoutMs: 60_000 });
    expect(res.code).to.equal(1);

    const id = await latestRolloutId(fleet);
    const r = await status(fleet, id);
    expect(r.state).to.equal('failed');
    expect([r.failedHost, r.failedStep]).to.deep.equal(['hoss-a', 'build']);
    const build = host(r, 'hoss-a').steps.find((s) => s.step === 'build')!;
    expect(build.outcome).to.equal('failed');
    expect(build.exitCode).to.not.equal(0);
    expect(build.outputTail.join('\n')).to.match(/error/i);
    expect(host(r, 'hoss-a').steps.map((s) => s.step)).to.deep.equal(['backup', 'release-notes', 'checkout', 'config', 'build']);

    const text = await fleet.cli(['rollout', 'status', id]);
    expect(text.stdout).to.contain('hoss-a');
    expect(text.stdout).to.contain('build');
    expect(await server.servedVersion()).to.equal('0.1.0');
  });

  it('kills a hanging step with its whole process group at its timeout and says it timed out', async () => {
    const fleet = await singleFleet(sandbox.dir, { steps: { build: { command: 'make build', timeout: '1500ms' } } });
    const server = fleet.host('hoss-a').server;
    server.setKnob('hang-build');

    const res = await fleet.cli(['rollout', 'start', '--host', 'hoss-a', '--to', '0.2.0', '--watch'], { timeoutMs: 60_000 });
    expect(res.code).to.equal(1);
    const id = await latestRolloutId(fleet);
    const r = await status(fleet, id);
    const build = host(r, 'hoss-a').steps.find((s) => s.step === 'build')!;
    expect(build.outcome).to.equal('timed-out');
    expect(build.reason).to.match(/timed out/);
    expect(r.reason).to.match(/timed out/);
    // only the sample service itself may remain in the server directory: no make, no sleep
    const left = server.processes().map(commandOf);
    expect(
      left.filter((c) => /sleep|make/.test(c)),
      left.join('\n'),
    ).to.deep.equal([]);
  });

  it('refuses a dirty work tree before any command runs', async () => {
    const fleet = await singleFleet(sandbox.dir);
    const server = fleet.host('hoss-a').server;
    fs.appendFileSync(path.join(server.serverDir, 'Makefile'), '\n# local edit\n');
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '0.2.0']);
    const r = await waitRollout(fleet, id, 'to finish', (x) => TERMINAL.includes(x.state));
    expect(r.state).to.equal('failed');
    expect(r.reason).to.match(/work tree is not clean.*Makefile/);
    expect(host(r, 'hoss-a').steps).to.deep.equal([]);
    expect(server.readEvents().filter((e) => e.kind === 'backup-start')).to.deep.equal([]);
  });

  it('refuses a version that does not exist before any command runs', async () => {
    const fleet = await singleFleet(sandbox.dir);
    const server = fleet.host('hoss-a').server;
    const id = await start(fleet, ['--host', 'hoss-a', '--to', '9.9.9']);
    const r = await waitRollout(fleet, id, 'to finish', (x) => TERMINAL.includes(x.state));
    expect(r.state).to.equal('failed');
    expect(r.reason).to.match(/9\.9\.9 does not exist/);
    expect(host(r, 'hoss-a').steps).to.deep.equal([]);
    expect(server.readEvents().filter((e) => e.kind === 'backup-start')).to.deep.equal([]);
  });

  for (const bad of ['1.2.0; rm -rf /', '--upload-pack=x', '$(touch pwned)']) {
    it(`refuses the malicious version ${JSON.stringify(bad)} with exit code 2 and runs nothing`, async () => {
      const fleet = await singleFleet(sandbox.dir);
      const server = fleet.host('hoss-a').server;
      const res = await fleet.cli(['rollout', 'start', '--host', 'hoss-a', `--to=${bad}`]);
      expect(res.code).to.equal(2);
      expect(res.stderr).to.match(/is not a version/);
      expect(await listRollouts(fleet)).to.deep.equal([]);
      expect(server.readEvents().filter((e) => e.kind === 'backup-start')).to.deep.equal([]);
      expect(fs.existsSync(path.join(server.serverDir, 'pwned'))).to.equal(false);
    });
  }

  it('prints one line and exits 3 when the coordinator is down', async () => {
    const port = await freePort();
    const res = await runCli(['agents'], { coordinator: `127.0.0.1:${port}` });
    expect(res.code).to.equal(3);
    expect(res.stderr.trim().split('\n')).to.have.length(1);
    expect(res.stderr).to.contain(`127.0.0.1:${port}`);
    expect(res.stdout).to.equal('');
  });
});
