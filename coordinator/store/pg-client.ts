/**
 * The only importer of `pg` (node-postgres): a connection pool to convoyd's PostgreSQL database,
 * statements, transactions, and the database's errors said so an operator can act on them.
 * The store (postgres-store.ts) and the leader lease (coordinator/ha/lease.ts) use this module.
 */
import fs from 'node:fs';
import pg from 'pg';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import { describePostgres, type PostgresStoreConfig } from './postgres-config.js';

/** Rows and how many the statement touched. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** Something that runs statements: the pool (one statement, its own transaction) or an open transaction. */
export interface SqlRunner {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<R>>;
}

const INT8_OID = 20;
/**
 * BIGINT columns hold milliseconds and sequence numbers, far below 2^53: read them as numbers.
 * Per pool (not pg.types.setTypeParser), so nothing else in the process is changed.
 */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Options of a pool beyond the resolved config. */
export interface PgOpenOptions {
  password?: string;
  /** Connections at most (default 4: convoyd writes from one leader loop, reads are few). */
  max?: number;
  /** Called when an idle connection breaks (the database restarted): logged, not fatal. */
  onIdleError?: (err: Error) => void;
}

/** A pool of connections to one PostgreSQL database. */
export class PgDatabase implements SqlRunner {
  private readonly pool: pg.Pool;
  private closed = false;
  /** The database as logs show it (no password). */
  readonly target: string;

  constructor(
    private readonly config: PostgresStoreConfig,
    opts: PgOpenOptions = {},
  ) {
    this.target = describePostgres(config);
    this.pool = new pg.Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: opts.password,
      ssl: sslOptions(config),
      max: opts.max ?? 4,
      connectionTimeoutMillis: config.connectTimeoutMs,
      // the client gives up on a statement the server never answers (a partition), the server
      // cancels one that runs too long: either way a write fails instead of stalling the leader
      query_timeout: config.queryTimeoutMs,
      statement_timeout: config.queryTimeoutMs,
      application_name: config.applicationName,
      keepAlive: true,
      types,
    });
    // Without a listener an idle connection that breaks (database restarted) kills the process.
    this.pool.on('error', (err) => opts.onIdleError?.(err));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  async query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<SqlResult<R>> {
    try {
      const res = await this.pool.query(sql, params);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    } catch (err) {
      throw describePgError(err, this.config);
    }
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED): committed when it resolves, rolled back when
   * it throws (its error is rethrown as it was, a database error as a ConvoyError).
   */
  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw describePgError(err, this.config);
    }
    const tx: SqlRunner = {
      query: async <R>(sql: string, params: unknown[] = []) => {
        const res = await client.query(sql, params);
        return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
      },
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      broken = isConnectionError(err);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw err instanceof ConvoyError ? err : describePgError(err, this.config);
    } finally {
      // a connection that failed mid-transaction is not given to the next caller
      client.release(broken);
    }
  }

  /** Ends every connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

function sslOptions(c: PostgresStoreConfig): pg.PoolConfig['ssl'] {
  if (c.tls.mode === 'disable') return false;
  // require: encrypted, the server's identity unchecked (like libpq's sslmode=require)
  if (c.tls.mode === 'require') return { rejectUnauthorized: false };
  if (!c.tls.caFile) return { rejectUnauthorized: true };
  try {
    return { rejectUnauthorized: true, ca: fs.readFileSync(c.tls.caFile, 'utf8') };
  } catch (err) {
    throw new ConvoyError(
      'FAILED_PRECONDITION',
      `postgres.tls.ca "${c.tls.caFile}" cannot be read (${(err as NodeJS.ErrnoException).code ?? messageOf(err)})`,
      'Point postgres.tls.ca at the PEM file of the CA that signed the database server certificate.',
    );
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * True for failures of the connection rather than of the statement: the database is down,
 * restarting (57P01 admin shutdown, 57P03 starting up) or unreachable, or a timeout fired.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    messageOf(err),
  );
}

/** A database error as an operator reads it: which database, what happened, what to do. */
export function describePgError(err: unknown, c: PostgresStoreConfig): Error {
  if (err instanceof ConvoyError) return err;
  const where = describePostgres(c);
  const code = (err as { code?: unknown }).code;
  const why = messageOf(err);
  if (isConnectionError(err))
    return new ConvoyError(
      'UNAVAILABLE',
      `PostgreSQL ${where} is unavailable: ${why}`,
      `convoyd retries by itself; check that the database runs and answers (pg_isready -h ${c.host} -p ${c.port}).`,
    );
  if (code === '28P01' || code === '28000')
    return new ConvoyError(
      'PERMISSION_DENIED',
      `PostgreSQL ${where} refused user ${c.user}: ${why}`,
      'Check the password in postgres.passwordFile (or postgres.passwordEnv) and the server’s pg_hba.conf.',
    );
  if (code === '3D000')
    return new ConvoyError('FAILED_PRECONDITION', `PostgreSQL ${where}: ${why}`, `Create it: createdb -O ${c.user} ${c.database}`);
  // a TLS failure comes from Node's tls module (no SQLSTATE), not from a statement
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  if (!sqlState && /self[- ]signed|certificate|SSL|TLS/i.test(why))
    return new ConvoyError(
      'FAILED_PRECONDITION',
      `PostgreSQL ${where}: TLS failed: ${why}`,
      'Set postgres.tls.ca to the CA of the server certificate (its name must match the host in store), or tls.mode: require.',
    );
  return err instanceof Error ? err : new Error(why);
}
