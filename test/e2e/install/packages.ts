/**
 * Making and installing Convoy's packages the way an operator does: `npm pack`, `npm install -g`
 * of the tarball, `deploy/debian/build.sh`, `dpkg --root`. Each command runs as a real process
 * (tracked: a hook stops any left running) and must end within its timeout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, startProcess } from '../../helpers/index.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` to its end; rejects when it outlives `timeoutMs` (its group is killed). */
export async function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const child = startProcess(`${path.basename(cmd)} ${args.join(' ')}`.slice(0, 200), cmd, args, {
    cwd: opts.cwd ?? repoRoot(),
    env: { NO_COLOR: '1', ...opts.env },
    record: false,
  });
  try {
    const info = await child.waitForExit(opts.timeoutMs ?? 60_000);
    return { code: info.code, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    await child.stop(1000);
  }
}

/** Like runCommand, but a non-zero exit is an error with the output's end. */
export async function mustRun(cmd: string, args: string[], opts: Parameters<typeof runCommand>[2] = {}): Promise<CommandResult> {
  const res = await runCommand(cmd, args, opts);
  if (res.code !== 0) {
    const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.code}:\n${tail}`);
  }
  return res;
}

/**
 * `npm pack` of the checkout into `dir`; returns the tarball. --ignore-scripts: the tarball
 * takes the dist/ that `npm test` built (tsconfig.build.json), instead of running prepack's
 * build, which would rebuild dist/ under the other end-to-end tests running in parallel.
 */
export async function packCheckout(dir: string): Promise<string> {
  const res = await mustRun('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { timeoutMs: 60_000 });
  const name = res.stdout.trim().split('\n').pop() ?? '';
  const tarball = path.join(dir, name);
  if (!name || !fs.existsSync(tarball)) throw new Error(`npm pack printed no tarball name: ${res.stdout}`);
  return tarball;
}

/** The files in a tarball, without the leading "package/". */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const res = await mustRun('tar', ['-tzf', tarball]);
  return res.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

/**
 * A local prebuild of better-sqlite3 made from the binding the checkout's `npm ci` compiled
 * for this Node.js (prebuild-install looks there first: npm_config_better_sqlite3_local_prebuilds).
 * A machine with internet access downloads the same kind of file from better-sqlite3's
 * releases; without this, npm install would compile SQLite again (about two minutes).
 * Returns the environment that points prebuild-install at it.
 */
export async function localSqlitePrebuild(dir: string): Promise<Record<string, string>> {
  const module = path.join(repoRoot(), 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(fs.readFileSync(path.join(module, 'package.json'), 'utf8')) as { version: string };
  const staging = path.join(dir, 'prebuild');
  fs.mkdirSync(path.join(staging, 'build', 'Release'), { recursive: true });
  fs.copyFileSync(
    path.join(module, 'build', 'Release', 'better_sqlite3.node'),
    path.join(staging, 'build', 'Release', 'better_sqlite3.node'),
  );
  const prebuilds = path.join(dir, 'prebuilds');
  fs.mkdirSync(prebuilds, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await mustRun('tar', ['-czf', path.join(prebuilds, name), '-C', staging, 'build']);
  return { npm_config_better_sqlite3_local_prebuilds: prebuilds };
}

/**
 * `npm install -g --prefix <prefix> <tarball>`: the dependencies come from npm's cache
 * (filled by `npm ci`; --prefer-offline), and from the registry only for what it lacks.
 */
export async function installGlobally(tarball: string, prefix: string, env: Record<string, string>): Promise<CommandResult> {
  return mustRun(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball],
    { env, cwd: path.dirname(tarball), timeoutMs: 300_000 },
  );
}

/** True when `tool` answers on PATH. */
export async function hasTool(tool: string, arg = '--version'): Promise<boolean> {
  try {
    return (await runCommand(tool, [arg], { timeoutMs: 20_000 })).code === 0;
  } catch {
    return false;
  }
}

/** An empty dpkg database under `root`, so `dpkg --root` can install into it. */
export function emptyDpkgRoot(root: string): void {
  const admin = path.join(root, 'var', 'lib', 'dpkg');
  for (const dir of ['info', 'updates']) fs.mkdirSync(path.join(admin, dir), { recursive: true });
  for (const file of ['status', 'available']) fs.writeFileSync(path.join(admin, file), '');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
}

/**
 * `dpkg --root` with the maintainer scripts run outside a chroot, DPKG_ROOT set to `root`
 * (a chroot would need a whole system in it). The root's dpkg database has no nodejs or
 * systemd package, so the dependencies are forced; the host provides both.
 */
export function dpkgInRoot(root: string, args: string[]): Promise<CommandResult> {
  return mustRun(
    'dpkg',
    [`--root=${root}`, `--log=${path.join(root, 'dpkg.log')}`, '--force-script-chrootless', '--force-depends', ...args],
    {
      timeoutMs: 120_000,
    },
  );
}

/** An /etc/passwd or /etc/group entry of `name` under `root`: [name, x, id, …]. */
export function accountOf(root: string, file: 'passwd' | 'group', name: string): string[] | undefined {
  const text = fs.readFileSync(path.join(root, 'etc', file), 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
}
