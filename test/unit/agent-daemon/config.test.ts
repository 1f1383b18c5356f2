import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAgentConfig } from '../../../agent/config.js';
import { HELLO_LIMITS } from '../../../agent/config/coordinator-limits.js';
import { helloSchema, parseWire } from '../../../coordinator/rpc/validate.js';
import type { Hello } from '../../../shared/wire.js';
import { ConfigError } from '../../../shared/errors.js';

/** The coordinator's first problem with a value, or undefined when it accepts it. */
function problemIn(schema: Parameters<typeof parseWire>[0], value: unknown): string | undefined {
  const r = parseWire(schema, value);
  return r.ok ? undefined : r.problem;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-agent-config-'));
const file = path.join(dir, 'agent.yaml');
fs.mkdirSync(path.join(dir, 'hoss', '.git'), { recursive: true });
fs.mkdirSync(path.join(dir, 'hoss', 'server'));
fs.mkdirSync(path.join(dir, 'not-a-repo'));
for (const pem of ['ca.pem', 'agent.pem', 'agent-key.pem']) fs.writeFileSync(path.join(dir, pem), 'PEM', { mode: 0o600 });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const COORDINATOR = 'coordinator:\n  address: 127.0.0.1:7400\n  insecure: true\n';
const BASE = `id: hoss-auth\n${COORDINATOR}repo: hoss\nserverDir: hoss/server\nstateDir: state\n`;

function problems(text: string): string[] {
  try {
    parseAgentConfig(file, text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('agent config', () => {
  it('applies the documented defaults and resolves paths against the config directory', () => {
    const c = parseAgentConfig(file, BASE);
    expect(c.file).to.equal(file);
    expect(c.repo).to.equal(path.join(dir, 'hoss'));
    expect(c.serverDir).to.equal(path.join(dir, 'hoss', 'server'));
    expect(c.stateDir).to.equal(path.join(dir, 'state'));
    expect(c.coordinator).to.deep.equal({
      address: '127.0.0.1:7400',
      insecure: true,
      tls: undefined,
      heartbeatIntervalMs: 5000,
      backoff: { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 },
    });
    expect(c.fetch).to.equal(true);
    expect(c.labels).to.deep.equal({});
    expect(c.releaseNotes).to.deep.equal({ changelog: 'CHANGELOG.md', markers: ['ACTION REQUIRED', 'Required changes'] });
    expect(c.backup).to.deep.equal({ archiveGlob: 'backups/*.tar.gz', compatibility: 'same-major-minor', keepPerMinor: 3 });
    expect(parseAgentConfig(file, `${BASE}backup:\n  keep: { perMinor: all }\n`).backup.keepPerMinor).to.equal(0);
    expect(parseAgentConfig(file, `${BASE}backup:\n  keep: { perMinor: 5 }\n`).backup.keepPerMinor).to.equal(5);
    expect(c.health).to.equal(undefined);
    expect(c.restore).to.equal(undefined);
    expect(c.maintenanceOn).to.equal(undefined);
  });

  it('lists the plan in order with the default commands and timeouts', () => {
    const c = parseAgentConfig(file, BASE);
    const server = path.join(dir, 'hoss', 'server');
    expect(c.steps.map((s) => [s.name, s.command, s.timeoutMs, s.builtin])).to.deep.equal([
      ['backup', 'hossadm backup', 1_800_000, false],
      ['release-notes', undefined, 300_000, true],
      ['checkout', undefined, 300_000, true],
      ['config', 'make config', 600_000, false],
      ['build', 'make build', 7_200_000, false],
      ['up', 'make up DETACH=true', 1_800_000, false],
      ['health', undefined, 120_000, true],
      ['backup-after', 'hossadm backup', 1_800_000, false],
    ]);
    for (const s of c.steps) {
      expect(s.cwd).to.equal(server);
      expect(s.enabled).to.equal(true);
      expect(s.rerunnable).to.equal(true);
      expect(s.env).to.deep.equal({});
    }
  });

  it('creates a missing stateDir with mode 0700', () => {
    const c = parseAgentConfig(file, BASE.replace('stateDir: state', 'stateDir: fresh/state'));
    expect(fs.statSync(c.stateDir).mode & 0o777).to.equal(0o700);
  });

  it('gives backup-after the backup settings it does not set itself', () => {
    const c = parseAgentConfig(
      file,
      `${BASE}steps:\n  backup: { command: ["bin/backup", "--all"], timeout: 1h, env: { LEVEL: 9 } }\n  backup-after: { timeout: 5m }\n`,
    );
    const after = c.steps.find((s) => s.name === 'backup-after');
    expect(after?.command).to.deep.equal(['bin/backup', '--all']);
    expect(after?.timeoutMs).to.equal(300_000);
    expect(after?.env).to.deep.equal({ LEVEL: '9' });
  });

  it('resolves health, TLS files and the optional steps', () => {
    const text =
      'id: hoss-a\ncoordinator:\n  address: convoy.example.com:7400\n  tls: { ca: ca.pem, cert: agent.pem, key: agent-key.pem }\n  heartbeatInterval: 2s\n' +
      'repo: hoss\nstateDir: state\nhealth:\n  url: http://127.0.0.1:8080/healthz\n  versionField: build.version\n  deadline: 1m\n' +
      'steps:\n  restore: { command: \'hossadm restore "$CONVOY_BACKUP_ARCHIVE"\' }\n  maintenance-on: { command: make maintenance-on }\n  build: { enabled: false }\n';
    const c = parseAgentConfig(file, text);
    expect(c.coordinator.tls).to.deep.equal({
      ca: path.join(dir, 'ca.pem'),
      cert: path.join(dir, 'agent.pem'),
      key: path.join(dir, 'agent-key.pem'),
    });
    expect(c.coordinator.insecure).to.equal(false);
    expect(c.health).to.deep.equal({
      url: 'http://127.0.0.1:8080/healthz',
      versionField: 'build.version',
      alsoUrls: [],
      intervalMs: 1000,
      deadlineMs: 60_000,
      monitorIntervalMs: 10_000,
      requestTimeoutMs: 5000,
    });
    expect(c.serverDir).to.equal(path.join(dir, 'hoss'));
    expect(c.restore?.command).to.equal('hossadm restore "$CONVOY_BACKUP_ARCHIVE"');
    expect(c.restore?.timeoutMs).to.equal(1_800_000);
    expect(c.maintenanceOn?.command).to.equal('make maintenance-on');
    expect(c.maintenanceOff).to.equal(undefined);
    expect(c.steps.find((s) => s.name === 'build')?.enabled).to.equal(false);
  });

  it('resolves a health check by command, run in serverDir with the agent-wide CONVOY_* variables', () => {
    const c = parseAgentConfig(file, `${BASE}health:\n  command: hossadm status --json\n  versionField: version\n  requestTimeout: 10s\n`);
    const server = path.join(dir, 'hoss', 'server');
    expect(c.health).to.deep.equal({
      command: 'hossadm status --json',
      cwd: server,
      env: { CONVOY_AGENT_ID: 'hoss-auth', CONVOY_SERVER_DIR: server, CONVOY_REPO: path.join(dir, 'hoss') },
      versionField: 'version',
      alsoUrls: [],
      intervalMs: 1000,
      deadlineMs: 120_000,
      monitorIntervalMs: 10_000,
      requestTimeoutMs: 10_000,
    });
    expect(c.steps.find((s) => s.name === 'health')?.timeoutMs).to.equal(130_000);
  });

  it('accepts a health command as a list of argv words', () => {
    const c = parseAgentConfig(file, `${BASE}health:\n  command: [bin/healthcheck, --json]\n`);
    expect(c.health?.command).to.deep.equal(['bin/healthcheck', '--json']);
  });

  for (const address of ['localhost:7400', '127.3.2.1:7400', '[::1]:7400']) {
    it(`accepts plaintext to the loopback address ${address}`, () => {
      expect(parseAgentConfig(file, BASE.replace('127.0.0.1:7400', `"${address}"`)).coordinator.address).to.equal(address);
    });
  }

  it('refuses 127.0.0.999: not an IP address, so grpc-js would look it up as a host name', () => {
    expect(() => parseAgentConfig(file, BASE.replace('127.0.0.1:7400', '127.0.0.999:7400'))).to.throw(
      'agent.yaml: coordinator.address "127.0.0.999:7400" is not host:port ("127.0.0.999" is not an IPv4 address (four numbers from 0 to 255); e.g. 127.0.0.1:7400)',
    );
  });

  it('refuses plaintext to a host name other than localhost', () => {
    expect(() => parseAgentConfig(file, BASE.replace('127.0.0.1:7400', 'convoy.example.com:7400'))).to.throw(
      'agent.yaml: coordinator.insecure is true but coordinator.address "convoy.example.com:7400" is not a loopback address',
    );
  });

  const table: [string, string, string][] = [
    [
      'a health URL without a scheme',
      `${BASE}health:\n  url: localhost:8080\n`,
      'agent.yaml: health.url "localhost:8080" is not a URL (expected http:// or https://)',
    ],
    [
      'a health check with both a URL and a command',
      `${BASE}health:\n  url: http://127.0.0.1:8080/healthz\n  command: hossadm status --json\n`,
      'agent.yaml: health.url "http://127.0.0.1:8080/healthz" and health.command "hossadm status --json" are both set; a health check is either a URL or a command. Remove one of the two keys',
    ],
    [
      'a health check with neither a URL nor a command',
      `${BASE}health:\n  versionField: version\n`,
      'agent.yaml: health has neither url nor command; set one (e.g. url: http://127.0.0.1:8080/healthz or command: "hossadm status --json"), or remove health: to skip the health check',
    ],
    ['an empty health command', `${BASE}health:\n  command: ""\n`, 'agent.yaml: health.command "" must not be empty'],
    [
      'a command on the health step instead of health.command',
      `${BASE}steps:\n  health: { command: hossadm status }\n`,
      'agent.yaml: steps.health.command "hossadm status" is not accepted: health is a built-in step and runs no command (to check health with a command, move it to health.command; use enabled: false to switch the step off)',
    ],
    [
      'a bad agent id',
      BASE.replace('hoss-auth', 'Hoss_Auth'),
      'agent.yaml: id "Hoss_Auth" is not a valid agent id (expected [a-z0-9][a-z0-9._-]{0,62}: lower-case letters, digits, . _ -, starting with a letter or digit)',
    ],
    ['a missing id', BASE.replace('id: hoss-auth\n', ''), 'agent.yaml: id is missing (expected string, received undefined)'],
    [
      'an address without a port',
      BASE.replace('127.0.0.1:7400', 'localhost'),
      'agent.yaml: coordinator.address "localhost" is not host:port (the port is missing; e.g. localhost:7400)',
    ],
    [
      'an unknown key',
      `${BASE}trackedBrnch: main\n`,
      'agent.yaml: unknown key "trackedBrnch" (check the spelling; see docs/configuration.md for the keys)',
    ],
    [
      'an unknown step',
      `${BASE}steps:\n  biuld: { command: make }\n`,
      "agent.yaml: steps.biuld is defined but no procedure runs it (add it to procedures.update or procedures.rollback, or name it in another step's alongside)",
    ],
    [
      'a command on a built-in step',
      `${BASE}steps:\n  checkout: { command: git pull }\n`,
      'agent.yaml: steps.checkout.command "git pull" is not accepted: checkout is a built-in step and runs no command (remove the key; use enabled: false to switch the step off)',
    ],
    [
      'a restore without a command',
      `${BASE}steps:\n  restore: { timeout: 1h }\n`,
      'agent.yaml: steps.restore.command is missing: restore has no default command (e.g. command: \'hossadm restore "$CONVOY_BACKUP_ARCHIVE"\'), or remove steps.restore',
    ],
    [
      'a zero timeout',
      `${BASE}steps:\n  build: { timeout: 0s }\n`,
      'agent.yaml: steps.build.timeout "0s" must be at least 1s (a step timeout, e.g. 10m)',
    ],
    [
      'a step timeout under a second',
      `${BASE}steps:\n  build: { timeout: 500ms }\n`,
      'agent.yaml: steps.build.timeout "500ms" must be at least 1s (a step timeout, e.g. 10m)',
    ],
    [
      'a step timeout longer than the coordinator accepts',
      `${BASE}steps:\n  build: { timeout: 8d }\n`,
      'agent.yaml: steps.build.timeout 8d is longer than the 7d the coordinator accepts for one step. Shorten it',
    ],
    [
      'a step whose timeout with its cleanup and verify adds up past the limit',
      `${BASE}steps:\n  build: { timeout: 3d, cleanup: make clean, verify: make check }\n`,
      "agent.yaml: steps.build.timeout 3d adds up to 9d with the step's cleanup, verify or alongside step; the coordinator accepts at most 7d for one step. Shorten the timeout",
    ],
    [
      'a heartbeat interval over a minute',
      BASE.replace('  insecure: true\n', '  insecure: true\n  heartbeatInterval: 5m\n'),
      'agent.yaml: coordinator.heartbeatInterval "5m" must be at most 1m (the coordinator counts an agent lost after missing heartbeats; e.g. 5s)',
    ],
    [
      'a heartbeat interval under 100ms',
      BASE.replace('  insecure: true\n', '  insecure: true\n  heartbeatInterval: 10ms\n'),
      'agent.yaml: coordinator.heartbeatInterval "10ms" must be at least 100ms (the coordinator counts an agent lost after missing heartbeats; e.g. 5s)',
    ],
    [
      'a health request timeout as long as the deadline',
      `${BASE}health:\n  url: http://127.0.0.1:8080/healthz\n  requestTimeout: 30s\n  deadline: 20s\n`,
      'agent.yaml: health.requestTimeout "30s" must be shorter than health.deadline (20s): one probe must fit in the deadline. Shorten requestTimeout or lengthen deadline (e.g. requestTimeout: 5s, deadline: 2m)',
    ],
    [
      'a health interval longer than the deadline',
      `${BASE}health:\n  url: http://127.0.0.1:8080/healthz\n  interval: 3m\n`,
      'agent.yaml: health.interval "3m" must be shorter than health.deadline (2m): the health step probes every interval until the deadline. Shorten interval or lengthen deadline (e.g. interval: 1s, deadline: 2m)',
    ],
    [
      'a health interval under 100ms',
      `${BASE}health:\n  url: http://127.0.0.1:8080/healthz\n  interval: 5ms\n`,
      'agent.yaml: health.interval "5ms" must be at least 100ms (e.g. 1s)',
    ],
    [
      'a health deadline longer than the coordinator accepts for a step',
      `${BASE}health:\n  url: http://127.0.0.1:8080/healthz\n  deadline: 8d\n`,
      'agent.yaml: health.deadline 8d: the health step may run 8d5s (the deadline plus one requestTimeout, or steps.health.timeout), longer than the 7d the coordinator accepts for one step. Shorten health.deadline',
    ],
    [
      'more labels than the coordinator accepts',
      `${BASE}labels:\n${Array.from({ length: 65 }, (_, i) => `  l${i}: v`).join('\n')}\n`,
      'agent.yaml: labels has 65 labels; the coordinator accepts at most 64. Remove 1 of them',
    ],
    [
      'a label key longer than the coordinator accepts',
      `${BASE}labels:\n  ${'k'.repeat(64)}: v\n`,
      `agent.yaml: labels key "${'k'.repeat(64)}" has 64 characters; the coordinator accepts label keys of at most 63. Shorten the key`,
    ],
    [
      'a label value longer than the coordinator accepts',
      `${BASE}labels:\n  team: ${'x'.repeat(257)}\n`,
      `agent.yaml: labels.team "${'x'.repeat(40)}…" has 257 characters; the coordinator accepts label values of at most 256. Shorten the value`,
    ],
    [
      'a plan longer than the coordinator accepts',
      `${BASE}steps:\n${Array.from({ length: 33 }, (_, i) => `  s${i}: { command: "true" }`).join('\n')}\nprocedures:\n  update: [${Array.from({ length: 33 }, (_, i) => `s${i}`).join(', ')}]\n`,
      'agent.yaml: procedures.update has 33 enabled steps (maintenance-on and -off included); the coordinator accepts a plan of at most 32. Merge some steps into one command, or switch some off',
    ],
    [
      'a bad duration',
      BASE.replace('  insecure: true\n', '  insecure: true\n  heartbeatInterval: often\n'),
      'agent.yaml: coordinator.heartbeatInterval "often" is not a duration (expected e.g. "500ms", "30s", "5m", "2h", "1h30m")',
    ],
    [
      'a reserved environment variable',
      `${BASE}steps:\n  build: { env: { CONVOY_TARGET_VERSION: x } }\n`,
      'agent.yaml: steps.build.env.CONVOY_TARGET_VERSION "x" is reserved: Convoy sets the CONVOY_* variables itself (use another name)',
    ],
    [
      'an unknown compatibility rule',
      `${BASE}backup:\n  compatibility: minor\n`,
      'agent.yaml: backup.compatibility "minor" is not a compatibility rule (expected same-major-minor, same-major, exact or any)',
    ],
    [
      'a backup.keep of no archive',
      `${BASE}backup:\n  keep: { perMinor: 0 }\n`,
      'agent.yaml: backup.keep.perMinor 0 must be a whole number from 1 to 1000 (archives kept per major.minor) or "all"',
    ],
    [
      'a backup.keep that is not a number',
      `${BASE}backup:\n  keep: { perMinor: some }\n`,
      'agent.yaml: backup.keep.perMinor "some" must be a whole number from 1 to 1000 (archives kept per major.minor) or "all"',
    ],
    [
      'plaintext to a remote coordinator',
      BASE.replace('127.0.0.1:7400', '10.0.0.5:7400'),
      'agent.yaml: coordinator.insecure is true but coordinator.address "10.0.0.5:7400" is not a loopback address; plaintext gRPC is only accepted on 127.0.0.0/8, ::1 or localhost. Configure coordinator.tls: { ca, cert, key } and remove insecure: true',
    ],
    [
      'no TLS and no insecure',
      BASE.replace('  insecure: true\n', ''),
      'agent.yaml: coordinator.tls is missing: the agent reaches coordinator.address "127.0.0.1:7400" over TLS unless insecure: true (loopback only). Set coordinator.tls: { ca, cert, key } (PEM files)',
    ],
    [
      'a TLS file that does not exist',
      BASE.replace('  insecure: true\n', '  tls: { ca: ca.pem, cert: missing.pem, key: agent-key.pem }\n'),
      `agent.yaml: coordinator.tls.cert "missing.pem" (resolved to ${path.join(dir, 'missing.pem')}) does not exist (expected a PEM file)`,
    ],
    [
      'a repo that does not exist',
      BASE.replace('repo: hoss', 'repo: /nonexistent/hoss').replace('serverDir: hoss/server\n', ''),
      'agent.yaml: repo "/nonexistent/hoss" does not exist (expected the root of the server\'s git work tree)',
    ],
    [
      'a repo that is not a git work tree',
      BASE.replace('repo: hoss', 'repo: not-a-repo').replace('serverDir: hoss/server\n', ''),
      `agent.yaml: repo "not-a-repo" (resolved to ${path.join(dir, 'not-a-repo')}) is not a git work tree (no .git inside; expected the directory the server was cloned into)`,
    ],
    [
      'a serverDir that does not exist',
      BASE.replace('hoss/server', 'hoss/srv'),
      `agent.yaml: serverDir "hoss/srv" (resolved to ${path.join(dir, 'hoss', 'srv')}) does not exist (expected the directory where make runs; default: repo)`,
    ],
  ];
  for (const [name, text, message] of table) {
    it(`names the file, key, value and fix for ${name}`, () => {
      expect(problems(text)).to.deep.equal([message]);
    });
  }

  it("agrees with the coordinator's Hello limits: a Hello at every limit is accepted, one past any of them is refused", () => {
    const hello = (over: Partial<Hello> = {}): Hello => ({
      agentId: 'hoss-a',
      labels: Object.fromEntries(
        Array.from({ length: HELLO_LIMITS.labels }, (_, i) => [
          `${i}`.padEnd(HELLO_LIMITS.labelKeyChars, 'k'),
          'v'.repeat(HELLO_LIMITS.labelValueChars),
        ]),
      ),
      serverDir: '/'.padEnd(HELLO_LIMITS.serverDirChars, 'd'),
      agentVersion: '0.1.0',
      repo: { installedVersion: '0.1.0', commit: '', clean: true, tags: [], branch: '', trackedBranch: '', dirtyDetail: '' },
      health: { healthy: true, version: '', detail: '', checkedAtMs: 0, configured: false },
      plan: Array.from({ length: HELLO_LIMITS.planSteps }, (_, i) => `s${i}`),
      rerunnableSteps: Array.from({ length: HELLO_LIMITS.rerunnableSteps }, (_, i) => `s${i}`),
      backups: [],
      undelivered: [],
      inFlight: null,
      hostname: 'host-a',
      hasRestore: false,
      stepTimeoutsMs: { build: HELLO_LIMITS.stepTimeoutMs },
      rollbackPlan: Array.from({ length: HELLO_LIMITS.rollbackSteps }, (_, i) => `r${i}`),
      backupCompatibility: 'same-major-minor',
      backupSteps: [],
      profile: '',
      protocolVersion: 1,
      backupKeepPerMinor: 3,
      ...over,
    });
    const base = hello();
    expect(problemIn(helloSchema, base)).to.equal(undefined);
    const past: Partial<Hello>[] = [
      { labels: { ...base.labels, extra: 'v' } },
      { labels: { ['k'.repeat(HELLO_LIMITS.labelKeyChars + 1)]: 'v' } },
      { labels: { k: 'v'.repeat(HELLO_LIMITS.labelValueChars + 1) } },
      { serverDir: `${base.serverDir}d` },
      { plan: [...base.plan, 'one-more'] },
      { rerunnableSteps: [...base.rerunnableSteps, 'one-more'] },
      { rollbackPlan: [...(base.rollbackPlan ?? []), 'one-more'] },
      { stepTimeoutsMs: { build: HELLO_LIMITS.stepTimeoutMs + 1 } },
    ];
    for (const over of past) expect(problemIn(helloSchema, hello(over)), JSON.stringify(over).slice(0, 80)).to.be.a('string');
  });

  it('refuses a world-writable stateDir', () => {
    const open = path.join(dir, 'open-state');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    expect(problems(BASE.replace('stateDir: state', 'stateDir: open-state'))).to.deep.equal([
      `agent.yaml: stateDir "open-state" (resolved to ${open}) is world-writable (mode 0777); other users could forge the journal. Run chmod 700 ${open} or choose another directory`,
    ]);
  });

  it('reports every problem at once and does not create stateDir for a broken file', () => {
    const text = BASE.replace('repo: hoss', 'repo: not-a-repo')
      .replace('hoss/server', 'hoss/srv')
      .replace('stateDir: state', 'stateDir: never-made');
    expect(problems(text)).to.have.length(2);
    expect(fs.existsSync(path.join(dir, 'never-made'))).to.equal(false);
  });
});
