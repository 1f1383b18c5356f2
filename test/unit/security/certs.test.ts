/** `convoy certs` with the real openssl (no ports): what the certificates say and how the files are kept. */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { identityOf } from '../../../shared/cert-identity.js';
import { caFiles, certificateFileFingerprint, createCa, issueCertificate } from '../../../shared/certs.js';
import { ConvoyError } from '../../../shared/errors.js';

function rejection(p: Promise<unknown>): Promise<ConvoyError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as ConvoyError,
  );
}

const modeOf = (f: string): string => (fs.statSync(f).mode & 0o777).toString(8);

describe('certificates (shared/certs.ts, openssl)', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-certs-'));
    await createCa({ dir, name: 'Unit CA', days: 2 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a CA with a private key (0600) and a public certificate (0644)', () => {
    const ca = caFiles(dir);
    expect(modeOf(ca.key)).to.equal('600');
    expect(modeOf(ca.cert)).to.equal('644');
    const x = new X509Certificate(fs.readFileSync(ca.cert));
    expect(x.ca).to.equal(true);
    expect(x.subject).to.contain('CN=Unit CA');
  });

  it("gives a certificate's SHA-256 fingerprint as openssl prints it (what denyCertificates takes)", async () => {
    const files = await issueCertificate({ caDir: dir, outDir: path.join(dir, 'fp'), kind: 'agent', names: ['hoss-fp'] });
    const openssl = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', files.cert], { encoding: 'utf8' });
    const fingerprint = certificateFileFingerprint(files.cert);
    expect(openssl.trim().split('=')[1]).to.equal(fingerprint);
    expect(fingerprint).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('issues an agent certificate whose identity convoyd reads back, for client use only', async () => {
    const files = await issueCertificate({ caDir: dir, kind: 'agent', names: ['hoss-a'] });
    expect(path.basename(files.cert)).to.equal('agent-hoss-a.crt');
    expect(modeOf(files.key)).to.equal('600');
    const x = new X509Certificate(fs.readFileSync(files.cert));
    expect(x.verify(new X509Certificate(fs.readFileSync(caFiles(dir).cert)).publicKey)).to.equal(true);
    expect(x.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.2']); // clientAuth
    expect(identityOf({ subject: { CN: 'hoss-a' }, subjectaltname: x.subjectAltName })).to.deep.equal({
      ok: true,
      identity: { kind: 'agent', name: 'hoss-a' },
    });
  });

  it('issues convoyd a server certificate for its DNS names and IP addresses', async () => {
    const files = await issueCertificate({ caDir: dir, kind: 'coordinator', names: ['convoy.example.com', '10.0.0.5', '::1'] });
    const x = new X509Certificate(fs.readFileSync(files.cert));
    expect(x.subjectAltName).to.equal('DNS:convoy.example.com, IP Address:10.0.0.5, IP Address:0:0:0:0:0:0:0:1, URI:convoy:coordinator');
    expect(x.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(x.checkIP('10.0.0.5')).to.equal('10.0.0.5');
  });

  it('makes an expired certificate when asked for negative days (tests only)', async () => {
    const files = await issueCertificate({ caDir: dir, outDir: path.join(dir, 'old'), kind: 'operator', names: ['alice'], days: -1 });
    expect(Date.parse(new X509Certificate(fs.readFileSync(files.cert)).validTo)).to.be.below(Date.now());
  });

  const badNames: [string, 'agent' | 'operator' | 'coordinator', string[], string][] = [
    [
      'an agent id with shell characters',
      'agent',
      ['x;rm -rf /'],
      '"x;rm -rf /" is not an agent id: lower-case letters, digits, . _ -, starting with a letter or digit, at most 63',
    ],
    [
      'an operator name with a slash (would end the openssl subject)',
      'operator',
      ['a/CN=admin'],
      '"a/CN=admin" is not an operator name: letters, digits, @ . _ -, starting with a letter or digit, at most 63',
    ],
    [
      'two agent ids',
      'agent',
      ['a', 'b'],
      '"a b" is not an agent id: lower-case letters, digits, . _ -, starting with a letter or digit, at most 63',
    ],
    [
      'a coordinator name that is neither DNS nor IP',
      'coordinator',
      ['convoy,URI:x'],
      '"convoy,URI:x" is neither a DNS name nor an IP address',
    ],
    ['a coordinator without names', 'coordinator', [], 'name the DNS names and IP addresses agents and operators dial'],
  ];
  for (const [what, kind, names, message] of badNames) {
    it(`refuses ${what} before running openssl`, async () => {
      const err = await rejection(issueCertificate({ caDir: dir, kind, names, openssl: '/nonexistent/openssl' }));
      expect(err.message).to.equal(message);
    });
  }

  it('refuses to replace an existing CA or certificate without --force', async () => {
    const err = await rejection(createCa({ dir }));
    expect(err.code).to.equal('ALREADY_EXISTS');
    expect(err.message).to.equal(`${caFiles(dir).cert} already exists`);
    expect(err.hint).to.equal('Keep the existing CA (every certificate of the fleet was signed by it), or pass --force to replace it.');
  });

  it('says how to install openssl when it is missing', async () => {
    const err = await rejection(createCa({ dir: path.join(dir, 'fresh'), openssl: '/nonexistent/openssl' }));
    expect(err.message).to.equal('convoy certs needs the openssl command, and "/nonexistent/openssl" was not found on the PATH');
    expect(err.hint).to.match(/^Install it \(Debian\/Ubuntu: sudo apt-get install openssl;/);
  });

  it('tells to create the CA first when there is none', async () => {
    const err = await rejection(issueCertificate({ caDir: path.join(dir, 'nowhere'), kind: 'agent', names: ['hoss-a'] }));
    expect(err.hint).to.equal(`Create the CA first: convoy certs init --dir ${path.join(dir, 'nowhere')}`);
  });
});
