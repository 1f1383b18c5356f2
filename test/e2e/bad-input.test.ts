/**
 * Issue 12, "Bad input": each case of the fault campaign that fell short, as a row of a table,
 * run against the built programs. convoyd gets a bad coordinator.yaml; the CLI gets bad flags,
 * or asks a real convoyd about rollouts, hosts and steps that do not exist. Each row names the
 * exit code and the first line a user sees. Rows start in parallel (a `before` hook), so the
 * table takes about as long as its slowest process; the rows with exit 0 are the controls that
 * show the refusals are about the input, not a broken setup.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { createRollout } from '../../coordinator/rollout/planner.js';
import { SqliteStore } from '../../coordinator/store/sqlite-store.js';
import {
  cleanupEverything,
  freePort,
  makeTempDir,
  programPath,
  runCli,
  startProcess,
  writeYaml,
  type CliResult,
  type ManagedProcess,
} from '../helpers/index.js';

interface Outcome {
  code: number | null;
  /** stderr, or for a daemon that logs JSON the messages of its log lines, one per line. */
  lines: string[];
  stdout: string;
  /** Bytes written to stdout and stderr together. */
  bytes: number;
}

/** A row: the input, the exit code, and the line the user reads first (exact, or a pattern; a function for lines with ports and paths). */
interface Row {
  what: string;
  run: () => Promise<Outcome>;
  code: number;
  first: string | RegExp | (() => string);
  /** What stdout must show (the controls). */
  stdout?: RegExp;
}

const BASE = { stateFile: 'state.db', insecure: true };

/** The messages of a daemon's output: plain lines as they are, JSON log lines by their message. */
function messages(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      if (!l.startsWith('{')) return l;
      try {
        const m = (JSON.parse(l) as { message?: unknown }).message;
        return typeof m === 'string' ? m : l;
      } catch {
        return l;
      }
    });
}

function outcomeOfCli(res: CliResult): Outcome {
  const lines = res.stderr.split('\n').filter((l) => l !== '');
  return { code: res.code, lines, stdout: res.stdout, bytes: res.stdout.length + res.stderr.length };
}

