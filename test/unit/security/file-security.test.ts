import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { privateKeyProblem, stateFileProblems, tlsFilesProblems, trustedFileProblem } from '../../../shared/file-security.js';

describe('permission checks on keys, certificates and state (shared/file-security.ts)', () => {
  let dir: string;
  const file = (name: string, mode: number): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, 'x');
    fs.chmodSync(p, mode);
    return p;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-perm-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts a private key only its owner can read', () => {
    expect(privateKeyProblem(file('a.key', 0o600), 'tls.key')).to.equal(undefined);
    expect(privateKeyProblem(file('b.key', 0o400), 'tls.key')).to.equal(undefined);
  });

  it('refuses a key group or others can read, naming mode and fix', () => {
    const key = file('c.key', 0o640);
    expect(privateKeyProblem(key, 'coordinator.tls.key')).to.equal(
      `coordinator.tls.key "${key}" is readable or writable by group or others (mode 0640); a private key must be private. Run chmod 600 ${key}`,
    );
  });

  it('refuses a CA or certificate others can write, and lets them read it', () => {
    expect(trustedFileProblem(file('ca.crt', 0o644), 'tls.ca')).to.equal(undefined);
    const ca = file('w.crt', 0o666);
    expect(trustedFileProblem(ca, 'tls.ca')).to.equal(
      `tls.ca "${ca}" is writable by group or others (mode 0666); whoever can write it chooses whom Convoy trusts. Run chmod 644 ${ca}`,
    );
  });

  it('checks the three files of a tls block, and leaves missing files to the existence check', () => {
    const problems = tlsFilesProblems({ ca: file('ca.crt', 0o644), cert: file('c.crt', 0o664), key: path.join(dir, 'missing.key') }, 'tls');
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^tls\.cert ".*c\.crt" is writable by group or others \(mode 0664\)/);
  });

  it('refuses a state file (or its SQLite -wal) others can read or write, and a world-writable directory even with the sticky bit', () => {
    const db = file('state.db', 0o644);
    const wal = file('state.db-wal', 0o666);
    expect(stateFileProblems(db, 'coordinator.yaml: stateFile')).to.deep.equal([
      `coordinator.yaml: stateFile "${db}" is readable or writable by group or others (mode 0644); it holds the fleet's state and step output, which others could read or forge. Run chmod 600 ${db}`,
      `coordinator.yaml: stateFile "${wal}" is readable or writable by group or others (mode 0666); it holds the fleet's state and step output, which others could read or forge. Run chmod 600 ${wal}`,
    ]);
    fs.chmodSync(db, 0o600);
    fs.chmodSync(wal, 0o600);
    expect(stateFileProblems(db, 'stateFile')).to.deep.equal([]);
    fs.chmodSync(dir, 0o1777);
    const fresh = path.join(dir, 'new.db');
    expect(stateFileProblems(fresh, 'stateFile')).to.deep.equal([
      `stateFile "${fresh}": its directory ${dir} is world-writable (mode 1777); others could replace the state. Run chmod 700 ${dir}`,
    ]);
    fs.chmodSync(dir, 0o700);
    expect(stateFileProblems(fresh, 'stateFile')).to.deep.equal([]);
  });
});
