/** The CLI's arguments and --coordinator, refused before any connection (coordinator/cli/arguments.ts, client.ts). */
import { expect } from 'chai';
import { coordinatorAddress, DEFAULT_COORDINATOR } from '../../../coordinator/cli/client.js';
import { runCli } from '../../../coordinator/cli/program.js';
import { fakeContext } from './fake-context.js';

describe('convoy: every argument is checked before the coordinator is asked', () => {
  const refused: [string, string[], string][] = [
    [
      'an over-long --to (named as typed, not target_version)',
      ['rollout', 'start', 'hoss', '--to', 'v'.repeat(300)],
      'convoy: --to: the version is 300 characters long (at most 100). Give a tag or the tracked branch, e.g. --to v0.3.0',
    ],
    [
      'a --to that is no git ref',
      ['plan', 'hoss', '--to', 'v1..2'],
      'convoy: --to: "v1..2" is not a valid git ref name. Give a tag or the tracked branch, e.g. --to v0.3.0',
    ],
    [
      'a cluster name in capitals',
      ['plan', 'Hoss', '--to', 'v1'],
      'convoy: "Hoss" is not a valid cluster name (lower-case letters, digits, . _ -, at most 63 characters, starting with a letter or digit). Run `convoy agents` to list them.',
    ],
    [
      'a --host with a space',
      ['rollout', 'start', '--host', 'hoss a', '--to', 'v1'],
      'convoy: --host "hoss a" is not a valid agent name (lower-case letters, digits, . _ -, at most 63 characters, starting with a letter or digit). Run `convoy agents` to list them.',
    ],
    [
      'a rollout id with a slash',
      ['rollout', 'status', 'r/1'],
      'convoy: "r/1" is not a rollout id (e.g. r-12). Run `convoy rollout list` to see them.',
    ],
    [
      'an events --rollout that is no id',
      ['events', '--rollout', '../r-1'],
      'convoy: --rollout "../r-1" is not a rollout id (e.g. r-12). Run `convoy rollout list` to see them.',
    ],
    [
      'a --step that is no step name',
      ['rollout', 'logs', 'r-1', '--step', 'Build'],
      'convoy: --step "Build" is not a step name (e.g. build, backup-after). Run `convoy rollout status <id>` to see the steps.',
    ],
    [
      'a --reason over the limit',
      ['rollout', 'abort', 'r-1', '--reason', 'x'.repeat(1001)],
      'convoy: --reason is 1001 characters long (at most 1000). Shorten it.',
    ],
    [
      'a --reason on two lines',
      ['rollout', 'pause', 'r-1', '--reason', 'a\nb'],
      'convoy: --reason "a\\x0ab" holds control characters (a newline?). Write it on one line.',
    ],
    [
      'a schedule name with a space',
      ['schedules', 'run', 'sunday night'],
      'convoy: "sunday night" is not a valid schedule name (lower-case letters, digits, . _ -, at most 63 characters, starting with a letter or digit). Run `convoy schedules` to list them.',
    ],
    [
      'an agent name in capitals',
      ['backups', 'HOSS-A'],
      'convoy: "HOSS-A" is not a valid agent name (lower-case letters, digits, . _ -, at most 63 characters, starting with a letter or digit). Run `convoy agents` to list them.',
    ],
  ];
  for (const [what, argv, line] of refused) {
    it(`exits 2 for ${what}`, async () => {
      const { ctx, stderr, connects } = fakeContext();
      expect(await runCli(argv, ctx)).to.equal(2);
      expect(connects(), 'no connection').to.equal(0);
      expect(stderr()).to.deep.equal([line]);
    });
  }

  it('passes valid arguments through unchanged', async () => {
    const seen: unknown[] = [];
    const { ctx } = fakeContext({
      listEvents: async (req) => {
        seen.push(req);
        return [];
      },
    });
    expect(await runCli(['events', '--rollout', 'r-12'], ctx)).to.equal(0);
    expect(seen).to.deep.equal([{ rolloutId: 'r-12', limit: 50 }]);
  });
});

describe('convoy: --coordinator and CONVOY_COORDINATOR', () => {
  const refused: [string, Record<string, string>, Record<string, string>, string][] = [
    [
      '--coordinator ""',
      { coordinator: '' },
      {},
      '--coordinator "" is not host:port (it is empty; e.g. 127.0.0.1:7400): give the address convoyd listens on.',
    ],
    [
      '--coordinator localhost',
      { coordinator: 'localhost' },
      {},
      '--coordinator "localhost" is not host:port (the port is missing; e.g. localhost:7400): give the address convoyd listens on.',
    ],
    [
      '--coordinator :99999',
      { coordinator: ':99999' },
      {},
      '--coordinator ":99999" is not host:port (the host is missing; port 99999 is not a number from 1 to 65535; e.g. 127.0.0.1:7400): give the address convoyd listens on.',
    ],
    [
      '--coordinator http://convoy:7400',
      { coordinator: 'http://convoy:7400' },
      {},
      '--coordinator "http://convoy:7400" is not host:port (a URL is not an address: write host:port without the scheme, e.g. convoy:7400): give the address convoyd listens on.',
    ],
    [
      'CONVOY_COORDINATOR=localhost',
      {},
      { CONVOY_COORDINATOR: 'localhost' },
      'CONVOY_COORDINATOR "localhost" is not host:port (the port is missing; e.g. localhost:7400): give the address convoyd listens on.',
    ],
  ];
  for (const [what, globals, env, message] of refused) {
    it(`refuses ${what} (exit 2), naming where it came from`, () => {
      expect(() => coordinatorAddress(globals, env))
        .to.throw(message)
        .with.property('exitCode', 2);
    });
  }

  it('judges the flag over the variable, and reads an empty variable as unset', () => {
    expect(coordinatorAddress({ coordinator: 'c2:7400' }, { CONVOY_COORDINATOR: 'bad' })).to.equal('c2:7400');
    expect(coordinatorAddress({}, { CONVOY_COORDINATOR: '' })).to.equal(DEFAULT_COORDINATOR);
    expect(coordinatorAddress({}, { CONVOY_COORDINATOR: '[::1]:7400' })).to.equal('[::1]:7400');
  });
});
