/**
 * The demo runs with mutual TLS, like a real fleet: a CA in the sandbox, a certificate for
 * convoyd (127.0.0.1 and localhost), one per agent, and one for the operator the demo acts as.
 */
import fs from 'node:fs';
import path from 'node:path';
import { caFiles, createCa, issueCertificate, type CertFiles } from '../../../shared/certs.js';
import type { ConnectionOptions } from '../client.js';
import { DEMO_HOSTS, type DemoLayout } from './sandbox.js';

/** The operator the demo acts as; listed with the operator role in its coordinator.yaml. */
export const DEMO_OPERATOR = 'demo-operator';

/** Every file the demo's configs and its CLI client name. */
export interface DemoCertificates {
  dir: string;
  ca: string;
  coordinator: CertFiles;
  agents: Record<string, CertFiles>;
  operator: CertFiles;
}

export function demoCertsDir(layout: DemoLayout): string {
  return path.join(layout.dir, 'tls');
}

/** Creates the CA and the certificates (openssl; a few hundred milliseconds). */
export async function createDemoCertificates(layout: DemoLayout): Promise<DemoCertificates> {
  const dir = demoCertsDir(layout);
  await createCa({ dir, name: 'Convoy demo CA', days: 2 });
  const issue = (kind: 'agent' | 'operator' | 'coordinator', names: string[]): Promise<CertFiles> =>
    issueCertificate({ caDir: dir, kind, names, days: 2 });
  const coordinator = await issue('coordinator', ['localhost', '127.0.0.1']);
  const agents: Record<string, CertFiles> = {};
  for (const id of DEMO_HOSTS) agents[id] = await issue('agent', [id]);
  const operator = await issue('operator', [DEMO_OPERATOR]);
  return { dir, ca: caFiles(dir).cert, coordinator, agents, operator };
}

/** The demo's own CLI connection: the operator certificate. */
export function demoConnection(address: string, certs: DemoCertificates, actor: string): ConnectionOptions {
  return {
    address,
    actor,
    tls: { ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.operator.cert), key: fs.readFileSync(certs.operator.key) },
  };
}
