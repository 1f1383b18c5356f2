import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { DEFAULT_COORDINATOR, resolveConnection } from '../../../coordinator/cli/client.js';
import { CliError, toCliError } from '../../../coordinator/cli/errors.js';

function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata: new grpc.Metadata() });
}

describe('CLI error mapping', () => {
  const address = '127.0.0.1:7400';

  it('says in one line that the coordinator cannot be reached, and exits 3', () => {
    const err = toCliError(
      serviceError(grpc.status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:7400'),
      { address },
    );
    expect(err.exitCode).to.equal(3);
    expect(err.message).to.equal(
      'cannot reach the coordinator at 127.0.0.1:7400 (connection refused). Is convoyd running? Set --coordinator or CONVOY_COORDINATOR.',
    );
  });

  it('treats a deadline while connecting as unreachable (exit 3)', () => {
    const err = toCliError(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), { address, connected: false });
    expect(err.exitCode).to.equal(3);
    expect(err.message).to.include('(no answer in time)');
  });

  it('tells a coordinator that accepted the connection but did not answer from one that is down', () => {
    const err = toCliError(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), {
      address,
      connected: true,
      deadlineMs: 10_000,
    });
    expect(err.exitCode).to.equal(3);
    expect(err.message).to.equal(
      'the coordinator at 127.0.0.1:7400 accepted the connection but did not answer within 10s. Check its log, then try again.',
    );
  });

  for (const code of [
    grpc.status.INVALID_ARGUMENT,
    grpc.status.NOT_FOUND,
    grpc.status.FAILED_PRECONDITION,
    grpc.status.PERMISSION_DENIED,
    grpc.status.ALREADY_EXISTS,
  ]) {
    it(`prints the server's message for ${grpc.status[code]} and exits 2`, () => {
      const err = toCliError(serviceError(code, 'cluster demo already has rollout r-3 running'), {
        address,
        hint: 'Run `convoy rollout list`.',
      });
      expect(err.exitCode).to.equal(2);
      expect(err.message).to.equal('cluster demo already has rollout r-3 running. Run `convoy rollout list`.');
    });
  }

  it('does not add a hint when the server already names the next command', () => {
    const err = toCliError(serviceError(grpc.status.NOT_FOUND, 'rollout r-9 does not exist; run `convoy rollout list`'), {
      address,
      hint: 'Run `convoy rollout list`.',
    });
    expect(err.message).to.equal('rollout r-9 does not exist; run `convoy rollout list`');
  });

  it('puts a multi-line server message on one line', () => {
    const err = toCliError(serviceError(grpc.status.INVALID_ARGUMENT, 'bad target\n  expected a tag'), { address });
    expect(err.message).to.equal('bad target expected a tag');
  });

  it('exits 1 for an internal error of the coordinator', () => {
    const err = toCliError(serviceError(grpc.status.INTERNAL, 'internal error: boom'), { address });
    expect(err.exitCode).to.equal(1);
    expect(err.message).to.equal('the coordinator answered INTERNAL: internal error: boom');
  });
});

describe('CLI connection options', () => {
  it('defaults to 127.0.0.1:7400, then CONVOY_COORDINATOR, then --coordinator', () => {
    expect(resolveConnection({}, {}).address).to.equal(DEFAULT_COORDINATOR);
    expect(resolveConnection({}, { CONVOY_COORDINATOR: 'c1:7400' }).address).to.equal('c1:7400');
    expect(resolveConnection({ coordinator: 'c2:7400' }, { CONVOY_COORDINATOR: 'c1:7400' }).address).to.equal('c2:7400');
  });

  it('is plaintext unless TLS files are given', () => {
    expect(resolveConnection({}, {}).tls).to.equal(undefined);
  });

  it('names the actor user@host', () => {
    expect(resolveConnection({}, {}).actor).to.match(/^[^@\s]+@[^@\s]+$/);
  });

  it('refuses --cert without --key (exit 2)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-cli-'));
    try {
      const cert = path.join(dir, 'client.pem');
      fs.writeFileSync(cert, 'x');
      expect(() => resolveConnection({ cert }, {}))
        .to.throw(CliError, '--cert and --key go together')
        .with.property('exitCode', 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a TLS file that cannot be read (exit 2)', () => {
    expect(() => resolveConnection({}, { CONVOY_CA: '/nonexistent/ca.pem' }))
      .to.throw(CliError, '--ca /nonexistent/ca.pem: cannot read it (no such file). Check the path.')
      .with.property('exitCode', 2);
  });

  it('reads the CA, certificate and key for mutual TLS', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-cli-'));
    try {
      for (const f of ['ca', 'cert', 'key']) fs.writeFileSync(path.join(dir, `${f}.pem`), f, { mode: 0o600 });
      const conn = resolveConnection(
        { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') },
        {},
      );
      expect([conn.tls?.ca?.toString(), conn.tls?.cert?.toString(), conn.tls?.key?.toString()]).to.deep.equal(['ca', 'cert', 'key']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
