import { expect } from 'chai';
import { findProgram, makeInvocation, programOf, shellSegments } from '../../../../agent/doctor/commands.js';
import { formatFindings } from '../../../../agent/doctor/doctor.js';
import { exitCodeOf, fail, ok, warn } from '../../../../agent/doctor/verdict.js';

describe('convoy-agent doctor: reading commands and reporting', () => {
  it('finds the program of each part of a shell command, past assignments and quotes', () => {
    const segments = shellSegments(`FOO=1 ./backup.sh --to "a b" && make up DETACH=true; echo 'x;y' | tee -a log\nhossadm status`);
    expect(segments).to.deep.equal([
      ['FOO=1', './backup.sh', '--to', 'a b'],
      ['make', 'up', 'DETACH=true'],
      ['echo', 'x;y'],
      ['tee', '-a', 'log'],
      ['hossadm', 'status'],
    ]);
    expect(segments.map(programOf)).to.deep.equal(['./backup.sh', 'make', 'echo', 'tee', 'hossadm']);
  });

  it('reads the make options, variables and targets of a step, or nothing when it does not run make first', () => {
    expect(makeInvocation('make up DETACH=true')).to.deep.equal({ args: ['DETACH=true'], targets: ['up'], words: ['up', 'DETACH=true'] });
    expect(makeInvocation(['make', '-C', 'server', 'build', 'config'])).to.deep.equal({
      args: ['-C', 'server'],
      targets: ['build', 'config'],
      words: ['-C', 'server', 'build', 'config'],
    });
    expect(makeInvocation('V=1 /usr/bin/make -j4')).to.deep.equal({ args: ['-j4'], targets: [], words: ['-j4'] });
    expect(makeInvocation('./backup.sh && make x')).to.equal(undefined);
  });

  it('looks programs up on the PATH, and paths from the working directory', () => {
    expect(findProgram('sh', '/', '/nonexistent:/bin:/usr/bin')).to.match(/\/sh$/);
    expect(findProgram('no-such-program-here', '/', '/bin:/usr/bin')).to.equal(undefined);
    expect(findProgram('./sh', '/bin', '')).to.equal('/bin/sh');
    expect(findProgram('sh', '/', '')).to.equal(undefined);
  });

  it('exits 1 only when a check failed, and prints a verdict per item with the fix', () => {
    const findings = [ok('repository', 'clean'), warn('fetch', 'no remote', 'add one'), fail('make target: build', 'no rule', 'add it')];
    expect(exitCodeOf(findings)).to.equal(1);
    expect(exitCodeOf(findings.slice(0, 2))).to.equal(0);
    expect(formatFindings('/etc/convoy/agent.yaml', 'hoss-a', findings)).to.deep.equal([
      'convoy-agent doctor: /etc/convoy/agent.yaml (agent hoss-a)',
      'ok    repository          clean',
      'warn  fetch               no remote',
      '                          fix: add one',
      'FAIL  make target: build  no rule',
      '                          fix: add it',
      '1 failed, 1 warning, 1 ok: fix the failures before the next rollout (exit 1)',
    ]);
  });
});
