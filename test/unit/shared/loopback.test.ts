import { expect } from 'chai';
import { isLoopbackAddress, isLoopbackHost } from '../../../shared/loopback.js';

describe('the loopback rule (shared/loopback.ts)', () => {
  const loopback = [
    '127.0.0.1',
    '127.3.2.1',
    '127.255.255.254',
    'localhost',
    'LocalHost',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ];
  const not = [
    '127.0.0.999',
    '127.1',
    '127.0.0.1.nip.io',
    '127.0.0.1x',
    '128.0.0.1',
    '10.0.0.5',
    '0.0.0.0',
    '::',
    '::2',
    'example.com',
    '',
  ];
  for (const host of loopback) it(`accepts ${host}`, () => expect(isLoopbackHost(host)).to.equal(true));
  for (const host of not)
    it(`refuses "${host}": not a loopback IP address once parsed`, () => expect(isLoopbackHost(host)).to.equal(false));

  it('reads the host of host:port, IPv6 in brackets', () => {
    expect(isLoopbackAddress('127.0.0.1:7400')).to.equal(true);
    expect(isLoopbackAddress('[::1]:7400')).to.equal(true);
    expect(isLoopbackAddress('localhost:7400')).to.equal(true);
    expect(isLoopbackAddress('127.0.0.999:7400')).to.equal(false);
    expect(isLoopbackAddress('0.0.0.0:7400')).to.equal(false);
  });
});
