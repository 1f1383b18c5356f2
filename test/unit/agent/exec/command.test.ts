import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'chai';
import { killProcessGroup, processGroupAlive, runCommand, type RunCommandOptions } from '../../../../agent/exec/command.js';
import { MAX_LINE_CHARS } from '../../../../agent/exec/output-lines.js';

/**
 * True while `pid` runs. A killed orphan stays a zombie until init reaps it (more than a
 * second on some hosts); a zombie runs nothing, so it counts as gone.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

describe('runCommand', () => {
  const leftovers: number[] = [];

  afterEach(async () => {
    for (const pgid of leftovers.splice(0)) await killProcessGroup(pgid, { graceMs: 500 });
  });

  function run(command: string | string[], extra: Partial<RunCommandOptions> = {}): ReturnType<typeof runCommand> {
    return runCommand({
      command,
      cwd: process.cwd(),
      timeoutMs: 10_000,
      ...extra,
      onProcessGroup: (pgid) => {
        leftovers.push(pgid);
        extra.onProcessGroup?.(pgid);
      },
    });
  }

  it('streams stdout and stderr line by line, including a last line without a newline', async () => {
    const batches: string[][] = [];
    const result = await run("printf 'one\\ntwo\\n'; echo oops >&2; printf three", { onOutput: (lines) => batches.push(lines) });
    expect(result.exitCode).to.equal(0);
    expect(batches.flat()).to.have.members(['one', 'two', 'oops', 'three']);
    expect(batches.flat().indexOf('one')).to.be.lessThan(batches.flat().indexOf('two'));
    expect(result.tail).to.have.members(['one', 'two', 'oops', 'three']);
  });

  it('delivers output in batches of at most 50 lines and keeps the last 40 as the tail', async () => {
    const batches: string[][] = [];
    const result = await run('seq 1 120', { onOutput: (lines) => batches.push(lines) });
    expect(batches.flat()).to.deep.equal(Array.from({ length: 120 }, (_, i) => String(i + 1)));
    expect(Math.max(...batches.map((b) => b.length))).to.be.at.most(50);
    expect(result.tail).to.deep.equal(Array.from({ length: 40 }, (_, i) => String(i + 81)));
  });

  it('cuts a line longer than 4 KiB', async () => {
    const result = await run(`head -c 10000 /dev/zero | tr '\\0' x; echo; echo after`);
    expect(result.tail).to.have.length(2);
    expect(result.tail[0]).to.match(new RegExp(`^x{${MAX_LINE_CHARS}} …\\[line truncated\\]$`));
    expect(result.tail[1]).to.equal('after');
  });

  it('surfaces the exit code of a failing command', async () => {
    const result = await run('echo building; exit 3');
    expect(result).to.include({ exitCode: 3, timedOut: false, cancelled: false });
    expect(result.tail).to.deep.equal(['building']);
  });

  it('runs an argv list without a shell', async () => {
    const result = await run(['echo', '$HOME; exit 9']);
    expect(result.exitCode).to.equal(0);
    expect(result.tail).to.deep.equal(['$HOME; exit 9']);
  });

  it('passes the environment it is given on top of the agent’s own', async () => {
    const result = await run('echo "$CONVOY_TARGET_VERSION" "$PATH"', { env: { CONVOY_TARGET_VERSION: '0.2.0' } });
    expect(result.tail[0]).to.equal(`0.2.0 ${process.env.PATH}`);
  });

  it('closes stdin, so a command reading it does not wait', async () => {
    const result = await run('cat; echo "read done"');
    expect(result.exitCode).to.equal(0);
    expect(result.tail).to.deep.equal(['read done']);
  });

  it('reports a missing program as exit code 127 with a clear error', async () => {
    const direct = await run(['convoy-no-such-program', '--version']);
    expect(direct).to.include({ exitCode: 127, error: 'command not found: convoy-no-such-program' });
    const viaShell = await run('convoy-no-such-program --version');
    expect(viaShell.exitCode).to.equal(127);
    expect(viaShell.error).to.match(/^command not found .*convoy-no-such-program: not found$/);
  });

  it('refuses a working directory that does not exist without starting anything', async () => {
    let started = false;
    const result = await run('true', { cwd: '/nonexistent/convoy', onProcessGroup: () => (started = true) });
    expect(result).to.include({ exitCode: -1, error: 'working directory /nonexistent/convoy does not exist' });
    expect(started).to.equal(false);
  });

  it('kills the whole process group on timeout, grandchildren included, and settles promptly', async () => {
    let reportedPgid: number | undefined;
    const started = Date.now();
    const result = await run('sleep 30 & echo "grandchild $!"; sleep 30', {
      timeoutMs: 500,
      onProcessGroup: (pgid) => (reportedPgid = pgid),
    });
    const elapsed = Date.now() - started;
    expect(result).to.include({ timedOut: true, cancelled: false, exitCode: -1 });
    expect(result.pgid).to.equal(reportedPgid);
    expect(elapsed).to.be.below(2500);
    const grandchild = Number(/^grandchild (\d+)$/.exec(result.tail[0] ?? '')?.[1]);
    expect(grandchild).to.be.greaterThan(1);
    expect(isRunning(grandchild)).to.equal(false);
    expect(processGroupAlive(result.pgid as number)).to.equal(false);
  });

  it('sends SIGKILL to a group that ignores SIGTERM once the grace period is over', async () => {
    const result = await run("trap '' TERM; sleep 30 & echo ready; wait", { timeoutMs: 300, killGraceMs: 300 });
    expect(result).to.include({ timedOut: true, killed: 'killed', exitCode: -1 });
    expect(processGroupAlive(result.pgid as number)).to.equal(false);
  });

  it('cancels the command and its group when the signal aborts', async () => {
    const controller = new AbortController();
    const result = await run('echo started; sleep 30', {
      signal: controller.signal,
      onOutput: (lines) => {
        if (lines.includes('started')) controller.abort();
      },
    });
    expect(result).to.include({ cancelled: true, timedOut: false, exitCode: -1 });
    expect(processGroupAlive(result.pgid as number)).to.equal(false);
  });

  it('settles when a background process it started keeps the pipes open, and leaves that process running', async () => {
    const started = Date.now();
    const result = await run('sleep 30 & echo "service started"', { drainMs: 100 });
    expect(Date.now() - started).to.be.below(2000);
    expect(result).to.include({ exitCode: 0, timedOut: false });
    expect(result.tail).to.deep.equal(['service started']);
    // `make up` may start a service in the step's group: success must not kill it.
    expect(processGroupAlive(result.pgid as number)).to.equal(true);
  });

  it('does not start a command whose signal was already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await run('echo never', { signal: controller.signal });
    expect(result).to.include({ cancelled: true, exitCode: -1 });
    expect(result.tail).to.deep.equal([]);
  });
});

describe('killProcessGroup', () => {
  it('terminates a group a previous agent left behind', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    expect(processGroupAlive(pgid)).to.equal(true);
    expect(await killProcessGroup(pgid, { graceMs: 1000 })).to.equal('terminated');
    expect(processGroupAlive(pgid)).to.equal(false);
  });

  it('does nothing for a group that is gone or an id that would address other processes', async () => {
    expect(await killProcessGroup(2 ** 22 + 12345)).to.equal('not-running');
    for (const pgid of [0, 1, -1, 1.5, process.pid]) {
      expect(processGroupAlive(pgid), `pgid ${pgid}`).to.equal(false);
      expect(await killProcessGroup(pgid), `pgid ${pgid}`).to.equal('not-running');
    }
  });
});
