/** coordinator.yaml `denyCertificates`: fingerprints as operators paste them, the config errors and the access decision. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { coordinatorFileSchema, resolveCoordinatorConfig } from '../../../coordinator/config.js';
import { AccessPolicy, type PeerCall } from '../../../coordinator/rpc/access.js';
import { certificateFingerprint, normalizeFingerprint, shortFingerprint } from '../../../shared/cert-identity.js';
import { parseYamlConfig } from '../../../shared/config-file.js';
import { ConfigError } from '../../../shared/errors.js';

const HEX = '3fa29c045b11e07d00112233445566778899aabbccddeeff0123456789abcdef';
const CANONICAL = '3F:A2:9C:04:5B:11:E0:7D:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:23:45:67:89:AB:CD:EF';
const OTHER = 'AA:'.repeat(31) + 'AA';

describe('certificate fingerprints (shared/cert-identity.ts)', () => {
  it('accepts the openssl form, plain hex and the whole openssl line, in any case, as one canonical form', () => {
    for (const text of [
      CANONICAL,
      CANONICAL.toLowerCase(),
      HEX,
      HEX.toUpperCase(),
      `  ${CANONICAL}\n`,
      `sha256 Fingerprint=${CANONICAL}`,
      `SHA256 Fingerprint=${HEX}`,
    ]) {
      expect(normalizeFingerprint(text), text).to.equal(CANONICAL);
    }
  });

  it('rejects what is not a SHA-256 fingerprint', () => {
    for (const text of [
      '',
      'hoss-b',
      HEX.slice(2), // 31 bytes
      `${HEX}00`, // 33 bytes
      CANONICAL.slice(0, -3), // SHA-256 minus a byte
      'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01', // SHA-1
      HEX.replace('3f', 'zz'),
      CANONICAL.replace('3F:A2', '3FA2'), // half colons
      CANONICAL.replaceAll(':', '-'),
    ]) {
      expect(normalizeFingerprint(text), text).to.equal(undefined);
    }
  });

  it("reads a peer certificate's fingerprint256 and shortens it for log lines", () => {
    expect(certificateFingerprint({ fingerprint256: CANONICAL })).to.equal(CANONICAL);
    expect(certificateFingerprint({})).to.equal(undefined);
    expect(certificateFingerprint(null)).to.equal(undefined);
    expect(shortFingerprint(CANONICAL)).to.equal('3F:A2:9C:04:5B:11:E0:7D:…');
  });
});

describe('coordinator.yaml denyCertificates (coordinator/config.ts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-deny-certs-'));
  const file = path.join(dir, 'coordinator.yaml');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const BASE = 'listen: 127.0.0.1:7400\nstateFile: state.db\ninsecure: true\n';
  const load = (text: string) =>
    resolveCoordinatorConfig(file, parseYamlConfig(file, `${BASE}${text}`, coordinatorFileSchema, `Edit ${file} and restart convoyd.`));
  const problems = (text: string): string[] => {
    try {
      load(text);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('defaults to none and resolves every entry to the canonical form', () => {
    expect(load('').denyCertificates).to.deep.equal([]);
    expect(
      load(`denyCertificates:\n  - "${CANONICAL.toLowerCase()}"\n  - ${HEX.toUpperCase().replace('3F', 'AB')}\n`).denyCertificates,
    ).to.deep.equal([CANONICAL, CANONICAL.replace('3F', 'AB')]);
  });

  it('names the file, the key, the value and the fix for an entry that is not a fingerprint', () => {
    expect(problems('denyCertificates: [hoss-b, "AB:CD"]\n')).to.deep.equal([
      'coordinator.yaml: denyCertificates[0] "hoss-b" is not a SHA-256 certificate fingerprint (expected 64 hex digits, plain or as AB:CD:…; print it with openssl x509 -noout -fingerprint -sha256 -in <cert>)',
      'coordinator.yaml: denyCertificates[1] "AB:CD" is not a SHA-256 certificate fingerprint (expected 64 hex digits, plain or as AB:CD:…; print it with openssl x509 -noout -fingerprint -sha256 -in <cert>)',
    ]);
  });

  it('refuses the same certificate listed twice, whatever the spelling', () => {
    expect(problems(`denyCertificates: ["${CANONICAL}", "${HEX}"]\n`)).to.deep.equal([
      `coordinator.yaml: denyCertificates[1] "${CANONICAL}" is listed twice`,
    ]);
  });
});

describe('access policy: denyCertificates (coordinator/rpc/access.ts)', () => {
  const FILE = '/etc/convoy/coordinator.yaml';
  const callFrom = (uri: string, fingerprint256: string): PeerCall => ({
    getPeer: () => '127.0.0.1:5555',
    getAuthContext: () => ({
      sslPeerCertificate: { subject: { CN: uri.split(':').pop() }, subjectaltname: `URI:${uri}`, fingerprint256 },
    }),
  });
  const policy = (denyCertificates: string[]): AccessPolicy =>
    new AccessPolicy({ mtls: true, operators: [{ name: 'alice', role: 'operator' }], denyAgents: [], denyCertificates, file: FILE });

  it('refuses a denied agent certificate on the agent stream, and admits another certificate of the same agent', () => {
    const p = policy([CANONICAL]);
    expect(p.admitAgent(callFrom('convoy:agent:hoss-b', CANONICAL))).to.deep.equal({
      ok: false,
      status: grpc.status.PERMISSION_DENIED,
      reason: `certificate 3F:A2:9C:04:5B:11:E0:7D:… of agent "hoss-b" is revoked (denyCertificates in ${FILE})`,
    });
    expect(p.admitAgent(callFrom('convoy:agent:hoss-b', OTHER))).to.deep.equal({ ok: true, name: 'hoss-b' });
    expect(p.isRevoked('hoss-b'), 'the agent id itself stays allowed').to.equal(false);
  });

  it('refuses a denied operator certificate on the CLI service, whatever its role', () => {
    const p = policy([CANONICAL]);
    expect(p.admitControl(callFrom('convoy:operator:alice', CANONICAL), 'listAgents')).to.deep.equal({
      ok: false,
      status: grpc.status.PERMISSION_DENIED,
      reason: `certificate 3F:A2:9C:04:5B:11:E0:7D:… of operator "alice" is revoked (denyCertificates in ${FILE})`,
    });
    expect(p.admitControl(callFrom('convoy:operator:alice', OTHER), 'listAgents')).to.deep.equal({
      ok: true,
      name: 'alice',
      role: 'operator',
    });
  });

  it('judges a bare certificate for the listener, and applies a new list on update', () => {
    const p = policy([]);
    const cert = { subject: { CN: 'hoss-b' }, subjectaltname: 'URI:convoy:agent:hoss-b', fingerprint256: CANONICAL };
    expect(p.certificateProblem(cert)).to.equal(undefined);
    expect(p.newlyDeniedCertificates({ denyCertificates: [CANONICAL] })).to.deep.equal([CANONICAL]);
    p.update({ operators: [], denyAgents: [], denyCertificates: [CANONICAL] });
    expect(p.newlyDeniedCertificates({ denyCertificates: [CANONICAL] })).to.deep.equal([]);
    expect(p.certificateProblem(cert)).to.equal(
      `certificate 3F:A2:9C:04:5B:11:E0:7D:… of agent "hoss-b" is revoked (denyCertificates in ${FILE})`,
    );
    expect(p.certificateProblem({ fingerprint256: CANONICAL })).to.equal(
      `certificate 3F:A2:9C:04:5B:11:E0:7D:… of an unidentified client is revoked (denyCertificates in ${FILE})`,
    );
    p.update({ operators: [], denyAgents: [] });
    expect(p.certificateProblem(cert)).to.equal(undefined);
  });
});
