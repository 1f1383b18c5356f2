import { expect } from 'chai';
import {
  describePostgres,
  parseStoreChoice,
  POSTGRES_DEFAULTS,
  readPostgresPassword,
  type PostgresStoreConfig,
} from '../../../../coordinator/store/postgres-config.js';
import { ConfigError } from '../../../../shared/errors.js';

const FILE = '/etc/convoy/coordinator.yaml';

/** The problems a ConfigError lists. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('coordinator/store: postgres settings (store: postgres://…)', () => {
  it('keeps SQLite when store is absent or "sqlite"', () => {
    expect(parseStoreChoice(FILE, {})).to.deep.equal({ kind: 'sqlite' });
    expect(parseStoreChoice(FILE, { store: 'sqlite' })).to.deep.equal({ kind: 'sqlite' });
  });

  it('resolves a URL and its section, every default decided', () => {
    const c = parseStoreChoice(FILE, {
      store: 'postgres://convoy@db.example.org/convoy',
      postgres: { passwordFile: '/etc/convoy/pg-password', tls: { ca: '/etc/convoy/pg-ca.pem' } },
    });
    expect(c).to.deep.equal({
      kind: 'postgres',
      host: 'db.example.org',
      port: POSTGRES_DEFAULTS.port,
      database: 'convoy',
      user: 'convoy',
      applicationName: 'convoyd',
      password: { kind: 'file', path: '/etc/convoy/pg-password' },
      tls: { mode: 'verify-full', caFile: '/etc/convoy/pg-ca.pem' },
      connectTimeoutMs: POSTGRES_DEFAULTS.connectTimeoutMs,
      queryTimeoutMs: POSTGRES_DEFAULTS.queryTimeoutMs,
      leaseMs: POSTGRES_DEFAULTS.leaseMs,
    });
  });

  it('reads durations, the password variable, TLS require and an IPv6 host', () => {
    const c = parseStoreChoice(FILE, {
      store: 'postgresql://convoy@[::1]:6432/fleet',
      postgres: { passwordEnv: 'CONVOY_PG_PASSWORD', tls: { mode: 'require' }, connectTimeout: '2s', queryTimeout: '1s', lease: '15s' },
    }) as PostgresStoreConfig;
    expect(c).to.include({ host: '::1', port: 6432, database: 'fleet', connectTimeoutMs: 2000, queryTimeoutMs: 1000, leaseMs: 15_000 });
    expect(c.password).to.deep.equal({ kind: 'env', name: 'CONVOY_PG_PASSWORD' });
    expect(c.tls).to.deep.equal({ mode: 'require' });
    expect(describePostgres(c)).to.equal('postgres://convoy@[::1]:6432/fleet (tls require)');
  });

  it('refuses a password in the URL without repeating it', () => {
    const found = problems(() => parseStoreChoice(FILE, { store: 'postgres://convoy:s3cret@db:5432/convoy' }));
    expect(found).to.deep.equal([
      `${FILE}: store "postgres://convoy@db:5432/convoy" carries a password; remove it from the URL and set postgres.passwordFile (or postgres.passwordEnv)`,
    ]);
    expect(found.join('\n')).not.to.include('s3cret');
  });

  it('names each missing part of the URL and the way to write it', () => {
    expect(problems(() => parseStoreChoice(FILE, { store: 'postgres://db.example.org' }))).to.deep.equal([
      `${FILE}: store "postgres://db.example.org" names no user; write it before the host: postgres://convoy@db.example.org/…`,
      `${FILE}: store "postgres://db.example.org" names no database; write it as the path: postgres://…/convoy`,
    ]);
    expect(problems(() => parseStoreChoice(FILE, { store: 'mysql://convoy@db/convoy' }))).to.deep.equal([
      `${FILE}: store "mysql://convoy@db/convoy" has scheme mysql; expected "sqlite" or postgres://user@host:5432/database`,
    ]);
    expect(problems(() => parseStoreChoice(FILE, { store: 'postgres://convoy@db/convoy?sslmode=disable' }))).to.deep.equal([
      `${FILE}: store "postgres://convoy@db/convoy?sslmode=disable" has query parameters; set TLS and timeouts under postgres: (tls, connectTimeout, queryTimeout) instead`,
    ]);
    expect(problems(() => parseStoreChoice(FILE, { store: 42 }))).to.deep.equal([
      `${FILE}: store 42 is not a string; expected "sqlite" or postgres://user@host:5432/database`,
    ]);
  });

  it('lists every problem of the postgres section at once, word for word', () => {
    const found = problems(() =>
      parseStoreChoice(FILE, {
        store: 'postgres://convoy@db/convoy',
        postgres: {
          passwordFile: 'pg-password',
          tls: { mode: 'prefer', cert: '/x' },
          connectTimeout: 5,
          lease: '2s',
          replicas: 3,
        },
      }),
    );
    expect(found).to.deep.equal([
      `${FILE}: postgres.replicas is not a known key; expected one of passwordFile, passwordEnv, tls, connectTimeout, queryTimeout, lease`,
      `${FILE}: postgres.passwordFile "pg-password" is not an absolute path; write e.g. /etc/convoy/postgres-password`,
      `${FILE}: postgres.tls.cert is not a known key; expected one of mode, ca`,
      `${FILE}: postgres.tls.mode "prefer" is not one of disable, require, verify-full`,
      `${FILE}: postgres.connectTimeout 5 is not a positive duration; write e.g. "5s" or "500ms"`,
      `${FILE}: postgres.lease "2s" is shorter than 3 × postgres.queryTimeout (3s); lengthen the lease or shorten queryTimeout`,
    ]);
  });

  it('refuses both password sources, a CA without TLS, and a postgres section without a postgres store', () => {
    expect(
      problems(() =>
        parseStoreChoice(FILE, {
          store: 'postgres://convoy@db/convoy',
          postgres: { passwordFile: '/a', passwordEnv: 'B', tls: { mode: 'disable', ca: '/ca.pem' } },
        }),
      ),
    ).to.deep.equal([
      `${FILE}: postgres.passwordFile and postgres.passwordEnv are both set; keep one`,
      `${FILE}: postgres.tls.ca is set but tls.mode is disable; set mode: verify-full to use it, or remove ca`,
    ]);
    expect(problems(() => parseStoreChoice(FILE, { postgres: { lease: '10s' } }))).to.deep.equal([
      `${FILE}: postgres is set but store is not a postgres:// URL; set store: postgres://user@host:5432/database, or remove postgres`,
    ]);
  });

  describe('the password', () => {
    const missing = (p: string): string => {
      throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    };

    it('is the first line of the file, without its newline, or the variable', () => {
      expect(readPostgresPassword(FILE, { kind: 'file', path: '/p' }, { read: () => 'pa ss\n', env: {} })).to.equal('pa ss');
      expect(readPostgresPassword(FILE, { kind: 'env', name: 'PGPW' }, { read: missing, env: { PGPW: 'x' } })).to.equal('x');
      expect(readPostgresPassword(FILE, { kind: 'none' }, { read: missing, env: {} })).to.equal(undefined);
    });

    it('names the file or variable that failed and what to do', () => {
      const err = (fn: () => unknown) => {
        try {
          fn();
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error('expected an error');
      };
      const unreadable = err(() => readPostgresPassword(FILE, { kind: 'file', path: '/etc/convoy/pg' }, { read: missing, env: {} }));
      expect(unreadable.problems).to.deep.equal([`${FILE}: postgres.passwordFile "/etc/convoy/pg" cannot be read (ENOENT)`]);
      expect(unreadable.hint).to.equal(
        'Create it readable by the user running convoyd only (mode 0600), holding the password on one line.',
      );
      const empty = err(() => readPostgresPassword(FILE, { kind: 'file', path: '/p' }, { read: () => '\n', env: {} }));
      expect(empty.problems).to.deep.equal([`${FILE}: postgres.passwordFile "/p" is empty`]);
      const unset = err(() => readPostgresPassword(FILE, { kind: 'env', name: 'PGPW' }, { read: missing, env: {} }));
      expect(unset.problems).to.deep.equal([`${FILE}: postgres.passwordEnv names PGPW, which is not set in convoyd's environment`]);
    });
  });
});
