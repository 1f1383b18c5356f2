import { expect } from 'chai';
import { addressProblem, formatAddress, parseAddress } from '../../../shared/address.js';

describe('host:port (shared/address.ts)', () => {
  const accepted: [string, string, number][] = [
    ['127.0.0.1:7400', '127.0.0.1', 7400],
    ['0.0.0.0:1', '0.0.0.0', 1],
    ['localhost:65535', 'localhost', 65535],
    ['convoy.example.com:7400', 'convoy.example.com', 7400],
    ['convoy.example.com.:7400', 'convoy.example.com.', 7400],
    ['hoss_convoyd_1:7400', 'hoss_convoyd_1', 7400],
    ['[::1]:7400', '::1', 7400],
    ['[::]:9464', '::', 9464],
  ];
  for (const [text, host, port] of accepted) {
    it(`accepts ${text}`, () => {
      expect(addressProblem(text)).to.equal(undefined);
      expect(parseAddress(text)).to.deep.equal({ host, port });
    });
  }

  const refused: [string, string][] = [
    ['', 'it is empty; e.g. 127.0.0.1:7400'],
    [' 127.0.0.1:7400', 'it has spaces around it; write "127.0.0.1:7400"'],
    ['localhost', 'the port is missing; e.g. localhost:7400'],
    ['7400', 'the host is missing; e.g. 127.0.0.1:7400'],
    [':7400', 'the host is missing; e.g. 127.0.0.1:7400'],
    [':99999', 'the host is missing; port 99999 is not a number from 1 to 65535; e.g. 127.0.0.1:7400'],
    ['127.0.0.1:99999', 'port 99999 is not a number from 1 to 65535; e.g. 127.0.0.1:7400'],
    ['127.0.0.1:0', 'port 0 is not a number from 1 to 65535; e.g. 127.0.0.1:7400'],
    ['127.0.0.1:+1', 'port +1 is not a number from 1 to 65535; e.g. 127.0.0.1:7400'],
    ['127.0.0.1:', 'the port is missing; e.g. 127.0.0.1:7400'],
    ['http://127.0.0.1:7400', 'a URL is not an address: write host:port without the scheme, e.g. 127.0.0.1:7400'],
    ['https://convoy.example.com/', 'a URL is not an address: write host:port without the scheme, e.g. convoy.example.com:7400'],
    ['127.0.0.999:7400', '"127.0.0.999" is not an IPv4 address (four numbers from 0 to 255); e.g. 127.0.0.1:7400'],
    ['127.1:7400', '"127.1" is not an IPv4 address (four numbers from 0 to 255); e.g. 127.0.0.1:7400'],
    ['::1', 'an IPv6 address goes in brackets, followed by the port; e.g. [::1]:7400'],
    ['::1:7400', 'an IPv6 address goes in brackets, followed by the port; e.g. [::1]:7400'],
    ['[nope]:7400', '[nope] is not an IPv6 address; e.g. 127.0.0.1:7400'],
    ['exa mple:7400', '"exa mple" is neither a host name (letters, digits, - and _ between dots) nor an IP address; e.g. 127.0.0.1:7400'],
    ['-a:7400', '"-a" is neither a host name (letters, digits, - and _ between dots) nor an IP address; e.g. 127.0.0.1:7400'],
    [`${'a'.repeat(300)}:7400`, 'it is 305 characters long (at most 261); e.g. 127.0.0.1:7400'],
  ];
  for (const [text, problem] of refused) {
    it(`refuses ${JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}…` : text)}: ${problem}`, () => {
      expect(addressProblem(text)).to.equal(problem);
      expect(parseAddress(text)).to.equal(undefined);
    });
  }

  it('shows the example with the port it is given (metrics: 9464)', () => {
    expect(addressProblem('localhost', 9464)).to.equal('the port is missing; e.g. localhost:9464');
  });

  it('shows a control character in a refused host inertly', () => {
    expect(addressProblem('a\u001b[2Jb:7400')).to.not.include('\u001b');
  });

  it('formats IPv6 hosts in brackets', () => {
    expect([formatAddress({ host: '::1', port: 7400 }), formatAddress({ host: 'h', port: 1 })]).to.deep.equal(['[::1]:7400', 'h:1']);
  });
});
