/**
 * What an operator writes to put convoyd's state in PostgreSQL, and what the code uses.
 *
 *   store: postgres://convoy@db.example.org:5432/convoy
 *   postgres:
 *     passwordFile: /etc/convoy/postgres-password   # or passwordEnv: CONVOY_PG_PASSWORD
 *     tls: { mode: verify-full, ca: /etc/convoy/postgres-ca.pem }
 *     connectTimeout: 5s
 *     queryTimeout: 3s
 *     lease: 10s
 *
 * Pure: no file is read and no variable looked up here (see readPostgresPassword), so every
 * message can be checked word for word. A password is refused inside the URL: the URL is
 * logged and shown by `--check-config`, and a secret in it would end up in both.
 */
import { ConfigError } from '../../shared/errors.js';
import { parseDuration, writeDuration } from '../../shared/durations.js';

/** How the connection to PostgreSQL is encrypted: `disable` (loopback tests), `require` (encrypted, no identity check), `verify-full` (the server's certificate must chain to `ca` and name the host). */
export type PostgresTlsMode = 'disable' | 'require' | 'verify-full';

/** Where the password comes from; `none` for trust or certificate authentication. */
export type PasswordSource = { kind: 'file'; path: string } | { kind: 'env'; name: string } | { kind: 'none' };

/** The resolved PostgreSQL settings (every value decided). */
export interface PostgresStoreConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: PasswordSource;
  tls: { mode: PostgresTlsMode; caFile?: string };
  connectTimeoutMs: number;
  /** Bounds every statement: a hung database must fail a write, not stall the leader past its lease. */
  queryTimeoutMs: number;
  /** The leader lease's length (see coordinator/ha/lease.ts). */
  leaseMs: number;
  /** Shown in pg_stat_activity, so a DBA can tell convoyd's sessions apart. */
  applicationName: string;
}

/** Where convoyd keeps its state: the SQLite file (default) or a PostgreSQL database. */
export type StoreChoice = { kind: 'sqlite' } | ({ kind: 'postgres' } & PostgresStoreConfig);

export const POSTGRES_DEFAULTS = { port: 5432, connectTimeoutMs: 5000, queryTimeoutMs: 3000, leaseMs: 10_000 } as const;
const POSTGRES_KEYS = ['passwordFile', 'passwordEnv', 'tls', 'connectTimeout', 'queryTimeout', 'lease'];
const TLS_KEYS = ['mode', 'ca'];
const TLS_MODES: PostgresTlsMode[] = ['disable', 'require', 'verify-full'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const HINT = 'Edit the file and start convoyd again (docs/high-availability.md shows a complete example).';

/**
 * Reads `store` and `postgres` of coordinator.yaml (`file` names it in every message).
 * Throws a ConfigError listing every problem at once.
 */
export function parseStoreChoice(file: string, raw: { store?: unknown; postgres?: unknown }): StoreChoice {
  const problems: string[] = [];
  if (raw.store === undefined || raw.store === 'sqlite') {
    if (raw.postgres !== undefined)
      problems.push(
        `${file}: postgres is set but store is not a postgres:// URL; set store: postgres://user@host:5432/database, or remove postgres`,
      );
    if (problems.length > 0) throw new ConfigError(problems, HINT);
    return { kind: 'sqlite' };
  }
  const url = parseUrl(file, raw.store, problems);
  const pg = parsePostgresSection(file, raw.postgres, problems);
  if (problems.length > 0 || !url || !pg) throw new ConfigError(problems, HINT);
  return { kind: 'postgres', ...url, ...pg };
}

function parseUrl(
  file: string,
  value: unknown,
  problems: string[],
): Pick<PostgresStoreConfig, 'host' | 'port' | 'database' | 'user' | 'applicationName'> | undefined {
  const expected = 'expected "sqlite" or postgres://user@host:5432/database';
  if (typeof value !== 'string') {
    problems.push(`${file}: store ${JSON.stringify(value)} is not a string; ${expected}`);
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    problems.push(`${file}: store "${value}" is not a URL; ${expected}`);
    return undefined;
  }
  const shown = `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    problems.push(`${file}: store "${shown}" has scheme ${u.protocol.slice(0, -1)}; ${expected}`);
    return undefined;
  }
  const before = problems.length;
  if (u.password)
    problems.push(
      `${file}: store "${shown}" carries a password; remove it from the URL and set postgres.passwordFile (or postgres.passwordEnv)`,
    );
  if (!u.hostname) problems.push(`${file}: store "${shown}" names no host; ${expected}`);
  if (!u.username)
    problems.push(`${file}: store "${shown}" names no user; write it before the host: postgres://convoy@${u.host || 'host'}/…`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/'))
    problems.push(`${file}: store "${shown}" names no database; write it as the path: postgres://…/convoy`);
  if (u.search || u.hash)
    problems.push(
      `${file}: store "${shown}${u.search}" has query parameters; set TLS and timeouts under postgres: (tls, connectTimeout, queryTimeout) instead`,
    );
  if (problems.length > before) return undefined;
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : POSTGRES_DEFAULTS.port,
    database,
    user: decodeURIComponent(u.username),
    applicationName: 'convoyd',
  };
}

type Section = Pick<PostgresStoreConfig, 'password' | 'tls' | 'connectTimeoutMs' | 'queryTimeoutMs' | 'leaseMs'>;

