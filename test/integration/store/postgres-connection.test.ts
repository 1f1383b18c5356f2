/**
 * Connecting to PostgreSQL as an operator configures it: TLS modes against a server with a
 * certificate of the test CA, and the errors of a wrong password, a missing database and an
 * unknown CA, each naming the database and the fix.
 */
import { expect } from 'chai';
import { PgDatabase } from '../../../coordinator/store/pg-client.js';
import type { PostgresStoreConfig } from '../../../coordinator/store/postgres-config.js';
import { ConvoyError } from '../../../shared/errors.js';
import { caFiles } from '../../../shared/certs.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { postgresConfig } from '../../helpers/postgres-config.js';
import { testCaDir, testCertificate } from '../../helpers/tls.js';

describe('coordinator/store: connecting to PostgreSQL (TLS, password, database)', () => {
  let cluster: PostgresCluster;
  let ca: string;
  before(async () => {
    const cert = await testCertificate('coordinator', ['127.0.0.1', 'localhost']);
    ca = caFiles(await testCaDir()).cert;
    cluster = await startPostgres({ tls: cert });
  });
  after(async () => cluster?.destroy());

  /** Whether the session is encrypted, as the server sees it; or the ConvoyError of connecting. */
  async function connect(overrides: Partial<PostgresStoreConfig>, password = cluster.password): Promise<boolean | ConvoyError> {
    const db = new PgDatabase(postgresConfig(cluster, 'postgres', overrides), { password });
    try {
      const { rows } = await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]!.ssl;
    } catch (err) {
      if (err instanceof ConvoyError) return err;
      throw err;
    } finally {
      await db.close();
    }
  }

  it('encrypts with verify-full and the CA of the server certificate, with require, and not with disable', async () => {
    expect(await connect({ tls: { mode: 'verify-full', caFile: ca } })).to.equal(true);
    expect(await connect({ tls: { mode: 'require' } })).to.equal(true);
    expect(await connect({ tls: { mode: 'disable' } })).to.equal(false);
  });

  it('refuses a server certificate verify-full cannot trust, and says which setting fixes it', async () => {
    const err = (await connect({ tls: { mode: 'verify-full' } })) as ConvoyError;
    expect(err).to.be.instanceOf(ConvoyError);
    expect(err.code).to.equal('FAILED_PRECONDITION');
    expect(err.message).to.match(
      new RegExp(`^PostgreSQL postgres://convoy@127\\.0\\.0\\.1:${cluster.port}/postgres \\(tls verify-full\\): TLS failed: .*certificate`),
    );
    expect(err.hint).to.equal(
      'Set postgres.tls.ca to the CA of the server certificate (its name must match the host in store), or tls.mode: require.',
    );
  });

  it('says a wrong password is refused, without showing it', async () => {
    const err = (await connect({}, 'not-the-password')) as ConvoyError;
    expect(err.code).to.equal('PERMISSION_DENIED');
    expect(err.message).to.equal(
      `PostgreSQL postgres://convoy@127.0.0.1:${cluster.port}/postgres (tls disable) refused user convoy: password authentication failed for user "convoy"`,
    );
    expect(err.hint).to.equal('Check the password in postgres.passwordFile (or postgres.passwordEnv) and the server’s pg_hba.conf.');
    expect(`${err.message} ${err.hint}`).not.to.include('not-the-password');
  });

  it('says how to create a database that does not exist', async () => {
    const err = (await connect({ database: 'fleet' })) as ConvoyError;
    expect(err.code).to.equal('FAILED_PRECONDITION');
    expect(err.message).to.equal(
      `PostgreSQL postgres://convoy@127.0.0.1:${cluster.port}/fleet (tls disable): database "fleet" does not exist`,
    );
    expect(err.hint).to.equal('Create it: createdb -O convoy fleet');
  });
});
