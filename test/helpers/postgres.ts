/**
 * A private PostgreSQL cluster for one test file: initdb into a temp dir, listening on
 * 127.0.0.1 on a reserved port (ports.ts) with password authentication, stopped and removed
 * by the file's after-hook. Nothing is shared between test files, so mocha's parallel workers
 * cannot disturb each other, and a test may stop or restart its own cluster.
 *
 * initdb and postgres refuse to run as root, and tests and CI here run as root: then every
 * PostgreSQL program runs as the unprivileged `postgres` user of Debian's package (or `nobody`)
 * through runuser, and the data directory is given to that user.
 *
 * Readiness is awaited, never slept for: `pg_ctl start -w` returns once the server accepts
 * connections, and a pg_isready loop with backoff confirms the TCP listener.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { keepTmp } from './tmp.js';

const run = promisify(execFile);

/** A running (or stopped, between stop() and start()) private cluster. */
export interface PostgresCluster {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The superuser the tests connect as, with a password (scram-sha-256 over TCP). */
  readonly user: string;
  readonly password: string;
  /** A file holding the password, as convoyd's postgres.passwordFile would. */
  readonly passwordFile: string;
  readonly dataDir: string;
  /** How long initdb + start took (ms), for the docs and the curious. */
  readonly startMs: number;
  /** A fresh, empty database; returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** pg_ctl stop -m fast: sessions are ended, the port closes. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** pg_ctl restart -m fast, as an operator restarting the database would. */
  restart(): Promise<void>;
  /** Stops the cluster and removes its directory (CONVOY_KEEP_TMP=1 keeps it). Safe to call twice. */
  destroy(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: $CONVOY_PG_BIN, else Debian's newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string {
  const fromEnv = process.env.CONVOY_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error(
      `no PostgreSQL server found in ${root}/<version>/bin: install Debian's postgresql package (apt-get install postgresql) or set CONVOY_PG_BIN`,
    );
  return path.join(root, versions[0]!, 'bin');
}

/** The account PostgreSQL runs as: ourselves, or an unprivileged user when we are root. */
function serverUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      execFileSync('id', ['-u', name], { stdio: 'ignore' });
      return name;
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

const running = new Set<{ pgCtl: string; dataDir: string; dir: string; asUser: string | undefined }>();

// A test that failed before its after-hook must not leave a server behind: stop what is left
// when the worker exits (synchronously: nothing asynchronous runs in an exit handler).
process.once('exit', () => {
  for (const c of running) {
    const argv = [c.pgCtl, 'stop', '-D', c.dataDir, '-m', 'immediate', '-w'];
    try {
      if (c.asUser) execFileSync('runuser', ['-u', c.asUser, '--', ...argv], { stdio: 'ignore' });
      else execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    if (!keepTmp()) fs.rmSync(c.dir, { recursive: true, force: true });
  }
});

/** Runs a PostgreSQL program as the server user; the error carries its output. */
async function pgRun(bin: string, args: string[], asUser: string | undefined, env: Record<string, string> = {}): Promise<string> {
  const file = asUser ? 'runuser' : bin;
  const argv = asUser ? ['-u', asUser, '--', bin, ...args] : args;
  try {
    const { stdout } = await run(file, argv, { env: { ...process.env, ...env }, cwd: os.tmpdir(), timeout: 60_000 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Options of a private cluster. */
export interface StartPostgresOptions {
  /** Serve TLS (ssl=on) with this certificate and key (copied into the cluster, readable by its user only). */
  tls?: { cert: string; key: string };
}

/** Initialises and starts a private cluster; call destroy() in an after-hook. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const t0 = performance.now();
  const bin = postgresBinDir();
  const asUser = serverUser();
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-pg-')));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const user = 'convoy';
  const password = `pw-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const passwordFile = path.join(dir, 'password');
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  let tlsOptions = '';
  if (opts.tls) {
    // postgres refuses a key file others can read
    fs.copyFileSync(opts.tls.cert, path.join(dir, 'server.crt'));
    fs.copyFileSync(opts.tls.key, path.join(dir, 'server.key'));
    fs.chmodSync(path.join(dir, 'server.key'), 0o600);
    tlsOptions = ` -c ssl=on -c ssl_cert_file=${dir}/server.crt -c ssl_key_file=${dir}/server.key`;
  }
  if (asUser) execFileSync('chown', ['-R', asUser, dir]);
  const port = await freePort();
  await pgRun(
    path.join(bin, 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ],
    asUser,
  );
  // the socket lives in our own directory (Debian's /var/run/postgresql may not exist or be writable);
  // fsync off: a test cluster's data need not survive a power cut, and it makes each commit cheap
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off${tlsOptions}`;
  const pgCtl = path.join(bin, 'pg_ctl');
  const entry = { pgCtl, dataDir, dir, asUser };
  const ctl = (...args: string[]) => pgRun(pgCtl, [...args, '-D', dataDir, '-w', '-t', '60'], asUser);
  const ready = () => waitReady(path.join(bin, 'pg_isready'), port, asUser, logFile);
  let databases = 0;
  let destroyed = false;

  const cluster: PostgresCluster = {
    host: '127.0.0.1',
    port,
    user,
    password,
    passwordFile,
    dataDir,
    startMs: 0,
    async createDatabase(prefix = 'test') {
      const name = `${prefix}_${++databases}`;
      await pgRun(path.join(bin, 'createdb'), ['-h', dir, '-p', String(port), '-U', user, name], asUser);
      return name;
    },
    async start() {
      await ctl('start', '-l', logFile, '-o', options);
      running.add(entry);
      await ready();
    },
    async stop() {
      await ctl('stop', '-m', 'fast');
      running.delete(entry);
    },
    async restart() {
      await ctl('restart', '-m', 'fast', '-l', logFile, '-o', options);
      await ready();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running.has(entry)) await cluster.stop();
      if (!keepTmp()) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    await cluster.destroy().catch(() => undefined);
    throw err;
  }
  return { ...cluster, startMs: Math.round(performance.now() - t0) };
}

/** Polls pg_isready over TCP with backoff until the server accepts connections (pg_ctl -w already waited on its pid file). */
async function waitReady(pgIsReady: string, port: number, asUser: string | undefined, logFile: string): Promise<void> {
  let delay = 10;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await pgRun(pgIsReady, ['-h', '127.0.0.1', '-p', String(port), '-t', '5'], asUser);
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '(no log)';
        throw new Error(`PostgreSQL on 127.0.0.1:${port} did not accept connections within 30s: ${(err as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
    }
  }
}
