import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { expect } from 'chai';
import { coordinatorFileSchema, resolveCoordinatorConfig } from '../../../coordinator/config.js';
import { parseYamlConfig } from '../../../shared/config-file.js';
import { ConfigError } from '../../../shared/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-config-'));
const file = path.join(dir, 'coordinator.yaml');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function load(text: string) {
  const raw = parseYamlConfig(file, text, coordinatorFileSchema, `Edit ${file} and restart convoyd.`);
  return resolveCoordinatorConfig(file, raw);
}

function problems(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const BASE = 'listen: 127.0.0.1:7400\nstateFile: state.db\ninsecure: true\n';

describe('coordinator config', () => {
  it('resolves defaults and relative paths', () => {
    const c = load(`${BASE}clusters:\n  - name: hoss\n    authServer: a\n    members: [a, b]\n`);
    expect(c.stateFile).to.equal(path.join(dir, 'state.db'));
    expect(c.heartbeatTimeoutMs).to.equal(20_000);
    expect(c.clusters).to.deep.equal([
      {
        name: 'hoss',
        authServer: 'a',
        members: ['a', 'b'],
        maxParallel: 1,
        healthDeadlineMs: 300_000,
        allowDowngrade: false,
        autoRollback: false,
        alerts: undefined,
      },
    ]);
  });

  const table: [string, string, string][] = [
    [
      'an unknown key',
      `${BASE}listn: x\n`,
      'coordinator.yaml: unknown key "listn" (check the spelling; see docs/configuration.md for the keys)',
    ],
    [
      'a bad duration',
      `${BASE}heartbeatTimeout: soon\n`,
      'coordinator.yaml: heartbeatTimeout "soon" is not a duration (expected e.g. "500ms", "30s", "5m", "2h", "1h30m")',
    ],
    [
      'a bad address',
      'listen: "7400"\nstateFile: s.db\ninsecure: true\n',
      'coordinator.yaml: listen "7400" is not host:port (the host is missing; e.g. 127.0.0.1:7400)',
    ],
    [
      'an auth server that is not a member',
      `${BASE}clusters:\n  - name: hoss\n    authServer: z\n    members: [a, b]\n`,
      'coordinator.yaml: clusters[0].authServer "z" is not one of its members (a, b); add it to members or fix the name',
    ],
    [
      'a member in two clusters',
      `${BASE}clusters:\n  - name: one\n    members: [a, b]\n  - name: two\n    members: [b]\n`,
      'coordinator.yaml: clusters[1].members[0] "b" is already a member of cluster "one"; a host belongs to one cluster',
    ],
    [
      'a zero maxParallel',
      `${BASE}clusters:\n  - name: hoss\n    members: [a]\n    maxParallel: 0\n`,
      'coordinator.yaml: clusters[0].maxParallel 0 must be a whole number from 1 to 64',
    ],
    [
      'plaintext on a public address',
      'listen: 0.0.0.0:7400\nstateFile: s.db\ninsecure: true\n',
      'coordinator.yaml: insecure: true is refused for listen "0.0.0.0:7400" (plaintext is only allowed on a loopback address); configure tls: {ca, cert, key} instead',
    ],
    [
      '127.0.0.999 (no IP address: a resolver would look it up as a host name)',
      'listen: 127.0.0.999:7400\nstateFile: s.db\ninsecure: true\n',
      'coordinator.yaml: listen "127.0.0.999:7400" is not host:port ("127.0.0.999" is not an IPv4 address (four numbers from 0 to 255); e.g. 127.0.0.1:7400)',
    ],
    [
      'plaintext on a host name other than localhost',
      'listen: convoy.example.com:7400\nstateFile: s.db\ninsecure: true\n',
      'coordinator.yaml: insecure: true is refused for listen "convoy.example.com:7400" (plaintext is only allowed on a loopback address); configure tls: {ca, cert, key} instead',
    ],
    ['a missing listen', 'stateFile: s.db\ninsecure: true\n', 'coordinator.yaml: listen is missing (expected string, received undefined)'],
  ];
  for (const [name, text, message] of table) {
    it(`names the file, key and value for ${name}`, () => {
      expect(problems(text)).to.include(message);
    });
  }

  it('reports broken YAML with its line', () => {
    expect(() => load('listen: [\n')).to.throw(ConfigError, /coordinator.yaml: line \d+, column \d+ is not valid YAML/);
  });
});

describe('coordinator config: retention', () => {
  it('keeps step output and events 90 days and 1 GiB by default', () => {
    expect(load(BASE).retention).to.deep.equal({ maxAgeMs: 90 * 86_400_000, maxLogBytes: 1024 ** 3 });
  });

  it('reads retention.maxAge and retention.maxLogSize as operators write them', () => {
    expect(load(`${BASE}retention:\n  maxAge: 14d\n  maxLogSize: 256MiB\n`).retention).to.deep.equal({
      maxAgeMs: 14 * 86_400_000,
      maxLogBytes: 256 * 1024 * 1024,
    });
  });

  it('names a size it cannot read, and one too small to be useful', () => {
    expect(problems(`${BASE}retention:\n  maxLogSize: 1GB\n`)).to.deep.equal([
      'coordinator.yaml: retention.maxLogSize "1GB" is not a size (expected e.g. "512MiB", "1GiB", "64KiB")',
    ]);
    expect(problems(`${BASE}retention:\n  maxLogSize: 64KiB\n`)).to.deep.equal([
      'coordinator.yaml: retention.maxLogSize "64KiB" is smaller than the minimum 1MiB (the output of a single rollout would not fit); write a size from 1MiB to 1TiB, e.g. "1GiB" (the default)',
    ]);
  });
});

describe('coordinator config: secrets in errors', () => {
  it('does not print the secret of a mistyped webhook URL', () => {
    const found = problems(`${BASE}webhooks:\n  - url: "htps://bot:s3cret@hooks.example.com/services/T0/XXXX?token=abc"\n`);
    expect(found).to.deep.equal([
      'coordinator.yaml: webhooks[0].url "htps://***@hooks.example.com/…" is not a URL (expected http:// or https://)',
    ]);
    expect(found.join('\n')).to.not.match(/s3cret|XXXX|abc/);
  });

  it('does not print the secret of an invalid webhook entry shown whole', () => {
    const found = problems(`${BASE}webhooks:\n  - url: https://bot:s3cret@hooks.example.com/x\n    retries: -1\n`);
    expect(found.join('\n')).to.not.include('s3cret');
  });

  it('refuses an existing state file others can read, naming the fix', () => {
    const db = path.join(dir, 'loose.db');
    fs.writeFileSync(db, '');
    fs.chmodSync(db, 0o644);
    expect(problems(BASE.replace('state.db', db))).to.include(
      `coordinator.yaml: stateFile "${db}" is readable or writable by group or others (mode 0644); it holds the fleet's state and step output, which others could read or forge. Run chmod 600 ${db}`,
    );
  });
});

describe('coordinator config: schedules, operators, webhooks', () => {
  const CLUSTER = `${BASE}clusters:\n  - name: hoss\n    members: [a]\n`;
  it('resolves a weekly window schedule', () => {
    const c = load(
      `${CLUSTER}schedules:\n  - name: sunday\n    cluster: hoss\n    cron: "0 2 * * 0"\n    timezone: Europe/Zurich\n    window: 3h\n    target: "~0.2"\n`,
    );
    expect(c.schedules).to.deep.equal([
      {
        name: 'sunday',
        cluster: 'hoss',
        cron: '0 2 * * 0',
        timezone: 'Europe/Zurich',
        windowMs: 10_800_000,
        target: '~0.2',
        enabled: true,
        ackReleaseNotes: false,
      },
    ]);
  });
  const table: [string, string, string][] = [
    [
      'a bad cron',
      'cron: "61 * * * *"\n    window: 1h',
      'coordinator.yaml: schedules[0] (s).cron "61 * * * *" is not a valid cron expression (minute: 61 is a invalid expression for minute)',
    ],
    [
      'a bad timezone',
      'cron: "0 2 * * 0"\n    timezone: Mars/Olympus\n    window: 1h',
      'coordinator.yaml: schedules[0] (s).timezone "Mars/Olympus" is not a known IANA timezone (e.g. "Europe/Zurich", "UTC")',
    ],
    [
      'a zero window',
      'cron: "0 2 * * 0"\n    window: 0s',
      'coordinator.yaml: schedules[0].window "0s" is shorter than the minimum 1s (no host could start in it); write a duration from 1s to 7d',
    ],
    [
      'a bad target',
      'cron: "0 2 * * 0"\n    window: 1h\n    target: "1.0; reboot"',
      'coordinator.yaml: schedules[0] (s).target "1.0; reboot" is not "latest", a semver range (e.g. "~0.2") or a version tag',
    ],
  ];
  for (const [what, body, message] of table) {
    it(`names the schedule and field for ${what}`, () => {
      expect(problems(`${CLUSTER}schedules:\n  - name: s\n    cluster: hoss\n    ${body}\n`)).to.include(message);
    });
  }
  it('names an unknown cluster in a schedule', () => {
    expect(problems(`${CLUSTER}schedules:\n  - name: s\n    cluster: nope\n    cron: "0 2 * * 0"\n    window: 1h\n`)).to.include(
      'coordinator.yaml: schedules[0] (s).cluster "nope" is not a configured cluster (hoss)',
    );
  });
  it('rejects an unknown operator role', () => {
    expect(problems(`${BASE}operators:\n  - name: alice\n    role: admin\n`)).to.include(
      'coordinator.yaml: operators[0].role "admin" must be viewer or operator',
    );
  });
});

describe('coordinator config: release notes', () => {
  const CLUSTER = `${BASE}clusters:\n  - name: hoss\n    members: [a]\n    releaseNotes:\n`;
  const token = path.join(dir, 'github-token');
  const hossRepo = '      github:\n        repo: WyssCenter/hybrid-object-store\n';
  beforeEach(() => {
    fs.writeFileSync(token, 'ghp_example\n', { mode: 0o600 });
    fs.chmodSync(token, 0o600);
  });

  it('resolves GitHub defaults: api.github.com, 10s timeout, 1h cache, the agent markers, no requirement', () => {
    const c = load(`${CLUSTER}${hossRepo}`);
    expect(c.clusters[0]?.releaseNotes).to.deep.equal({
      github: { repo: 'WyssCenter/hybrid-object-store', apiUrl: 'https://api.github.com', timeoutMs: 10_000, cacheTtlMs: 3_600_000 },
      requireNotes: false,
      markers: ['ACTION REQUIRED', 'Required changes'],
    });
  });

  it('resolves a GitHub Enterprise URL, a token file relative to the config file, and requireNotes', () => {
    const c = load(
      `${CLUSTER}${hossRepo}        apiUrl: https://ghe.example.com/api/v3/\n        tokenFile: github-token\n        timeout: 3s\n        cacheTtl: 10m\n      requireNotes: true\n`,
    );
    expect(c.clusters[0]?.releaseNotes).to.deep.equal({
      github: {
        repo: 'WyssCenter/hybrid-object-store',
        apiUrl: 'https://ghe.example.com/api/v3',
        tokenFile: token,
        timeoutMs: 3000,
        cacheTtlMs: 600_000,
      },
      requireNotes: true,
      markers: ['ACTION REQUIRED', 'Required changes'],
    });
  });

  it('expands ~ in tokenFile to the home directory', () => {
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      const c = load(`${CLUSTER}${hossRepo}        tokenFile: ~/github-token\n`);
      expect(c.clusters[0]?.releaseNotes?.github?.tokenFile).to.equal(token);
    } finally {
      process.env.HOME = home;
    }
  });

  it('keeps no releaseNotes key on a cluster without the block', () => {
    expect(load(`${BASE}clusters:\n  - name: hoss\n    members: [a]\n`).clusters[0]).to.not.have.property('releaseNotes');
  });

  const table: [string, string, string | (() => void), string][] = [
    [
      'a repo that is not owner/name',
      '      github:\n        repo: hybrid-object-store\n',
      '',
      'coordinator.yaml: clusters[0].releaseNotes.github.repo "hybrid-object-store" is not owner/name (e.g. WyssCenter/hybrid-object-store)',
    ],
    [
      'a repo given as a URL',
      '      github:\n        repo: https://github.com/WyssCenter/hybrid-object-store\n',
      '',
      'coordinator.yaml: clusters[0].releaseNotes.github.repo "https://github.com/…" is not owner/name (e.g. WyssCenter/hybrid-object-store)',
    ],
    [
      'an apiUrl that is not a URL',
      `${hossRepo}        apiUrl: ghe.example.com\n`,
      '',
      'coordinator.yaml: clusters[0].releaseNotes.github.apiUrl "ghe.example.com" is not a URL (expected http:// or https://, e.g. https://ghe.example.com/api/v3)',
    ],
    [
      'an apiUrl with credentials',
      `${hossRepo}        apiUrl: https://bot:secret@ghe.example.com/api/v3\n`,
      '',
      'coordinator.yaml: clusters[0].releaseNotes.github.apiUrl must not carry credentials or a query; write the token into a file and name it in tokenFile',
    ],
    [
      'a missing token file',
      `${hossRepo}        tokenFile: no-such-token\n`,
      '',
      `coordinator.yaml: clusters[0].releaseNotes.github.tokenFile "${path.join(dir, 'no-such-token')}" does not exist; write the token into it (chmod 600) or fix the path`,
    ],
    [
      'a token file others can read',
      `${hossRepo}        tokenFile: github-token\n`,
      () => fs.chmodSync(token, 0o644),
      `coordinator.yaml: clusters[0].releaseNotes.github.tokenFile "${token}" is readable or writable by group or others (mode 0644); a token must be private. Run chmod 600 ${token}`,
    ],
    [
      'an empty token file',
      `${hossRepo}        tokenFile: github-token\n`,
      () => fs.writeFileSync(token, ' \n'),
      `coordinator.yaml: clusters[0].releaseNotes.github.tokenFile "${token}" is empty; write the token into it`,
    ],
    [
      'the token itself in the config',
      `${hossRepo}        token: ghp_example\n`,
      '',
      'coordinator.yaml: unknown key "token" in clusters[0].releaseNotes.github (check the spelling; see docs/configuration.md for the keys)',
    ],
    [
      'a zero timeout',
      `${hossRepo}        timeout: 0s\n`,
      '',
      'coordinator.yaml: clusters[0].releaseNotes.github.timeout "0s" is shorter than the minimum 1s (every request to GitHub would time out); write a duration from 1s to 5m, e.g. "10s" (the default)',
    ],
    [
      'a requireNotes that is not a boolean',
      `${hossRepo}      requireNotes: "yes"\n`,
      '',
      'coordinator.yaml: clusters[0].releaseNotes.requireNotes "yes" expected boolean, received string',
    ],
  ];
  for (const [what, block, prepare, message] of table) {
    it(`names the file, key, value and fix for ${what}`, () => {
      if (typeof prepare === 'function') prepare();
      expect(problems(`${CLUSTER}${block}`)).to.include(message);
    });
  }

  it('never prints the token', () => {
    fs.chmodSync(token, 0o644);
    const found = problems(`${CLUSTER}${hossRepo}        tokenFile: github-token\n`);
    expect(found.join('\n')).to.not.contain('ghp_example');
  });
});
