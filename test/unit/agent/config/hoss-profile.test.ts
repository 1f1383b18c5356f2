import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadAgentConfig, parseAgentConfig } from '../../../../agent/config.js';
import { ConfigError } from '../../../../shared/errors.js';

/** A Hoss host: a home with ~/.hoss/.env as Hoss's `make env` writes it, a checkout, hossadm in a virtualenv. */
function hossHost(env: Record<string, string>): { home: string; file: string; text: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-hoss-profile-'));
  fs.mkdirSync(path.join(home, '.hoss'));
  fs.writeFileSync(
    path.join(home, '.hoss', '.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  fs.mkdirSync(path.join(home, 'hybrid-object-store', 'server'), { recursive: true });
  fs.mkdirSync(path.join(home, 'hybrid-object-store', '.git'));
  fs.mkdirSync(path.join(home, 'venv', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(home, 'venv', 'bin', 'hossadm'), '#!/bin/sh\n', { mode: 0o755 });
  const text = [
    'id: hoss-onprem',
    'profile: hoss',
    'hoss:',
    '  hossadm: ~/venv/bin/hossadm',
    'coordinator:',
    '  address: 127.0.0.1:7400',
    '  insecure: true',
    'repo: ~/hybrid-object-store',
    'stateDir: ~/state',
    '',
  ].join('\n');
  return { home, file: path.join(home, 'agent.yaml'), text };
}

describe('agent config: profile hoss', () => {
  const savedHome = process.env.HOME;
  const homes: string[] = [];
  afterEach(() => {
    process.env.HOME = savedHome;
    for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
  });
  function host(env: Record<string, string>): ReturnType<typeof hossHost> {
    const h = hossHost(env);
    homes.push(h.home);
    process.env.HOME = h.home;
    return h;
  }

  it("fills Hoss's documented procedures from ~/.hoss/.env, object data outside the reset", () => {
    const h = host({
      SERVICES: 'opensearch db auth core ui sync',
      EXTERNAL_HOSTNAME: 'https://hoss.example.com',
      BACKUP_ROOT: '/srv/hoss-backup',
    });
    const c = parseAgentConfig(h.file, h.text);
    const hossadm = path.join(h.home, 'venv', 'bin', 'hossadm');
    expect(c.profile).to.equal('hoss');
    expect(c.serverDir).to.equal(path.join(h.home, 'hybrid-object-store', 'server'));
    expect(c.backup.archiveGlob).to.equal('/srv/hoss-backup/backups/*.tar.gz');
    const backup = c.steps.find((s) => s.name === 'backup')!;
    expect(backup.command).to.deep.equal([hossadm, 'backup', '--endpoint', 'https://hoss.example.com']);
    expect(backup.cleanup).to.deep.equal(['rm', '-rf', '--', '/srv/hoss-backup/.current']);
    expect(c.steps.find((s) => s.name === 'backup-after')?.command).to.deep.equal(backup.command);
    expect(c.health).to.deep.include({
      url: 'https://hoss.example.com/core/v1/discover',
      versionField: 'version',
      alsoUrls: ['https://hoss.example.com/auth/v1/ping'],
    });
    expect(c.rollback.map((s) => s.name)).to.deep.equal([
      'rollback-checkout',
      'build',
      'down',
      'reset',
      'restore',
      'restart-sync',
      'restart-core',
      'health',
    ]);
    const reset = c.rollback.find((s) => s.name === 'reset')!;
    const hoss = path.join(h.home, '.hoss');
    expect(reset.command).to.deep.equal([
      'rm',
      '-rf',
      '--',
      `${hoss}/.env`,
      `${hoss}/data/db`,
      `${hoss}/data/opensearch`,
      '/srv/hoss-backup/.db',
      '/srv/hoss-backup/.opensearch',
    ]);
    expect(reset.requiresBackup).to.equal(true);
    expect(JSON.stringify(c.rollback), 'nothing touches the object data or the archives').to.not.match(/data\/nas|backups"|make reset/);
    const restore = c.rollback.find((s) => s.name === 'restore')!;
    expect(restore.alongside?.step).to.equal('up');
    expect(restore.env).to.deep.equal({ HOSSADM: hossadm, HOSS_ENDPOINT: 'https://hoss.example.com' });
    expect(c.drift).to.deep.equal({
      files: ['server/**/*.tmpl', 'server/**/docker-compose*.yaml', 'server/**/docker-compose*.yml'],
      envFile: `${hoss}/.env`,
      envKeysFrom: { file: 'server/Makefile', target: 'env' },
    });
  });

  it("lets the operator's keys win, key by key; a member has no auth check and no sync restart without sync", () => {
    const h = host({ SERVICES: 'db core ui' });
    const c = parseAgentConfig(
      h.file,
      `${h.text}hoss:\n  hossadm: ~/venv/bin/hossadm\n  endpoint: http://10.0.0.5\nsteps:\n  backup: { timeout: 2h }\n`.replace(
        'hoss:\n  hossadm: ~/venv/bin/hossadm\ncoordinator',
        'coordinator',
      ),
    );
    const backup = c.steps.find((s) => s.name === 'backup')!;
    expect(backup.timeoutMs).to.equal(2 * 3_600_000);
    expect(backup.expectOutput.map((p) => p.written)).to.deep.equal(['Backup Complete']);
    expect(c.health?.alsoUrls).to.deep.equal([]);
    expect(c.health).to.include({ url: 'http://10.0.0.5/core/v1/discover' });
    expect(c.rollback.map((s) => s.name)).to.not.include('restart-sync');
  });

  it('remembers what it read, for a restart while a restore has removed ~/.hoss/.env', () => {
    const h = host({ SERVICES: 'auth core sync', BACKUP_ROOT: '/srv/b', EXTERNAL_HOSTNAME: 'https://h.example' });
    fs.writeFileSync(h.file, h.text);
    loadAgentConfig(h.file);
    fs.rmSync(path.join(h.home, '.hoss', '.env'));
    const c = loadAgentConfig(h.file);
    expect(c.backup.archiveGlob).to.equal('/srv/b/backups/*.tar.gz');
    expect(c.health?.alsoUrls).to.deep.equal(['https://h.example/auth/v1/ping']);
  });

  it('refuses a hossadm that is not there and a NAS_ROOT the reset would delete, naming the fix', () => {
    const h = host({ NAS_ROOT: '/x/.hoss/data/db/nas' });
    const text = h.text.replace('~/venv/bin/hossadm', '~/nowhere/hossadm');
    fs.writeFileSync(path.join(h.home, '.hoss', '.env'), `NAS_ROOT=${path.join(h.home, '.hoss', 'data', 'db', 'nas')}\n`);
    let problems: string[] = [];
    try {
      parseAgentConfig(h.file, text);
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).to.deep.equal([
      'agent.yaml: hoss.hossadm "~/nowhere/hossadm" is not an executable file (hossadm is usually installed in a Python virtualenv: set hoss.hossadm to its path, e.g. /opt/hoss/venv/bin/hossadm)',
      `agent.yaml: profile hoss: NAS_ROOT ${path.join(h.home, '.hoss', 'data', 'db', 'nas')} lies inside ${path.join(h.home, '.hoss', 'data', 'db')}, which a restore resets; the object data would be deleted. Move NAS_ROOT out of it, or define your own steps.reset`,
    ]);
  });
});
