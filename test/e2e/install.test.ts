/**
 * Issue 16: Convoy installed like production software. The packed tarball installed with
 * `npm install -g --prefix` runs the demo (and `demo --keep`, driven with the environment it
 * prints); the Debian package builds, passes lintian, and its maintainer scripts make users,
 * directories and modes in a temporary root (dpkg --root); the systemd units' exposure scores
 * stay "OK"; the example configs pass --check-config with only their paths changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { programPath, repoRoot, useSandbox, waitFor } from '../helpers/index.js';
import { interrupt, processesUnder, startKeptDemo } from './install/demo-run.js';
import { absolutePaths, EXAMPLES, exampleHost, exampleText, unexpectedPaths } from './install/example-hosts.js';
import {
  accountOf,
  dpkgInRoot,
  emptyDpkgRoot,
  hasTool,
  installGlobally,
  localSqlitePrebuild,
  mustRun,
  packCheckout,
  runCommand,
  tarballFiles,
} from './install/packages.js';

const PROGRAMS = ['convoy', 'convoyd', 'convoy-agent'];

function modeOf(file: string): string {
  return (fs.statSync(file).mode & 0o7777).toString(8).padStart(4, '0');
}

describe('e2e: installing Convoy (npm tarball, Debian package, units, example configs)', function () {
  // npm install, dpkg-deb and lintian are slow on a loaded machine (2 cores, the other e2e files in parallel)
  this.timeout(600_000);
  const sandbox = useSandbox('convoy-install-');
  let packDir = '';
  let tarball = '';
  let prebuildEnv: Record<string, string> = {};

  before(async function () {
    // Not a sandbox dir: those are removed after each test, and every test uses the tarball.
    packDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-pack-')));
    tarball = await packCheckout(packDir);
    prebuildEnv = await localSqlitePrebuild(packDir);
  });
  after(() => {
    if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
  });

  it('packs what runs under the free name @convoy-fleet/convoy: bin, dist without tests or maps, proto, deploy, docs', async () => {
    const files = await tarballFiles(tarball);
    const manifest = JSON.parse((await mustRun('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as { name: string };
    expect(manifest.name).to.equal('@convoy-fleet/convoy');
    for (const f of [
      'bin/convoy.js',
      'dist/coordinator/main.js',
      'dist/agent/main.js',
      'dist/coordinator/cli/main.js',
      'dist/samples/sample-server.js',
      'proto/convoy/v1/agent.proto',
      'deploy/systemd/convoyd.service',
      'deploy/examples/agent-hoss.yaml',
      'docs/security.md',
      'README.md',
    ])
      expect(files, f).to.include(f);
    const unwanted = files.filter((f) => /^(test|scripts|dist\/test|dist\/scripts|deploy\/debian)\/|\.map$|\.ts$|^node_modules\//.test(f));
    expect(unwanted).to.deep.equal([]);
  });

  it('npm install -g --prefix: convoy, convoyd and convoy-agent run; demo --keep finishes its linked rollout, answers convoy with the environment it prints, and Ctrl-C removes everything', async () => {
    const prefix = path.join(sandbox.dir, 'prefix');
    await installGlobally(tarball, prefix, prebuildEnv);
    const bin = (p: string): string => path.join(prefix, 'bin', p);
    for (const p of PROGRAMS) expect((await mustRun(bin(p), ['--version'])).stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);

    // convoy on PATH is the installed one, as after `npm install -g`: no alias is printed.
    const env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH ?? ''}`, TMPDIR: sandbox.dir };
    const demo = await startKeptDemo(bin('convoy'), env, 120_000);
    expect(demo.output).to.match(/rollout r-1 succeeded: cluster demo is at 0\.2\.0/);
    expect(demo.output).to.not.include('alias convoy=');
    expect(Object.keys(demo.env)).to.deep.equal(['CONVOY_COORDINATOR', 'CONVOY_CA', 'CONVOY_CERT', 'CONVOY_KEY']);

    // Another shell, with the pasted environment and nothing else of the demo's.
    const agents = await mustRun(bin('convoy'), ['agents', '--json'], { env: { ...env, ...demo.env } });
    const list = JSON.parse(agents.stdout) as { id: string; connected: boolean; checkedOutVersion: string }[];
    expect(list.map((a) => [a.id, a.connected, a.checkedOutVersion]).sort()).to.deep.equal([
      ['hoss-a', true, '0.2.0'],
      ['hoss-auth', true, '0.2.0'],
      ['hoss-b', true, '0.2.0'],
    ]);
    const status = JSON.parse(
      (await mustRun(bin('convoy'), ['rollout', 'status', 'r-1', '--json'], { env: { ...env, ...demo.env } })).stdout,
    ) as {
      state: string;
    };
    expect(status.state).to.equal('succeeded');
    expect(processesUnder(demo.sandboxDir).length).to.be.greaterThan(3);

    interrupt(demo.process);
    const exit = await demo.process.waitForExit(60_000);
    expect(exit.code, demo.process.tail()).to.equal(0);
    expect(demo.process.output()).to.include(`Removed ${demo.sandboxDir}`);
    expect(fs.existsSync(demo.sandboxDir)).to.equal(false);
    await waitFor(() => processesUnder(demo.sandboxDir).length === 0, {
      what: 'no process of the demo left',
      timeoutMs: 10_000,
      describe: () => processesUnder(demo.sandboxDir).join('\n'),
    });
  });

  it('builds a Debian package that lintian passes without errors or warnings, and whose postinst makes users, directories and modes in a temporary root', async function () {
    if (!(await hasTool('dpkg-deb'))) this.skip(); // not a Debian system
    const out = path.join(sandbox.dir, 'deb');
    const build = await mustRun('bash', [path.join(repoRoot(), 'deploy', 'debian', 'build.sh'), '--tarball', tarball, '--out', out], {
      timeoutMs: 400_000,
    });
    const deb = build.stdout.trim().split('\n').pop()!;
    expect(fs.existsSync(deb), build.stderr).to.equal(true);
    const fields = (await mustRun('dpkg-deb', ['-f', deb, 'Package', 'Depends'])).stdout;
    expect(fields).to.match(/^Depends: nodejs \(>= 20\.19\), nodejs \(<< 21\), systemd/m);

    if (await hasTool('lintian')) {
      // exit 0 with no E: or W: line; overrides (with reasons) are in deploy/debian/lintian-overrides
      const lint = await runCommand('lintian', ['--fail-on', 'error,warning', deb], { timeoutMs: 300_000 });
      const tags = lint.stdout.split('\n').filter((l) => /^[EW]: /.test(l));
      expect(tags, lint.stdout + lint.stderr).to.deep.equal([]);
      expect(lint.code, lint.stdout + lint.stderr).to.equal(0);
    } else {
      console.warn('    lintian is not installed (apt-get install lintian; .ci/run does): the lintian check did not run');
    }

    const root = path.join(sandbox.dir, 'root');
    emptyDpkgRoot(root);
    const install = await dpkgInRoot(root, ['-i', deb]);
    expect(install.stdout).to.include('Setting up convoy');
    const uid = (name: string): number => Number(accountOf(root, 'passwd', name)?.[2]);
    const gid = (name: string): number => Number(accountOf(root, 'group', name)?.[2]);
    for (const user of ['convoyd', 'convoy-agent']) {
      const entry = accountOf(root, 'passwd', user);
      expect(entry, `${user} in the root's /etc/passwd`).to.not.equal(undefined);
      expect(uid(user)).to.be.within(1, 999); // a system user
      expect(entry![6]).to.equal('/usr/sbin/nologin');
      const state = path.join(root, 'var', 'lib', user);
      expect([modeOf(state), fs.statSync(state).uid, fs.statSync(state).gid]).to.deep.equal(['0700', uid(user), gid(user)]);
    }
    for (const [file, group] of [
      ['coordinator.yaml', 'convoyd'],
      ['agent.yaml', 'convoy-agent'],
    ] as const) {
      const conffile = path.join(root, 'etc', 'convoy', file);
      expect([modeOf(conffile), fs.statSync(conffile).uid, fs.statSync(conffile).gid]).to.deep.equal(['0640', 0, gid(group)]);
    }
    expect(modeOf(path.join(root, 'etc', 'convoy', 'tls'))).to.equal('0755');
    const conffiles = (
      await mustRun('dpkg-query', [`--admindir=${path.join(root, 'var', 'lib', 'dpkg')}`, '-W', '-f=${Conffiles}', 'convoy'])
    ).stdout;
    expect(conffiles).to.include('/etc/convoy/coordinator.yaml').and.to.include('/etc/convoy/agent.yaml');
    for (const p of PROGRAMS) {
      expect(fs.readFileSync(path.join(root, 'usr', 'bin', p), 'utf8')).to.equal(
        `#!/bin/sh\nexec /usr/bin/node /usr/lib/convoy/bin/${p}.js "$@"\n`,
      );
    }
    for (const unit of ['convoyd.service', 'convoy-agent.service']) {
      expect(fs.readFileSync(path.join(root, 'lib', 'systemd', 'system', unit), 'utf8')).to.equal(
        fs.readFileSync(path.join(repoRoot(), 'deploy', 'systemd', unit), 'utf8'),
      );
    }

    // The programs as packaged (production node_modules, the packaged SQLite binding) run the demo.
    const lib = path.join(root, 'usr', 'lib', 'convoy');
    const demo = await mustRun(process.execPath, [path.join(lib, 'bin', 'convoy.js'), 'demo'], {
      env: { TMPDIR: sandbox.dir },
      timeoutMs: 120_000,
    });
    expect(demo.stdout).to.match(/rollout r-1 succeeded: cluster demo is at 0\.2\.0/);

    await dpkgInRoot(root, ['--purge', 'convoy']);
    for (const gone of ['usr/lib/convoy', 'etc/convoy', 'var/lib/convoyd', 'var/lib/convoy-agent', 'usr/bin/convoy'])
      expect(fs.existsSync(path.join(root, gone)), gone).to.equal(false);
  });

  it('scores convoyd.service and convoy-agent.service "OK" (at most 4.0) in systemd-analyze security, and both reload with SIGHUP', async function () {
    if (!(await hasTool('systemd-analyze'))) this.skip(); // the Debian package systemd is not installed
    for (const unit of ['convoyd.service', 'convoy-agent.service']) {
      const file = path.join(repoRoot(), 'deploy', 'systemd', unit);
      const res = await runCommand('systemd-analyze', ['security', '--offline=true', '--no-pager', file], { timeoutMs: 60_000 });
      const score = /Overall exposure level for \S+: (\d+\.\d+) (\S+)/.exec(res.stdout);
      expect(score, res.stdout + res.stderr).to.not.equal(null);
      expect(Number(score![1]), `${unit}: ${score![0]}`).to.be.at.most(4.0);
      expect(score![2]).to.equal('OK');
    }
    const convoyd = fs.readFileSync(path.join(repoRoot(), 'deploy', 'systemd', 'convoyd.service'), 'utf8');
    expect(convoyd).to.match(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  });

  it('passes convoyd --check-config and convoy-agent --check-config on the shipped examples with only their paths moved, and fails on a key others can read', async () => {
    for (const example of EXAMPLES) {
      const text = exampleText(example);
      expect(text, example).to.not.match(/^\s*insecure:/m);
      expect(unexpectedPaths(text), `${example}: paths the test host does not provide`).to.deep.equal([]);
      expect(absolutePaths(text).filter((p) => p.includes('/tls/')).length, `${example}: TLS under /etc/convoy/tls`).to.equal(3);
      const file = await exampleHost(example, path.join(sandbox.dir, example.replace('.yaml', '')));
      const program = example === 'coordinator.yaml' ? 'convoyd' : 'convoy-agent';
      const res = await runCommand(process.execPath, [programPath(program), '--config', file, '--check-config']);
      expect(res.code, `${program} --check-config ${example}:\n${res.stdout}${res.stderr}`).to.equal(0);
      expect(res.stdout).to.match(/valid/);
    }
    expect(exampleText('agent-hoss.yaml')).to.match(/^profile: hoss$/m);

    const root = path.join(sandbox.dir, 'agent');
    fs.chmodSync(path.join(root, 'etc', 'convoy', 'tls', 'agent.key'), 0o644);
    const bad = await runCommand(process.execPath, [
      programPath('convoy-agent'),
      '--config',
      path.join(root, 'etc', 'convoy', 'agent.yaml'),
      '--check-config',
    ]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include(`Run chmod 600 ${path.join(root, 'etc', 'convoy', 'tls', 'agent.key')}`);
  });
});
