/**
 * Mutual TLS for end-to-end fleets, made the way an operator makes it (shared/certs.ts, the
 * code behind `convoy certs`, with the real openssl). One CA per test process, created on
 * first use and removed when the process exits; the certificates a fleet needs (convoyd for
 * 127.0.0.1, one per agent id, the test operator) are issued once and reused by every fleet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caFiles, createCa, issueCertificate, type CertFiles, type CertKind } from '../../shared/certs.js';
import { keepTmp } from './tmp.js';

/** The operator every test fleet lists with the operator role; the CLI runs as it. */
export const TEST_OPERATOR = 'convoy-test';

/** What a fleet's configs and its CLI runs point at. */
export interface FleetTls {
  /** The CA directory (ca.crt, ca.key): pass it as caDir to issue more certificates. */
  caDir: string;
  ca: string;
  coordinator: CertFiles;
  operator: CertFiles;
  agents: Record<string, CertFiles>;
}

let caDir: Promise<string> | undefined;
const issued = new Map<string, Promise<CertFiles>>();

/** The process's test CA, created on first use. */
export function testCaDir(): Promise<string> {
  caDir ??= (async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-test-ca-')));
    process.on('exit', () => {
      if (!keepTmp()) fs.rmSync(dir, { recursive: true, force: true });
    });
    await createCa({ dir, name: 'Convoy test CA', days: 30 });
    return dir;
  })();
  return caDir;
}

/** A certificate of the test CA, issued once per process (kept in the CA directory). */
export function testCertificate(kind: CertKind, names: string[]): Promise<CertFiles> {
  const key = `${kind}:${names.join(',')}`;
  let files = issued.get(key);
  if (!files) {
    files = testCaDir().then((dir) => issueCertificate({ caDir: dir, kind, names, days: 30 }));
    issued.set(key, files);
  }
  return files;
}

/** Everything a fleet of `agentIds` needs. */
export async function fleetTls(agentIds: string[]): Promise<FleetTls> {
  const dir = await testCaDir();
  const [coordinator, operator, ...agentFiles] = await Promise.all([
    testCertificate('coordinator', ['127.0.0.1', 'localhost']),
    testCertificate('operator', [TEST_OPERATOR]),
    ...agentIds.map((id) => testCertificate('agent', [id])),
  ]);
  const agents = Object.fromEntries(agentIds.map((id, i) => [id, agentFiles[i]!]));
  return { caDir: dir, ca: caFiles(dir).cert, coordinator: coordinator, operator: operator, agents };
}

/** The environment that makes the CLI use a certificate (CONVOY_CA, CONVOY_CERT, CONVOY_KEY). */
export function cliTlsEnv(ca: string, files: CertFiles): Record<string, string> {
  return { CONVOY_CA: ca, CONVOY_CERT: files.cert, CONVOY_KEY: files.key };
}
