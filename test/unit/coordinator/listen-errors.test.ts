import { expect } from 'chai';
import { describeListenFailure } from '../../../coordinator/listen-errors.js';

const FILE = '/etc/convoy/coordinator.yaml';
const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}: x 127.0.0.1:9464`), { code });

describe('a port convoyd cannot bind, named by its key (coordinator/listen-errors.ts)', () => {
  const table: [string, Parameters<typeof describeListenFailure>, string][] = [
    [
      'a busy metrics port',
      ['http', '127.0.0.1:9464', FILE, errno('EADDRINUSE')],
      'http (the metrics port) 127.0.0.1:9464 is in use by another process; stop it, or set http: in /etc/convoy/coordinator.yaml to a free port',
    ],
    [
      'a busy gRPC port, as grpc-js reports it (the errno only in the text)',
      [
        'listen',
        '127.0.0.1:7400',
        FILE,
        new Error('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 127.0.0.1:7400]'),
      ],
      'listen (the gRPC port of agents and the CLI) 127.0.0.1:7400 is in use by another process (another convoyd?); stop it, or set listen: in /etc/convoy/coordinator.yaml to a free port',
    ],
    [
      'a privileged port',
      ['http', '0.0.0.0:80', FILE, errno('EACCES')],
      'http (the metrics port) 0.0.0.0:80 cannot be bound by this user (ports below 1024 need privileges); set http: in /etc/convoy/coordinator.yaml to a port from 1024 up',
    ],
    [
      'an address of another machine',
      ['listen', '10.9.9.9:7400', FILE, errno('EADDRNOTAVAIL')],
      'listen (the gRPC port of agents and the CLI) 10.9.9.9:7400 is not an address of this machine; set listen: in /etc/convoy/coordinator.yaml to one of its addresses (or 0.0.0.0 for all of them)',
    ],
    [
      'a host name that does not resolve',
      ['http', 'metrics.invalid:9464', FILE, errno('ENOTFOUND')],
      'http (the metrics port) metrics.invalid:9464: the host name does not resolve on this machine; set http: in /etc/convoy/coordinator.yaml to an IP address of this machine',
    ],
    [
      'anything else',
      ['http', '127.0.0.1:9464', FILE, new Error('boom')],
      'http (the metrics port) 127.0.0.1:9464 cannot be bound: boom (coordinator.yaml, key http)',
    ],
  ];
  for (const [what, args, message] of table) {
    it(`says which port and what to change for ${what}`, () => expect(describeListenFailure(...args)).to.equal(message));
  }
});
