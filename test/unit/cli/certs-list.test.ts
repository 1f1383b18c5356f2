/** `convoy certs list` on a directory made with the real openssl, as `convoy certs init|issue` make it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { listCertificates } from '../../../coordinator/cli/commands/certs-list.js';
import { runCli } from '../../../coordinator/cli/program.js';
import { createCa, issueCertificate } from '../../../shared/certs.js';
import { fakeContext } from './fake-context.js';

describe('convoy certs list', function () {
  this.timeout(30_000);
  let dir: string;
  let other: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-certs-list-'));
    other = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-certs-other-'));
    await createCa({ dir, name: 'List CA', days: 3650 });
    await issueCertificate({ caDir: dir, kind: 'coordinator', names: ['convoy.example.com', '10.0.0.5'], days: 825 });
    await issueCertificate({ caDir: dir, kind: 'agent', names: ['hoss-a'], days: 10 });
    await issueCertificate({ caDir: dir, kind: 'operator', names: ['alice'], days: -1 });
    // a certificate of another CA copied in by mistake
    await createCa({ dir: other, name: 'Other CA', days: 30 });
    const stray = await issueCertificate({ caDir: other, kind: 'agent', names: ['hoss-b'], days: 100 });
    fs.copyFileSync(stray.cert, path.join(dir, 'agent-hoss-b.crt'));
    fs.writeFileSync(path.join(dir, 'notes.pem'), 'not a certificate\n');
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(other, { recursive: true, force: true });
  });

  it("lists each certificate's role, identity, fingerprint and expiry, CA first, with what needs doing", () => {
    const list = listCertificates(dir, Date.now());
    expect(list.map((c) => [c.file, c.role, c.identity, c.status])).to.deep.equal([
      ['ca.crt', 'ca', 'List CA', 'ok'],
      ['coordinator.crt', 'coordinator', 'convoy.example.com', 'ok'],
      ['agent-hoss-a.crt', 'agent', 'hoss-a', 'expiring'],
      ['agent-hoss-b.crt', 'agent', 'hoss-b', 'not issued by this CA'],
      ['operator-alice.crt', 'operator', 'alice', 'expired'],
      ['notes.pem', '?', '?', `unreadable: ${path.join(dir, 'notes.pem')} holds no PEM certificate`],
    ]);
    const agent = list.find((c) => c.identity === 'hoss-a')!;
    expect(agent.fingerprint).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(agent.daysLeft).to.equal(9);
    expect(list.find((c) => c.role === 'coordinator')?.names).to.deep.equal(['convoy.example.com', '10.0.0.5']);
  });

  it('prints a table (short fingerprints) from $CONVOY_CERTS_DIR, and the whole of it with --json', async () => {
    const { ctx, stdout } = fakeContext();
    ctx.env.CONVOY_CERTS_DIR = dir;
    ctx.now = () => Date.now();
    expect(await runCli(['certs', 'list'], ctx)).to.equal(0);
    const lines = stdout().split('\n');
    expect(lines[0]).to.match(/^FILE\s+ROLE\s+IDENTITY\s+SHA-256\s+EXPIRES\s+STATUS$/);
    expect(lines.find((l) => l.startsWith('agent-hoss-a.crt'))).to.match(
      / hoss-a +([0-9A-F]{2}:){8}… +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +expires in 9 days$/,
    );
    expect(lines.find((l) => l.startsWith('operator-alice.crt'))).to.match(/EXPIRED$/);
    expect(lines.find((l) => l.startsWith('coordinator.crt'))).to.contain('convoy.example.com (convoy.example.com, 10.0.0.5)');
    const json = fakeContext();
    expect(await runCli(['certs', 'list', '--dir', dir, '--json'], json.ctx)).to.equal(0);
    expect((JSON.parse(json.stdout()) as { fingerprint: string }[])[0]?.fingerprint).to.have.length(95);
  });

  it('says how to make a directory that does not exist (exit 2)', async () => {
    const { ctx, stderr } = fakeContext();
    expect(await runCli(['certs', 'list', '--dir', path.join(dir, 'nope')], ctx)).to.equal(2);
    expect(stderr().join('\n')).to.contain(
      `is not a directory of certificates; create one with convoy certs init --dir ${path.join(dir, 'nope')}`,
    );
  });
});
