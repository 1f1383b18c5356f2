/**
 * The agent's mutual TLS files: its certificate valid now and for a while, naming this
 * agent's id, matching its key, issued by the CA it trusts; that CA valid too.
 */
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { expiryState, readCertificateFile, type CertificateInfo } from '../../shared/cert-info.js';
import { messageOf } from '../../shared/errors.js';
import type { AgentConfig } from '../types.js';
import { fail, ok, warn, type Finding } from './verdict.js';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Valid now, and how long still; `renew` is the command that issues a new one. */
function validity(item: string, c: CertificateInfo, file: string, renew: string, now: number): Finding | undefined {
  const { state, daysLeft } = expiryState(c, now);
  if (state === 'expired') return fail(item, `${file} expired on ${day(c.notAfterMs)}`, `${renew}, install it, then restart convoy-agent`);
  if (state === 'not-yet-valid')
    return fail(item, `${file} is valid only from ${day(c.notBeforeMs)}`, "check this host's clock, or issue it again");
  if (state === 'expiring')
    return warn(
      item,
      `${file} expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${day(c.notAfterMs)})`,
      `${renew} and install it before then (docs/security.md, "Rotate certificates without downtime")`,
    );
  return undefined;
}

export function checkCertificates(config: AgentConfig, now = Date.now()): Finding[] {
  const tls = config.coordinator.tls;
  if (config.coordinator.insecure || !tls)
    return [
      warn(
        'certificates',
        'plaintext gRPC to the coordinator (coordinator.insecure: true)',
        'use it only for a local test; configure coordinator.tls for a real fleet (docs/security.md)',
      ),
    ];
  let cert: CertificateInfo;
  let cas: CertificateInfo[];
  try {
    cert = readCertificateFile(tls.cert)[0]!;
    cas = readCertificateFile(tls.ca);
  } catch (err) {
    return [fail('certificates', `cannot read the TLS files: ${messageOf(err)}`, 'check coordinator.tls in agent.yaml')];
  }
  const renew = `convoy certs issue agent ${config.id} --force`;
  const agent =
    validity('agent certificate', cert, tls.cert, renew, now) ??
    identityProblem(config, cert, tls) ??
    ok('agent certificate', `${tls.cert}: agent ${cert.subject}, expires ${day(cert.notAfterMs)}, SHA-256 ${cert.fingerprint}`);
  const ca = cas[0]!;
  const trusted =
    validity('CA certificate', ca, tls.ca, 'make a new CA (docs/security.md, "Rotate certificates without downtime")', now) ??
    (cas.some((c) => cert.x509.checkIssued(c.x509) && cert.x509.verify(c.x509.publicKey))
      ? ok('CA certificate', `${tls.ca} (${ca.subject}) issued the agent certificate; expires ${day(ca.notAfterMs)}`)
      : fail(
          'CA certificate',
          `${tls.cert} was not issued by the CA in ${tls.ca} (issuer: ${cert.issuer})`,
          'install the certificate issued by the fleet CA, or the CA that issued it',
        ));
  return [agent, trusted];
}

/** The certificate must speak for this agent, with the key next to it. */
function identityProblem(
  config: AgentConfig,
  cert: CertificateInfo,
  tls: NonNullable<AgentConfig['coordinator']['tls']>,
): Finding | undefined {
  if (cert.role !== 'agent' || cert.subject !== config.id)
    return fail(
      'agent certificate',
      `${tls.cert} is a ${cert.role} certificate for "${cert.subject}", not for agent ${config.id}`,
      `issue one for this agent: convoy certs issue agent ${config.id}`,
    );
  try {
    if (!cert.x509.checkPrivateKey(createPrivateKey(fs.readFileSync(tls.key))))
      return fail('agent certificate', `${tls.key} is not the key of ${tls.cert}`, 'install the key issued with this certificate');
  } catch (err) {
    return fail('agent certificate', `cannot read the key ${tls.key}: ${messageOf(err)}`, 'check coordinator.tls.key');
  }
  return undefined;
}