function parsePostgresSection(file: string, value: unknown, problems: string[]): Section | undefined {
  const raw = value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    problems.push(`${file}: postgres is not a mapping; expected keys ${POSTGRES_KEYS.join(', ')}`);
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!POSTGRES_KEYS.includes(k)) problems.push(`${file}: postgres.${k} is not a known key; expected one of ${POSTGRES_KEYS.join(', ')}`);
  const password = parsePassword(file, o, problems);
  const tls = parseTls(file, o.tls, problems);
  const connectTimeoutMs = duration(file, 'postgres.connectTimeout', o.connectTimeout, POSTGRES_DEFAULTS.connectTimeoutMs, problems);
  const queryTimeoutMs = duration(file, 'postgres.queryTimeout', o.queryTimeout, POSTGRES_DEFAULTS.queryTimeoutMs, problems);
  const leaseMs = duration(file, 'postgres.lease', o.lease, POSTGRES_DEFAULTS.leaseMs, problems);
  // A renewal is one statement: it must be able to fail (queryTimeout) and be retried well
  // within the lease, or a slow database would depose a healthy leader.
  if (leaseMs < 3 * queryTimeoutMs)
    problems.push(
      `${file}: postgres.lease "${writeDuration(leaseMs)}" is shorter than 3 × postgres.queryTimeout (${writeDuration(queryTimeoutMs)}); lengthen the lease or shorten queryTimeout`,
    );
  return { password, tls, connectTimeoutMs, queryTimeoutMs, leaseMs };
}

function parsePassword(file: string, o: Record<string, unknown>, problems: string[]): PasswordSource {
  if (o.passwordFile !== undefined && o.passwordEnv !== undefined) {
    problems.push(`${file}: postgres.passwordFile and postgres.passwordEnv are both set; keep one`);
    return { kind: 'none' };
  }
  if (o.passwordFile !== undefined) {
    if (typeof o.passwordFile === 'string' && o.passwordFile.startsWith('/')) return { kind: 'file', path: o.passwordFile };
    problems.push(
      `${file}: postgres.passwordFile ${JSON.stringify(o.passwordFile)} is not an absolute path; write e.g. /etc/convoy/postgres-password`,
    );
  }
  if (o.passwordEnv !== undefined) {
    if (typeof o.passwordEnv === 'string' && ENV_NAME.test(o.passwordEnv)) return { kind: 'env', name: o.passwordEnv };
    problems.push(
      `${file}: postgres.passwordEnv ${JSON.stringify(o.passwordEnv)} is not an environment variable name; write e.g. CONVOY_PG_PASSWORD`,
    );
  }
  return { kind: 'none' };
}

function parseTls(file: string, value: unknown, problems: string[]): PostgresStoreConfig['tls'] {
  // verify-full by default: a coordinator's database is usually across a network
  if (value === undefined) return { mode: 'verify-full' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${file}: postgres.tls is not a mapping; write e.g. tls: { mode: verify-full, ca: /etc/convoy/postgres-ca.pem }`);
    return { mode: 'verify-full' };
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!TLS_KEYS.includes(k)) problems.push(`${file}: postgres.tls.${k} is not a known key; expected one of ${TLS_KEYS.join(', ')}`);
  const mode = o.mode ?? 'verify-full';
  if (!TLS_MODES.includes(mode as PostgresTlsMode)) {
    problems.push(`${file}: postgres.tls.mode ${JSON.stringify(mode)} is not one of ${TLS_MODES.join(', ')}`);
    return { mode: 'verify-full' };
  }
  if (o.ca !== undefined && (typeof o.ca !== 'string' || !o.ca.startsWith('/'))) {
    problems.push(`${file}: postgres.tls.ca ${JSON.stringify(o.ca)} is not an absolute path; write e.g. /etc/convoy/postgres-ca.pem`);
    return { mode: mode as PostgresTlsMode };
  }
  if (mode === 'disable' && o.ca !== undefined)
    problems.push(`${file}: postgres.tls.ca is set but tls.mode is disable; set mode: verify-full to use it, or remove ca`);
  return o.ca === undefined ? { mode: mode as PostgresTlsMode } : { mode: mode as PostgresTlsMode, caFile: o.ca };
}

function duration(file: string, key: string, value: unknown, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0) {
    problems.push(`${file}: ${key} ${JSON.stringify(value)} is not a positive duration; write e.g. "5s" or "500ms"`);
    return fallback;
  }
  return ms;
}

/** The database as logs and `--check-config` show it: never a password. */
export function describePostgres(c: PostgresStoreConfig): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  return `postgres://${encodeURIComponent(c.user)}@${host}:${c.port}/${encodeURIComponent(c.database)} (tls ${c.tls.mode})`;
}

/**
 * The password the source names, or undefined for `none`. `read` and `env` are injected so the
 * messages can be tested; errors name the file or variable and say what to do.
 */
export function readPostgresPassword(
  file: string,
  source: PasswordSource,
  io: { read: (path: string) => string; env: Record<string, string | undefined> },
): string | undefined {
  if (source.kind === 'none') return undefined;
  if (source.kind === 'env') {
    const v = io.env[source.name];
    if (v === undefined || v === '')
      throw new ConfigError(
        [`${file}: postgres.passwordEnv names ${source.name}, which is not set in convoyd's environment`],
        `Set ${source.name} (e.g. EnvironmentFile= in the systemd unit), or use postgres.passwordFile.`,
      );
    return v;
  }
  let text: string;
  try {
    text = io.read(source.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      [`${file}: postgres.passwordFile "${source.path}" cannot be read (${code})`],
      'Create it readable by the user running convoyd only (mode 0600), holding the password on one line.',
    );
  }
  // one trailing newline is how editors and `echo` write a file; the password is the line
  const password = text.replace(/\r?\n$/, '');
  if (password === '' || password.includes('\n'))
    throw new ConfigError(
      [`${file}: postgres.passwordFile "${source.path}" ${password === '' ? 'is empty' : 'has more than one line'}`],
      'Write the password alone on one line.',
    );
  return password;
}
