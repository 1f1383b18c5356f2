/**
 * What an operator needs to know about a certificate to keep it from expiring unseen: which
 * identity it carries (by the rule of cert-identity.ts), its fingerprint and its validity.
 * One reading for `convoy certs list`, `convoy-agent doctor` and convoyd's expiry metric.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { identityOf, normalizeFingerprint, parseSubjectAltNames } from './cert-identity.js';

/** Warn this many days before a certificate expires (the alert rule uses the same threshold). */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/** What a certificate is for in a Convoy fleet. */
export type CertificateRole = 'ca' | 'coordinator' | 'agent' | 'operator' | 'other';

/** The expiry facts convoyd keeps of a peer (and exports as a metric). */
export interface CertificateExpiry {
  /** The identity it names: agent id, operator name, or the subject CN. */
  subject: string;
  /** SHA-256, AB:CD:… (as denyCertificates takes it). */
  fingerprint: string;
  notAfterMs: number;
}

/** One certificate, read. */
export interface CertificateInfo extends CertificateExpiry {
  role: CertificateRole;
  notBeforeMs: number;
  /** DNS names and IP addresses (a coordinator certificate: what clients may dial). */
  names: string[];
  /** The issuer's CN. */
  issuer: string;
  /** The parsed certificate, for checks (signature, private key). */
  x509: X509Certificate;
}

/** The CN of node's "O=Convoy\nOU=agent\nCN=hoss-a" distinguished-name text. */
function commonName(dn: string): string {
  const line = dn.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : '';
}

/** Reads what a parsed certificate says. */
export function describeCertificate(x509: X509Certificate): CertificateInfo {
  const cn = commonName(x509.subject);
  const sans = x509.subjectAltName ? parseSubjectAltNames(x509.subjectAltName) : [];
  const identity = identityOf({ subject: { CN: cn }, subjectaltname: x509.subjectAltName ?? '' });
  let role: CertificateRole = 'other';
  let subject = cn;
  if (x509.ca) role = 'ca';
  else if (sans.some((s) => s.type === 'URI' && s.value === 'convoy:coordinator')) role = 'coordinator';
  else if (identity.ok) {
    role = identity.identity.kind;
    subject = identity.identity.name;
  }
  return {
    role,
    subject,
    fingerprint: normalizeFingerprint(x509.fingerprint256) ?? x509.fingerprint256,
    notBeforeMs: Date.parse(x509.validFrom),
    notAfterMs: Date.parse(x509.validTo),
    names: sans.filter((s) => s.type === 'DNS' || s.type === 'IP Address').map((s) => s.value),
    issuer: commonName(x509.issuer),
    x509,
  };
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM file (a CA bundle holds several); throws when it holds none. */
export function readCertificateFile(file: string): CertificateInfo[] {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error(`${file} holds no PEM certificate`);
  return blocks.map((pem) => describeCertificate(new X509Certificate(pem)));
}

/** The part of node's PeerCertificate (a TLS peer's) read here. */
export interface PeerCertificateFields {
  subject?: { CN?: string | string[] } | null;
  subjectaltname?: string;
  fingerprint256?: string;
  valid_to?: string;
}

/** The expiry of a verified TLS peer's certificate, undefined when there is none. */
export function peerCertificateExpiry(cert: PeerCertificateFields | null | undefined): CertificateExpiry | undefined {
  if (!cert?.valid_to || !cert.fingerprint256) return undefined;
  const notAfterMs = Date.parse(cert.valid_to);
  if (!Number.isFinite(notAfterMs)) return undefined;
  const identity = identityOf(cert);
  const cn = cert.subject?.CN;
  const subject = identity.ok ? identity.identity.name : Array.isArray(cn) ? cn.join('+') : (cn ?? '');
  return { subject, fingerprint: normalizeFingerprint(cert.fingerprint256) ?? cert.fingerprint256, notAfterMs };
}

/** ok, expiring (within EXPIRY_WARNING_DAYS), expired, or not yet valid; with the whole days left. */
export function expiryState(
  cert: Pick<CertificateInfo, 'notAfterMs'> & Partial<Pick<CertificateInfo, 'notBeforeMs'>>,
  nowMs: number,
): { state: 'ok' | 'expiring' | 'expired' | 'not-yet-valid'; daysLeft: number } {
  const daysLeft = Math.floor((cert.notAfterMs - nowMs) / DAY_MS);
  if (cert.notAfterMs <= nowMs) return { state: 'expired', daysLeft };
  if (cert.notBeforeMs !== undefined && cert.notBeforeMs > nowMs) return { state: 'not-yet-valid', daysLeft };
  return { state: daysLeft < EXPIRY_WARNING_DAYS ? 'expiring' : 'ok', daysLeft };
}
