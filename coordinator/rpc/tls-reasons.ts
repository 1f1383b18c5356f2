/** Operator sentences for TLS failures: why a client certificate or a handshake was refused. */

/** The certificate fields worth logging next to a refusal. */
export interface CertificateSummary {
  subject?: string;
  issuer?: string;
  serial?: string;
  validTo?: string;
}

interface PeerCertLike {
  subject?: Record<string, unknown> | null;
  issuer?: Record<string, unknown> | null;
  serialNumber?: string;
  valid_to?: string;
  raw?: Buffer;
}

function dn(name: Record<string, unknown> | null | undefined): string | undefined {
  if (!name) return undefined;
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`);
  return parts.length ? parts.join(',').slice(0, 300) : undefined;
}

export function describeCertificate(cert: PeerCertLike | null | undefined): CertificateSummary {
  if (!cert?.raw) return {};
  return { subject: dn(cert.subject), issuer: dn(cert.issuer), serial: cert.serialNumber, validTo: cert.valid_to };
}

const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

/** Why node's verification refused a client certificate (`code` is socket.authorizationError). */
export function certificateRefusal(code: string, cert: PeerCertLike | null | undefined): string {
  if (!cert?.raw) return 'no client certificate (give the client its certificate and key: --cert/--key, or coordinator.tls in agent.yaml)';
  const who = dn(cert.subject) ?? 'without a subject';
  if (code === 'CERT_HAS_EXPIRED') return `the client certificate ${who} has expired (on ${cert.valid_to ?? '?'}); issue a new one`;
  if (code === 'CERT_NOT_YET_VALID') return `the client certificate ${who} is not valid yet (check the clocks)`;
  if (UNTRUSTED.has(code))
    return `the client certificate ${who} is not signed by this fleet's CA (issuer ${dn(cert.issuer) ?? '?'}; ${code})`;
  if (code === 'INVALID_PURPOSE') return `the certificate ${who} is not a client certificate (its extendedKeyUsage lacks clientAuth)`;
  if (code === 'CERT_REVOKED') return `the client certificate ${who} is revoked`;
  return `the client certificate ${who} failed verification (${code || 'unknown reason'})`;
}

/** Why a TLS handshake failed, from the error node reports on the server side. */
export function handshakeFailure(err: NodeJS.ErrnoException): string {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/WRONG_VERSION_NUMBER|HTTP_REQUEST|http request/i.test(text)) {
    return 'the client spoke plaintext; this coordinator requires TLS (the CLI needs --ca/--cert/--key or CONVOY_CA/CONVOY_CERT/CONVOY_KEY, an agent coordinator.tls)';
  }
  if (/alert/i.test(text))
    return `the client rejected the handshake (${err.message.split('\n')[0]}); does it trust this coordinator's CA and name?`;
  if (/ETIMEDOUT|timed out|ERR_TLS_HANDSHAKE_TIMEOUT/i.test(text)) return 'the client did not finish the handshake in time';
  if (/ECONNRESET|socket hang up/i.test(text)) return 'the client closed the connection during the handshake';
  return err.message.split('\n')[0] ?? 'unknown error';
}

/** Why a TLS connection was refused, as the reason label of convoy_tls_refused_total (a bounded set). */
export const TLS_REFUSAL_KINDS = ['certificate', 'revoked', 'plaintext', 'timeout', 'reset', 'handshake', 'no-h2'] as const;
export type TlsRefusalKind = (typeof TLS_REFUSAL_KINDS)[number];

/** The kind of a handshake failure node reported (see handshakeFailure for the sentence). */
export function handshakeFailureKind(err: NodeJS.ErrnoException): TlsRefusalKind {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/WRONG_VERSION_NUMBER|HTTP_REQUEST|http request/i.test(text)) return 'plaintext';
  if (/ETIMEDOUT|timed out|ERR_TLS_HANDSHAKE_TIMEOUT/i.test(text)) return 'timeout';
  if (/ECONNRESET|socket hang up/i.test(text)) return 'reset';
  return 'handshake';
}
