import { expect } from 'chai';
import { certificateRefusal, handshakeFailure } from '../../../coordinator/rpc/tls-reasons.js';
import { checkServerIp, hostOf } from '../../../shared/tls-client.js';
import type { PeerCertificate } from 'node:tls';

const cert = {
  raw: Buffer.from('x'),
  subject: { O: 'Convoy', CN: 'alice' },
  issuer: { CN: 'Rogue CA' },
  valid_to: 'Jan  1 00:00:00 2026 GMT',
};
const err = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('TLS refusal reasons (coordinator/rpc/tls-reasons.ts)', () => {
  const cases: [string, string, typeof cert | undefined, string][] = [
    [
      'no certificate',
      'UNABLE_TO_GET_ISSUER_CERT',
      undefined,
      'no client certificate (give the client its certificate and key: --cert/--key, or coordinator.tls in agent.yaml)',
    ],
    [
      'an expired one',
      'CERT_HAS_EXPIRED',
      cert,
      'the client certificate O=Convoy,CN=alice has expired (on Jan  1 00:00:00 2026 GMT); issue a new one',
    ],
    [
      'another CA',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      cert,
      "the client certificate O=Convoy,CN=alice is not signed by this fleet's CA (issuer CN=Rogue CA; UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
    ],
    [
      'a self-signed one',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      cert,
      "the client certificate O=Convoy,CN=alice is not signed by this fleet's CA (issuer CN=Rogue CA; DEPTH_ZERO_SELF_SIGNED_CERT)",
    ],
    [
      'a server certificate used as a client one',
      'INVALID_PURPOSE',
      cert,
      'the certificate O=Convoy,CN=alice is not a client certificate (its extendedKeyUsage lacks clientAuth)',
    ],
    ['one not valid yet', 'CERT_NOT_YET_VALID', cert, 'the client certificate O=Convoy,CN=alice is not valid yet (check the clocks)'],
  ];
  for (const [what, code, c, reason] of cases) {
    it(`explains ${what}`, () => expect(certificateRefusal(code, c)).to.equal(reason));
  }

  it('explains handshakes that fail before any certificate', () => {
    expect(handshakeFailure(err('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'))).to.match(
      /^the client spoke plaintext; this coordinator requires TLS/,
    );
    expect(handshakeFailure(err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca'))).to.equal(
      "the client rejected the handshake (tlsv1 alert unknown ca); does it trust this coordinator's CA and name?",
    );
    expect(handshakeFailure(err('ECONNRESET', 'socket hang up'))).to.equal('the client closed the connection during the handshake');
  });
});

describe('TLS clients aimed at an IP address (shared/tls-client.ts)', () => {
  const san = (s: string): PeerCertificate => ({ subject: { CN: 'convoyd' }, subjectaltname: s }) as unknown as PeerCertificate;

  it('checks the address actually dialed', () => {
    expect(hostOf('10.0.0.5:7400')).to.equal('10.0.0.5');
    expect(hostOf('[::1]:7400')).to.equal('::1');
    expect(checkServerIp('10.0.0.5', san('IP Address:10.0.0.5'))).to.equal(undefined);
    expect(checkServerIp('10.0.0.6', san('IP Address:10.0.0.5'))?.message).to.match(
      /IP: 10\.0\.0\.6 is not in the cert's list: 10\.0\.0\.5/,
    );
  });

  it('accepts DNS:localhost for a loopback address, and only for one', () => {
    expect(checkServerIp('127.0.0.1', san('DNS:localhost'))).to.equal(undefined);
    expect(checkServerIp('10.0.0.5', san('DNS:localhost'))).to.be.instanceOf(Error);
  });
});
