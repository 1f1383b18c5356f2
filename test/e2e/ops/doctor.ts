/**
 * `convoy-agent doctor` on two sample hosts of a running fleet: one ready for an update (every
 * item ok, exit 0) and one broken in the ways an update meets (dirty tree, a remote that
 * cannot be fetched, a program and a make target missing, a service that is not healthy, the
 * backup directory unusable, an expired certificate): each named with its fix, exit 1.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { caFiles, createCa, issueCertificate } from '../../../shared/certs.js';
import { createFleet, programPath, repoRoot, startProcess, type Sandbox } from '../../helpers/index.js';

interface Finding {
  item: string;
  verdict: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

async function doctor(configFile: string, json: boolean): Promise<{ code: number | null; stdout: string }> {
  const proc = startProcess(
    'convoy-agent doctor',
    process.execPath,
    [programPath('convoy-agent'), 'doctor', '--config', configFile, ...(json ? ['--json'] : [])],
    {
      cwd: repoRoot(),
      env: { NO_COLOR: '1' },
    },
  );
  const { code } = await proc.waitForExit(60_000);
  return { code, stdout: proc.stdout() };
}

export function doctorChecks(sandbox: Sandbox): void {
  it('convoy-agent doctor passes a host ready for an update (exit 0) and names every problem of a broken one with its fix (exit 1)', async () => {
    // certificates of a CA of the operator's own, with the usual lifetimes (the test CA's expire in 30 days)
    const caDir = path.join(sandbox.dir, 'fleet-ca');
    await createCa({ dir: caDir, name: 'Doctor CA', days: 3650 });
    const good = await issueCertificate({ caDir, kind: 'agent', names: ['hoss-a'], days: 825 });
    const expired = await issueCertificate({ caDir, kind: 'agent', names: ['hoss-b'], days: -1 });
    const tls = (files: { cert: string; key: string }) => ({ coordinator: { tls: { ca: caFiles(caDir).cert, ...files } } });
    const fleet = await createFleet({
      dir: sandbox.dir,
      cluster: false,
      servers: [
        { name: 'hoss-a', role: 'member', startAgent: false, agent: tls(good) },
        {
          name: 'hoss-b',
          role: 'member',
          startAgent: false,
          agent: { ...tls(expired), steps: { config: { command: 'hossadm-missing config' }, build: { command: 'make compile' } } },
        },
      ],
    });
    const a = fleet.host('hoss-a');
    fs.mkdirSync(a.server.backupsDir, { recursive: true });
    const healthy = await doctor(a.agentConfigFile, false);
    expect(healthy.code, healthy.stdout).to.equal(0);
    const lines = healthy.stdout.trim().split('\n');
    expect(lines[0]).to.equal(`convoy-agent doctor: ${a.agentConfigFile} (agent hoss-a)`);
    expect(
      lines.slice(1, -1).filter((l) => !l.startsWith('ok  ')),
      healthy.stdout,
    ).to.deep.equal([]);
    expect(lines.at(-1)).to.match(/^0 failed, 0 warnings, \d+ ok: this host is ready for an update \(exit 0\)$/);
    for (const item of [
      'repository',
      'fetch',
      'tags',
      'command: backup',
      'make target: build',
      'health endpoint',
      'backup directory',
      'state directory',
      'agent certificate',
      'CA certificate',
      'coordinator',
    ])
      expect(
        lines.some((l) => l.startsWith(`ok    ${item} `)),
        item,
      ).to.equal(true);
    expect(healthy.stdout).to.match(/health endpoint +http:\/\/127\.0\.0\.1:\d+\/healthz answers with version 0\.1\.0/);

    const b = fleet.host('hoss-b');
    fs.appendFileSync(path.join(b.server.root, 'CHANGELOG.md'), '\n- a local edit\n');
    execFileSync('git', ['-C', b.server.root, 'remote', 'set-url', 'origin', path.join(sandbox.dir, 'gone.git')]);
    b.server.setKnob('never-healthy');
    fs.rmSync(b.server.backupsDir, { recursive: true, force: true });
    fs.writeFileSync(b.server.backupsDir, 'not a directory\n');
    const broken = await doctor(b.agentConfigFile, true);
    expect(broken.code, broken.stdout).to.equal(1);
    const report = JSON.parse(broken.stdout) as { agentId: string; exitCode: number; findings: Finding[] };
    expect([report.agentId, report.exitCode]).to.deep.equal(['hoss-b', 1]);
    const failed = Object.fromEntries(report.findings.filter((f) => f.verdict === 'fail').map((f) => [f.item, f]));
    expect(Object.keys(failed).sort()).to.deep.equal(
      ['agent certificate', 'backup directory', 'command: config', 'fetch', 'health endpoint', 'make target: build', 'repository'].sort(),
    );
    expect(failed.repository?.detail).to.contain('M CHANGELOG.md');
    expect(failed.fetch?.detail).to.match(/^git fetch failed: /);
    expect(failed['command: config']?.detail).to.equal('hossadm-missing not found on the PATH of this user');
    expect(failed['command: config']?.fix).to.contain(`set steps.config.command in ${b.agentConfigFile}`);
    expect(failed['make target: build']?.detail).to.contain("No rule to make target 'compile'");
    expect(failed['health endpoint']?.detail).to.match(/healthz: status 503$/);
    expect(failed['backup directory']?.detail).to.contain('is not a directory');
    expect(failed['agent certificate']?.detail).to.match(/agent-hoss-b\.crt expired on \d{4}-\d\d-\d\d$/);
    expect(failed['agent certificate']?.fix).to.contain('convoy certs issue agent hoss-b --force');
    for (const f of Object.values(failed)) expect(f.fix, f.item).to.be.a('string').and.not.equal('');
    // what still works is said to work
    expect(report.findings.find((f) => f.item === 'tags')?.verdict).to.equal('ok');
    expect(report.findings.find((f) => f.item === 'make target: up')?.verdict).to.equal('ok');
  });
}