describe('e2e: bad input is refused with exit 2 and a first line naming the key or flag (issue 12)', function () {
  this.timeout(60_000);
  let dir: string;
  let coordinator: ManagedProcess | undefined;
  let address = '';
  let busy: net.Server | undefined;
  const outcomes = new Map<string, Promise<Outcome>>();

  /** Runs `convoyd --config <file>` to its exit (a valid config is expected to exit too: a busy port). */
  async function convoyd(name: string, doc: unknown, extra: string[] = []): Promise<Outcome> {
    const file = path.join(dir, name, 'coordinator.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (typeof doc === 'string') fs.writeFileSync(file, doc);
    else writeYaml(file, doc);
    const proc = startProcess(`convoyd ${name}`, process.execPath, [programPath('convoyd'), '--config', file, ...extra]);
    const exit = await proc.waitForExit(20_000);
    return { code: exit.code, lines: messages(proc.output()), stdout: proc.stdout(), bytes: proc.stdout().length + proc.stderr().length };
  }

  const cli = async (args: string[], env: Record<string, string | undefined> = {}): Promise<Outcome> =>
    outcomeOfCli(await runCli(args, { coordinator: address, env }));

  /** A finished rollout r-1 of host hoss-a in convoyd's state, with one event and one line of build output. */
  function seedState(stateFile: string): void {
    const store = new SqliteStore(stateFile);
    const r = createRollout({
      id: 'r-1',
      cluster: 'hoss',
      target: 'v0.2.0',
      initiator: 'test',
      now: Date.now(),
      ackPreapproved: false,
      maxParallel: 1,
      authHost: '',
      allowDowngrade: false,
      autoRollback: false,
      healthDeadlineMs: 60_000,
      hosts: [{ agentId: 'hoss-a', plan: ['backup', 'checkout', 'build', 'up', 'health'], rerunnable: [] }],
    });
    Object.assign(r, { state: 'succeeded', phase: 'done', finishedAtMs: Date.now() });
    store.saveRollout(r, [
      { atMs: Date.now(), rolloutId: 'r-1', agentId: '', step: '', actor: 'test', kind: 'action', message: 'seeded by the test' },
    ]);
    store.appendLogLines('r-1', 'hoss-a', 'build', 'r-1.hoss-a.build.1', Date.now(), ['built v0.2.0']);
    store.close();
  }

  const x = (n: number): string => 'x'.repeat(n);
  const aliasBomb = [
    'listen: 127.0.0.1:7400',
    'stateFile: state.db',
    'insecure: true',
    'a0: &a0 [x, x, x, x, x, x, x, x, x, x]',
    ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
  ].join('\n');
  const manyKeys = `listen: 127.0.0.1:7400\nstateFile: state.db\ninsecure: true\n${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
  const file = (name: string): string => path.join(dir, name, 'coordinator.yaml');
  const withCluster = (cluster: Record<string, unknown>) => ({
    listen: '127.0.0.1:7400',
    ...BASE,
    clusters: [{ name: 'hoss', members: ['hoss-a'], ...cluster }],
  });

  const rows: Row[] = [
    // convoyd: coordinator.yaml
    {
      what: 'listen: 127.0.0.1:99999',
      run: () => convoyd('port', { listen: '127.0.0.1:99999', ...BASE }),
      code: 2,
      first:
        'coordinator.yaml: listen "127.0.0.1:99999" is not host:port (port 99999 is not a number from 1 to 65535; e.g. 127.0.0.1:7400)',
    },
    {
      what: 'http: localhost (no port)',
      run: () => convoyd('http', { listen: '127.0.0.1:7400', http: 'localhost', ...BASE }),
      code: 2,
      first: 'coordinator.yaml: http "localhost" is not host:port (the port is missing; e.g. localhost:9464)',
    },
    {
      what: 'heartbeatTimeout: 0s',
      run: () => convoyd('hb0', { listen: '127.0.0.1:7400', ...BASE, heartbeatTimeout: '0s' }),
      code: 2,
      first:
        'coordinator.yaml: heartbeatTimeout "0s" is shorter than the minimum 1s (convoyd checks heartbeats once a second); write a duration from 1s to 10m, e.g. "20s" (the default)',
    },
    {
      what: 'heartbeatTimeout shorter than two heartbeat intervals',
      run: () => convoyd('hb-short', { listen: '127.0.0.1:7400', ...BASE, heartbeatTimeout: '8s', heartbeatInterval: '5s' }),
      code: 2,
      first:
        'coordinator.yaml: heartbeatTimeout "8s" is shorter than 2 × heartbeatInterval (5s, the interval agents are asked to heartbeat at): agents would be marked disconnected between two heartbeats and reconnect forever; set heartbeatTimeout to at least 10s or heartbeatInterval to at most 4s',
    },
    {
      what: 'heartbeatTimeout: 9999999d',
      run: () => convoyd('hb-long', { listen: '127.0.0.1:7400', ...BASE, heartbeatTimeout: '9999999d' }),
      code: 2,
      first:
        'coordinator.yaml: heartbeatTimeout "9999999d" is longer than the maximum 10m (an agent that died would be shown connected, and its steps waited for, that long); write a duration from 1s to 10m, e.g. "20s" (the default)',
    },
    {
      what: 'healthDeadline: 30d',
      run: () => convoyd('deadline-long', withCluster({ healthDeadline: '30d' })),
      code: 2,
      first:
        'coordinator.yaml: clusters[0].healthDeadline "30d" is longer than the maximum 1h (the rollout would hold a half-updated host that long before failing it); write a duration from 1s to 1h, e.g. "5m" (the default)',
    },
    {
      what: 'healthDeadline: 0s',
      run: () => convoyd('deadline-zero', withCluster({ healthDeadline: '0s' })),
      code: 2,
      first:
        'coordinator.yaml: clusters[0].healthDeadline "0s" does not mean "no deadline": 0s is not sent, and each agent would wait its own health.deadline instead; write a duration from 1s to 1h, e.g. "5m" (the default)',
    },
    {
      what: 'maxParallel: 1000',
      run: () => convoyd('parallel', withCluster({ maxParallel: 1000 })),
      code: 2,
      first: 'coordinator.yaml: clusters[0].maxParallel 1000 must be a whole number from 1 to 64',
    },
    {
      what: 'a YAML alias bomb',
      run: () => convoyd('bomb', aliasBomb),
      code: 2,
      first:
        'coordinator.yaml: its YAML aliases (*name) expand too far (more than 100 resolved, as in a "billion laughs" document); write the values out instead of aliasing aliases',
    },
    {
      what: '20,000 unknown keys',
      run: () => convoyd('keys', manyKeys),
      code: 2,
      first:
        'coordinator.yaml: unknown keys "k0", "k1", "k2", "k3", "k4" and 19995 more (check the spelling; see docs/configuration.md for the keys)',
    },
    {
      what: 'a busy http: port',
      run: async () => convoyd('busy-http', { listen: `127.0.0.1:${await freePort()}`, http: busyAddress(), ...BASE }),
      code: 1,
      first: () =>
        `convoyd could not start: http (the metrics port) ${busyAddress()} is in use by another process; stop it, or set http: in ${file('busy-http')} to a free port`,
    },
    {
      what: 'a busy listen: port',
      run: () => convoyd('busy-listen', { listen: busyAddress(), ...BASE }),
      code: 1,
      first: () =>
        `convoyd could not start: listen (the gRPC port of agents and the CLI) ${busyAddress()} is in use by another process (another convoyd?); stop it, or set listen: in ${file('busy-listen')} to a free port`,
    },
    {
      what: 'a valid config with --check-config (control)',
      run: () => convoyd('valid', withCluster({}), ['--check-config']),
      code: 0,
      first: () => `convoyd: ${file('valid')} is valid (listen 127.0.0.1:7400, 1 cluster(s), 0 schedule(s), 0 operator(s))`,
    },
    // convoy: --coordinator and CONVOY_COORDINATOR
    {
      what: '--coordinator ""',
      run: () => cli(['--coordinator', '', 'agents']),
      code: 2,
      first: 'convoy: --coordinator "" is not host:port (it is empty; e.g. 127.0.0.1:7400): give the address convoyd listens on.',
    },
    {
      what: '--coordinator localhost (no port)',
      run: () => cli(['--coordinator', 'localhost', 'agents']),
      code: 2,
      first:
        'convoy: --coordinator "localhost" is not host:port (the port is missing; e.g. localhost:7400): give the address convoyd listens on.',
    },
    {
      what: '--coordinator :99999',
      run: () => cli(['--coordinator', ':99999', 'agents']),
      code: 2,
      first:
        'convoy: --coordinator ":99999" is not host:port (the host is missing; port 99999 is not a number from 1 to 65535; e.g. 127.0.0.1:7400): give the address convoyd listens on.',
    },
    {
      what: '--coordinator http://…',
      run: () => cli(['--coordinator', `http://${address}`, 'agents']),
      code: 2,
      first: () =>
        `convoy: --coordinator "http://${address}" is not host:port (a URL is not an address: write host:port without the scheme, e.g. ${address}): give the address convoyd listens on.`,
    },
    {
      what: 'CONVOY_COORDINATOR=localhost',
      run: () => cli(['agents'], { CONVOY_COORDINATOR: 'localhost' }),
      code: 2,
      first:
        'convoy: CONVOY_COORDINATOR "localhost" is not host:port (the port is missing; e.g. localhost:7400): give the address convoyd listens on.',
    },
    // convoy: unknown ids, hosts and steps (asked of a real convoyd)
    {
      what: 'events --rollout r-999',
      run: () => cli(['events', '--rollout', 'r-999']),
      code: 2,
      first: 'convoy: rollout r-999 does not exist; run `convoy rollout list`',
    },
    {
      what: 'rollout logs r-1 --step nosuch',
      run: () => cli(['rollout', 'logs', 'r-1', '--step', 'nosuch']),
      code: 2,
      first:
        'convoy: rollout r-1 has no step "nosuch" (its steps: backup, checkout, build, up, health, rollback-checkout, config); run `convoy rollout status r-1`',
    },
    {
      what: 'rollout logs r-1 --host nosuch',
      run: () => cli(['rollout', 'logs', 'r-1', '--host', 'nosuch']),
      code: 2,
      first: 'convoy: rollout r-1 has no host "nosuch" (its hosts: hoss-a); run `convoy rollout status r-1`',
    },
    {
      what: 'rollout status r-999',
      run: () => cli(['rollout', 'status', 'r-999']),
      code: 2,
      first: 'convoy: rollout r-999 does not exist; run `convoy rollout list`',
    },
    {
      what: 'rollout list --cluster nosuch',
      run: () => cli(['rollout', 'list', '--cluster', 'nosuch']),
      code: 2,
      first: 'convoy: cluster "nosuch" is not configured and has no rollouts; run `convoy agents` to see the clusters',
    },
    {
      what: 'backups nosuch',
      run: () => cli(['backups', 'nosuch']),
      code: 2,
      first: 'convoy: agent "nosuch" is not known; run `convoy agents`',
    },
    // convoy: arguments, named as typed
    {
      what: 'an over-long --to',
      run: () => cli(['rollout', 'start', 'hoss', '--to', x(300)]),
      code: 2,
      first: 'convoy: --to: the version is 300 characters long (at most 100). Give a tag or the tracked branch, e.g. --to v0.3.0',
    },
    {
      what: 'an over-long --reason',
      run: () => cli(['rollout', 'abort', 'r-1', '--reason', x(1001)]),
      code: 2,
      first: 'convoy: --reason is 1001 characters long (at most 1000). Shorten it.',
    },
    {
      what: 'rollout logs with a --step that is no step name',
      run: () => cli(['rollout', 'logs', 'r-1', '--step', 'Build!']),
      code: 2,
      first: 'convoy: --step "Build!" is not a step name (e.g. build, backup-after). Run `convoy rollout status <id>` to see the steps.',
    },
    // controls: the same commands with names that exist succeed
    { what: 'events --rollout r-1 (control)', run: () => cli(['events', '--rollout', 'r-1']), code: 0, first: /^$/ },
    {
      what: 'rollout logs r-1 --step build (control)',
      run: () => cli(['rollout', 'logs', 'r-1', '--step', 'build']),
      code: 0,
      first: /^$/,
    },
    { what: 'rollout list --cluster hoss (control)', run: () => cli(['rollout', 'list', '--cluster', 'hoss']), code: 0, first: /^$/ },
  ];

  function busyAddress(): string {
    const a = busy?.address();
    if (!a || typeof a === 'string') throw new Error('the busy port is not open');
    return `127.0.0.1:${a.port}`;
  }

  before(async () => {
    dir = await makeTempDir('convoy-bad-input-');
    busy = net.createServer();
    await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve));
    const coordDir = path.join(dir, 'coordinator');
    fs.mkdirSync(coordDir, { mode: 0o700 });
    seedState(path.join(coordDir, 'state.db'));
    address = `127.0.0.1:${await freePort()}`;
    writeYaml(path.join(coordDir, 'coordinator.yaml'), {
      listen: address,
      ...BASE,
      clusters: [{ name: 'hoss', members: ['hoss-a'] }],
    });
    coordinator = startProcess('convoyd', process.execPath, [programPath('convoyd'), '--config', path.join(coordDir, 'coordinator.yaml')]);
    await coordinator.waitForLine(/convoyd listening on/, 20_000);
    for (const row of rows) outcomes.set(row.what, row.run());
    // every row settles before the first assertion, so a slow row cannot outlive the hook
    await Promise.allSettled(outcomes.values());
  });

  after(async () => {
    await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()));
    await cleanupEverything();
  });

  for (const row of rows) {
    it(`${row.what}: exit ${row.code}`, async () => {
      const out = await outcomes.get(row.what)!;
      const expected = typeof row.first === 'function' ? row.first() : row.first;
      if (expected instanceof RegExp) {
        expect(out.code, out.lines.join('\n')).to.equal(row.code);
        expect(out.lines[0] ?? '', out.lines.join('\n')).to.match(expected);
        if (row.stdout) expect(out.stdout).to.match(row.stdout);
        return;
      }
      expect(out.code, out.lines.join('\n')).to.equal(row.code);
      if (row.code === 2 && expected.startsWith('coordinator.yaml')) {
        // convoyd: a heading, the problems indented, then the fix
        expect(out.lines[0]).to.equal('convoyd: invalid configuration');
        expect(out.lines[1]).to.equal(`  ${expected}`);
        expect(out.lines.at(-1)).to.match(/^Edit \/.*coordinator\.yaml and restart convoyd\.$/);
      } else {
        expect(out.lines, out.lines.join('\n')).to.include(expected);
        if (row.code !== 1) expect(out.lines[0]).to.equal(expected);
      }
    });
  }

  it('keeps the answer to 20,000 unknown keys short', async () => {
    const out = await outcomes.get('20,000 unknown keys')!;
    expect(out.bytes).to.be.below(1024);
  });

  it('left convoyd running through all of it', () => {
    expect(coordinator?.hasExited(), coordinator?.tail()).to.equal(false);
  });
});
