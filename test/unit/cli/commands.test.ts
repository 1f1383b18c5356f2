import { expect } from 'chai';
import { CliError } from '../../../coordinator/cli/errors.js';
import { runCli } from '../../../coordinator/cli/program.js';
import type { PlanResponse, RolloutView } from '../../../coordinator/cli/views.js';
import { failedRollout, fakeContext } from './fake-context.js';

async function* stream<T>(...items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function succeeded(): RolloutView {
  return { ...failedRollout(), state: 'succeeded', phase: 'done', reason: '', failedHost: '', failedStep: '' };
}

describe('convoy commands against a scripted coordinator', () => {
  it('rollout status exits 1 for a failed rollout and 0 for a succeeded one', async () => {
    const failed = fakeContext({ getRollout: async () => failedRollout() });
    expect(await runCli(['rollout', 'status', 'r-7'], failed.ctx)).to.equal(1);
    expect(failed.stdout()).to.include('Failed     hoss-a, step build');
    const ok = fakeContext({ getRollout: async () => succeeded() });
    expect(await runCli(['rollout', 'status', 'r-7'], ok.ctx)).to.equal(0);
  });

  it("prints a refusal as one line with the server's message and exits 2", async () => {
    const { ctx, stderr } = fakeContext({
      getRollout: async () => {
        throw new CliError(2, 'rollout r-9 does not exist; run `convoy rollout list`');
      },
    });
    expect(await runCli(['rollout', 'status', 'r-9'], ctx)).to.equal(2);
    expect(stderr()).to.deep.equal(['convoy: rollout r-9 does not exist; run `convoy rollout list`']);
  });

  it('rollout start prints only the id on stdout and sends the request', async () => {
    const requests: unknown[] = [];
    const { ctx, stdout } = fakeContext({
      startRollout: async (req) => {
        requests.push(req);
        return { ...succeeded(), id: 'r-8', state: 'running' };
      },
    });
    expect(await runCli(['rollout', 'start', 'demo', '--to', '0.2.0', '--ack-release-notes'], ctx)).to.equal(0);
    expect(stdout()).to.equal('r-8\n');
    expect(requests).to.deep.equal([{ cluster: 'demo', host: '', targetVersion: '0.2.0', ackReleaseNotes: true }]);
  });

  it('rollout start --watch follows the rollout and exits 1 when it fails', async () => {
    const { ctx, stdout } = fakeContext({
      startRollout: async () => ({ ...failedRollout(), state: 'running' }),
      watchRollout: () => stream({ ...failedRollout(), state: 'running' }, failedRollout()),
    });
    expect(await runCli(['rollout', 'start', '--host', 'hoss-a', '--to', '0.2.0', '--watch'], ctx)).to.equal(1);
    expect(stdout()).to.match(/^r-7\n/);
    expect(stdout()).to.include('rollout r-7 failed on hoss-a at step build');
  });

  it('rollout watch --json prints each view as one JSON line and exits 0 on success', async () => {
    const views = [{ ...succeeded(), state: 'running' }, succeeded()];
    const { ctx, stdout } = fakeContext({ watchRollout: () => stream(...views) });
    expect(await runCli(['rollout', 'watch', 'r-7', '--json'], ctx)).to.equal(0);
    const lines = stdout().trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as RolloutView).state)).to.deep.equal(['running', 'succeeded']);
  });

  it('rollout watch on a terminal redraws the frame in place', async () => {
    const views = [{ ...succeeded(), state: 'running' }, succeeded()];
    const { ctx, stdout } = fakeContext({ watchRollout: () => stream(...views) }, { tty: true });
    expect(await runCli(['rollout', 'watch', 'r-7'], ctx)).to.equal(0);
    const frames = stdout().split('\x1b[5A\r\x1b[0J');
    expect(frames).to.have.length(2); // header, column titles and three hosts, drawn twice
    expect(frames[0]).to.match(/^rollout r-7 {2}cluster demo → 0\.2\.0 {2}running/);
    expect(frames[1]).to.match(/^rollout r-7 {2}cluster demo → 0\.2\.0 {2}succeeded/);
    expect(frames[1]).to.include('rollout r-7 succeeded: cluster demo is at 0.2.0');
  });

  it('rollout watch stops at the terminal view even if the stream stays open', async () => {
    async function* endless(): AsyncGenerator<RolloutView> {
      yield succeeded();
      await new Promise(() => undefined);
    }
    const { ctx } = fakeContext({ watchRollout: () => endless() });
    expect(await runCli(['rollout', 'watch', 'r-7'], ctx)).to.equal(0);
  });

  it('rollout watch resumes after the coordinator restarts and exits 0 when the rollout succeeds', async () => {
    let calls = 0;
    async function* restarting(): AsyncGenerator<RolloutView> {
      calls++;
      if (calls === 1) {
        yield { ...succeeded(), state: 'running' };
        throw new CliError(3, 'cannot reach the coordinator', 14 /* UNAVAILABLE */);
      }
      yield succeeded();
    }
    const { ctx, stdout, stderr } = fakeContext({ watchRollout: () => restarting() });
    expect(await runCli(['rollout', 'watch', 'r-7'], ctx)).to.equal(0);
    expect(calls).to.equal(2);
    expect(stderr()).to.deep.equal(['convoy: lost the coordinator at 127.0.0.1:7400; reconnecting…']);
    expect(stdout()).to.include('rollout r-7 succeeded: cluster demo is at 0.2.0');
  });

  it('rollout watch gives up with exit 2 when the rollout does not exist', async () => {
    async function* missing(): AsyncGenerator<RolloutView> {
      yield* [];
      throw new CliError(2, 'rollout r-9 does not exist; run `convoy rollout list`', 5 /* NOT_FOUND */);
    }
    const { ctx, stderr } = fakeContext({ watchRollout: () => missing() });
    expect(await runCli(['rollout', 'watch', 'r-9'], ctx)).to.equal(2);
    expect(stderr()).to.deep.equal(['convoy: rollout r-9 does not exist; run `convoy rollout list`']);
  });

  it('plan exits 2 when a host would fail preflight and lists the problem', async () => {
    const plan: PlanResponse = {
      cluster: 'demo',
      targetVersion: '0.2.0',
      requiresAction: false,
      problems: ['hoss-b: is not connected'],
      phases: ['preflight', 'backup-all', 'auth', 'members', 'done'],
      ackReasons: [],
      notesMissing: [],
      notesLookedIn: [],
      releaseNotes: [],
      requiredChanges: [],
      notesError: '',
      versions: ['0.2.0'],
      hosts: [
        {
          agentId: 'hoss-auth',
          role: 'auth',
          order: 1,
          installedVersion: '0.1.0',
          targetVersion: '0.2.0',
          steps: ['backup', 'build'],
          releaseNotes: null,
          problem: '',
          connected: true,
          healthy: true,
          verdict: 'update',
          verdictReason: '',
          drift: null,
          servedVersion: '0.1.0',
        },
        {
          agentId: 'hoss-b',
          role: 'member',
          order: 2,
          installedVersion: '0.1.0',
          targetVersion: '0.2.0',
          steps: ['backup', 'build'],
          releaseNotes: null,
          problem: 'is not connected',
          connected: false,
          healthy: false,
          verdict: 'refused',
          verdictReason: 'is not connected',
          drift: null,
          servedVersion: '',
        },
      ],
    };
    const { ctx, stdout } = fakeContext({ plan: async () => plan });
    expect(await runCli(['plan', 'demo', '--to', '0.2.0'], ctx)).to.equal(2);
    expect(stdout()).to.include(' 1  hoss-auth (auth)  0.1.0 → 0.2.0  connected, healthy');
    expect(stdout()).to.include('  - hoss-b: is not connected');
  });

  it('rollout ack sends the action with the reason', async () => {
    const sent: unknown[] = [];
    const { ctx, stdout } = fakeContext({
      actOnRollout: async (req) => {
        sent.push(req);
        return { ...succeeded(), state: 'running' };
      },
    });
    expect(await runCli(['rollout', 'ack', 'r-7', '--reason', 'config updated'], ctx)).to.equal(0);
    expect(sent).to.deep.equal([{ id: 'r-7', action: 'ack', reason: 'config updated', now: false, allowSuperseded: false }]);
    expect(stdout()).to.include('rollout r-7: running (phase done)');
  });

  it('rollout logs prints `host step | line`', async () => {
    const { ctx, stdout } = fakeContext({
      rolloutLogs: () => stream({ rolloutId: 'r-7', agentId: 'hoss-a', step: 'build', atMs: 1, line: 'compiling', seq: 1 }),
    });
    expect(await runCli(['rollout', 'logs', 'r-7'], ctx)).to.equal(0);
    expect(stdout()).to.equal('hoss-a build | compiling\n');
  });

  it('backups shows archive, version, size, sha256 and whether it restores', async () => {
    const { ctx, stdout } = fakeContext({
      listBackups: async () => ({
        agentId: 'hoss-a',
        installedVersion: '0.2.0',
        keepPerMinor: 3,
        backups: [
          {
            exists: true,
            restorable: true,
            backup: {
              id: 'b1',
              path: '/srv/hoss/server/backups/backup-0.2.0-1.tar.gz',
              version: '0.2.0',
              sizeBytes: 1536,
              sha256: 'abcdef0123456789ff',
              createdAtMs: 0,
              step: 'backup-after',
              rolloutId: 'r-7',
            },
          },
        ],
      }),
    });
    expect(await runCli(['backups', 'hoss-a'], ctx)).to.equal(0);
    const row = stdout()
      .split('\n')
      .find((l) => l.startsWith('backup-0.2.0-1.tar.gz'));
    expect(row?.split(/\s{2,}/)).to.deep.equal(['backup-0.2.0-1.tar.gz', '0.2.0', '1.5 KiB', '-', 'abcdef012345', 'backup-after', 'yes']);
  });
});
