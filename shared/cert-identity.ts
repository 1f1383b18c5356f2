/**
 * Who a Convoy certificate speaks for. One rule, shared by `convoy certs` (which writes it)
 * and convoyd (which reads it): the certificate carries a URI subjectAltName
 *
 *   convoy:agent:<id>        an agent; <id> is its agent id
 *   convoy:operator:<name>   a CLI user; <name> is listed under operators: with a role
 *   convoy:coordinator       convoyd's server certificate (never accepted from a client)
 *
 * and its subject CN must equal <id>/<name>. The URI is the role marker: a CN alone never
 * makes an agent or an operator, so a certificate issued for another purpose by the same CA
 * (a web server's, say) is refused instead of being read as an agent called "www".
 */

/** Agent ids: the same rule as agent.yaml `id`. */
export const AGENT_ID_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Operator names: the same rule as coordinator.yaml `operators[].name`. */
export const OPERATOR_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9@._-]{0,62}$/;

export type IdentityKind = 'agent' | 'operator';

/** A verified client identity. */
export interface PeerIdentity {
  kind: IdentityKind;
  name: string;
}

export type IdentityResult = { ok: true; identity: PeerIdentity } | { ok: false; reason: string };

/** The URI subjectAltName `convoy certs` writes for an identity. */
export function identityUri(kind: IdentityKind | 'coordinator', name = ''): string {
  return kind === 'coordinator' ? 'convoy:coordinator' : `convoy:${kind}:${name}`;
}

/** The part of node's PeerCertificate / X509Certificate this module reads. */
export interface CertificateNames {
  subject?: { CN?: string | string[] } | null;
  subjectaltname?: string;
}

/**
 * Splits node's subjectaltname text ("DNS:a, URI:convoy:agent:x, IP Address:1.2.3.4") into
 * entries. Node quotes a value holding ", " or quotes as a JSON string; splitting on ", "
 * alone would let a CA-signed DNS name "x, URI:convoy:agent:hoss-a" smuggle in an identity.
 */
export function parseSubjectAltNames(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      next = j + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      next = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, next);
    }
    out.push({ type, value });
    i = text.startsWith(', ', next) ? next + 2 : next;
  }
  return out;
}

const URI_RE = /^convoy:(agent|operator):(.*)$/;

/** The identity a client certificate speaks for, or why it speaks for none. */
export function identityOf(cert: CertificateNames | undefined | null): IdentityResult {
  if (!cert || (!cert.subject && !cert.subjectaltname)) return { ok: false, reason: 'no client certificate' };
  const cn = cert.subject?.CN;
  const shownCn = Array.isArray(cn) ? cn.join('+') : (cn ?? '');
  let sans: { type: string; value: string }[];
  try {
    sans = parseSubjectAltNames(cert.subjectaltname ?? '');
  } catch {
    return { ok: false, reason: `certificate CN="${shownCn}" has an unreadable subjectAltName` };
  }
  const marks = sans.filter((s) => s.type === 'URI' && s.value.startsWith('convoy:') && s.value !== 'convoy:coordinator');
  if (marks.length === 0) {
    const coordinator = sans.some((s) => s.type === 'URI' && s.value === 'convoy:coordinator');
    return {
      ok: false,
      reason: coordinator
        ? `certificate CN="${shownCn}" is a coordinator certificate, not a client one`
        : `certificate CN="${shownCn}" has no convoy:agent:<id> or convoy:operator:<name> URI (issue one with convoy certs issue)`,
    };
  }
  if (marks.length > 1)
    return { ok: false, reason: `certificate CN="${shownCn}" names ${marks.length} Convoy identities; it must name one` };
  const m = URI_RE.exec(marks[0]!.value);
  if (!m) return { ok: false, reason: `certificate CN="${shownCn}" has an unknown Convoy URI "${marks[0]!.value}"` };
  const kind = m[1] as IdentityKind;
  const name = m[2]!;
  const valid = kind === 'agent' ? AGENT_ID_RE.test(name) : OPERATOR_NAME_RE.test(name);
  if (!valid) return { ok: false, reason: `certificate names ${kind} "${name}", which is not a valid ${kind} name` };
  if (typeof cn !== 'string' || cn !== name) {
    return { ok: false, reason: `certificate CN="${shownCn}" differs from its URI convoy:${kind}:${name}; the two must agree` };
  }
  return { ok: true, identity: { kind, name } };
}

/**
 * SHA-256 certificate fingerprints, the key of coordinator.yaml `denyCertificates`. The
 * canonical form is node's `fingerprint256` (and openssl's -fingerprint -sha256): upper-case
 * hex pairs joined by colons. Operators may also paste plain hex, in any case, or the whole
 * line openssl prints ("sha256 Fingerprint=AB:CD:…").
 */
const FINGERPRINT_HEX_RE = /^[0-9A-F]{64}$/;

/** The canonical form of a pasted SHA-256 fingerprint, or undefined when it is not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const bare = text
    .trim()
    .replace(/^sha-?256\s+fingerprint\s*=\s*/i, '')
    .toUpperCase();
  const hex = /^[0-9A-F]{2}(:[0-9A-F]{2})*$/.test(bare) ? bare.replaceAll(':', '') : bare;
  if (!FINGERPRINT_HEX_RE.test(hex)) return undefined;
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** The part of node's PeerCertificate / X509Certificate fingerprinting reads. */
export interface FingerprintedCertificate {
  fingerprint256?: string;
}

/** The canonical SHA-256 fingerprint of a peer certificate, or undefined when node gave none. */
export function certificateFingerprint(cert: FingerprintedCertificate | undefined | null): string | undefined {
  return cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : undefined;
}

/** The first 8 bytes of a fingerprint, enough to recognise it in a log line ("3F:A2:9C:04:5B:11:E0:7D:…"). */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 23 ? `${fingerprint.slice(0, 23)}:…` : fingerprint;
}
