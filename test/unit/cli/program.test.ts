import { expect } from 'chai';
import { runCli } from '../../../coordinator/cli/program.js';
import { convoyPackage } from '../../../shared/package.js';
import type { GlobalOptions } from '../../../coordinator/cli/client.js';
import { fakeContext } from './fake-context.js';

describe('convoy command line parsing', () => {
  const usageErrors: [string, string[]][] = [
    ['an unknown command', ['bogus']],
    ['an unknown option', ['agents', '--bogus']],
    ['an extra argument', ['agents', 'extra']],
    ['plan without --to', ['plan', 'demo']],
    ['--to without a value', ['plan', 'demo', '--to']],
    ['plan with both a cluster and --host', ['plan', 'demo', '--host', 'hoss-a', '--to', '0.2.0']],
    ['plan with neither a cluster nor --host', ['plan', '--to', '0.2.0']],
    ['rollout start without --to', ['rollout', 'start', 'demo']],
    ['rollout start with both a cluster and --host', ['rollout', 'start', 'demo', '--host', 'hoss-a', '--to', '0.2.0']],
    ['rollout without a subcommand', ['rollout']],
    ['rollout status without an id', ['rollout', 'status']],
    ['an unknown rollout action', ['rollout', 'restart', 'r-1']],
    ['a --limit that is not a number', ['rollout', 'list', '--limit', 'ten']],
    ['a --limit of 0', ['events', '--limit', '0']],
    ['backups without an agent', ['backups']],
  ];
  for (const [what, argv] of usageErrors) {
    it(`exits 2 without contacting the coordinator on ${what}`, async () => {
      const { ctx, stderr, connects } = fakeContext();
      expect(await runCli(argv, ctx)).to.equal(2);
      expect(connects()).to.equal(0);
      expect(stderr().join('\n')).to.not.equal('');
    });
  }

  it('exits 0 for --help and prints the commands', async () => {
    const { ctx, stdout } = fakeContext();
    expect(await runCli(['--help'], ctx)).to.equal(0);
    for (const cmd of ['agents', 'plan', 'rollout', 'events', 'backups', 'demo']) expect(stdout()).to.include(cmd);
  });

  it('prints the package version for --version', async () => {
    const { ctx, stdout } = fakeContext();
    expect(await runCli(['--version'], ctx)).to.equal(0);
    expect(stdout().trim()).to.equal(convoyPackage().version);
  });

  it('takes the global options before or after the command', async () => {
    const seen: GlobalOptions[] = [];
    const { ctx } = fakeContext({ listAgents: async () => [] });
    const connect = ctx.connect.bind(ctx);
    ctx.connect = (g) => {
      seen.push(g);
      return connect(g);
    };
    expect(await runCli(['--coordinator', '10.0.0.5:7400', 'agents'], ctx)).to.equal(0);
    expect(await runCli(['agents', '--coordinator', '10.0.0.6:7400'], ctx)).to.equal(0);
    expect(seen.map((g) => g.coordinator)).to.deep.equal(['10.0.0.5:7400', '10.0.0.6:7400']);
  });
});
