/**
 * The certificates whose expiry convoyd exports (convoy_certificate_expiry_timestamp_seconds):
 * its own and its CA's, read from the files coordinator.yaml names at each scrape (a SIGHUP
 * rotation shows at once), and the client certificates of agents and operators as they last
 * connected.
 */
import { readCertificateFile, type CertificateExpiry } from '../shared/cert-info.js';
import type { CoordinatorConfig } from './config.js';
import type { AgentRecord } from './fleet/registry.js';
import type { CertificateSample } from './metrics.js';

/** convoyd's certificate and its CA (a bundle during a CA rotation gives one sample per certificate). */
export function ownCertificates(tls: CoordinatorConfig['tls']): CertificateSample[] {
  if (!tls) return [];
  const read = (file: string, role: 'coordinator' | 'ca'): CertificateSample[] => {
    try {
      return readCertificateFile(file).map((c) => ({ role, subject: c.subject, fingerprint: c.fingerprint, notAfterMs: c.notAfterMs }));
    } catch {
      // a file being replaced right now (rotation): the next scrape reads it
      return [];
    }
  };
  return [...read(tls.cert, 'coordinator'), ...read(tls.ca, 'ca')];
}

/** Every certificate convoyd knows, from its files, its agents' last connections and the operators it saw. */
export function knownCertificates(
  tls: CoordinatorConfig['tls'],
  agents: readonly AgentRecord[],
  operators: readonly CertificateExpiry[],
): CertificateSample[] {
  return [
    ...ownCertificates(tls),
    ...agents.flatMap((a): CertificateSample[] => (a.certificate ? [{ role: 'agent', ...a.certificate }] : [])),
    ...operators.map((o): CertificateSample => ({ role: 'operator', ...o })),
  ];
}
