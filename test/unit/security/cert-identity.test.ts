import { expect } from 'chai';
import { identityOf, parseSubjectAltNames, type CertificateNames } from '../../../shared/cert-identity.js';

const agentCert = (cn: string | string[], san: string): CertificateNames => ({ subject: { CN: cn }, subjectaltname: san });

describe('certificate identity (shared/cert-identity.ts)', () => {
  it('reads an agent and an operator from the convoy URI when the CN agrees', () => {
    expect(identityOf(agentCert('hoss-a', 'URI:convoy:agent:hoss-a'))).to.deep.equal({
      ok: true,
      identity: { kind: 'agent', name: 'hoss-a' },
    });
    expect(identityOf(agentCert('alice@ops', 'DNS:alice.example, URI:convoy:operator:alice@ops'))).to.deep.equal({
      ok: true,
      identity: { kind: 'operator', name: 'alice@ops' },
    });
  });

  const refusals: [string, CertificateNames | undefined, string][] = [
    ['no certificate at all', undefined, 'no client certificate'],
    ['an empty certificate', {}, 'no client certificate'],
    [
      'a CN without a convoy URI (another service of the same CA)',
      agentCert('hoss-a', 'DNS:hoss-a'),
      'certificate CN="hoss-a" has no convoy:agent:<id> or convoy:operator:<name> URI (issue one with convoy certs issue)',
    ],
    [
      "convoyd's own certificate",
      agentCert('localhost', 'DNS:localhost, IP Address:127.0.0.1, URI:convoy:coordinator'),
      'certificate CN="localhost" is a coordinator certificate, not a client one',
    ],
    [
      'a CN that differs from the URI',
      agentCert('hoss-b', 'URI:convoy:agent:hoss-a'),
      'certificate CN="hoss-b" differs from its URI convoy:agent:hoss-a; the two must agree',
    ],
    [
      'two CNs',
      agentCert(['hoss-a', 'hoss-b'], 'URI:convoy:agent:hoss-a'),
      'certificate CN="hoss-a+hoss-b" differs from its URI convoy:agent:hoss-a; the two must agree',
    ],
    [
      'an agent and an operator at once',
      agentCert('x', 'URI:convoy:agent:x, URI:convoy:operator:x'),
      'certificate CN="x" names 2 Convoy identities; it must name one',
    ],
    [
      'an agent id that is not an id',
      agentCert('Hoss A', 'URI:convoy:agent:Hoss A'),
      'certificate names agent "Hoss A", which is not a valid agent name',
    ],
    ['an unknown convoy role', agentCert('x', 'URI:convoy:admin:x'), 'certificate CN="x" has an unknown Convoy URI "convoy:admin:x"'],
    [
      'a URI smuggled inside a quoted DNS name',
      agentCert('hoss-a', 'DNS:"x, URI:convoy:agent:hoss-a, DNS:y"'),
      'certificate CN="hoss-a" has no convoy:agent:<id> or convoy:operator:<name> URI (issue one with convoy certs issue)',
    ],
  ];
  for (const [what, cert, reason] of refusals) {
    it(`refuses ${what}`, () => {
      expect(identityOf(cert)).to.deep.equal({ ok: false, reason });
    });
  }

  it('splits subjectAltName text the way node writes it, quoted values included', () => {
    expect(parseSubjectAltNames('DNS:a, IP Address:127.0.0.1, URI:convoy:agent:x')).to.deep.equal([
      { type: 'DNS', value: 'a' },
      { type: 'IP Address', value: '127.0.0.1' },
      { type: 'URI', value: 'convoy:agent:x' },
    ]);
    expect(parseSubjectAltNames('DNS:"a, b\\"c", URI:u')).to.deep.equal([
      { type: 'DNS', value: 'a, b"c' },
      { type: 'URI', value: 'u' },
    ]);
    expect(parseSubjectAltNames('')).to.deep.equal([]);
  });
});
