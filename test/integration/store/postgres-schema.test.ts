/**
 * The PostgreSQL schema's migrations: replicas starting together migrate once, and a database
 * a newer Convoy migrated is refused with what to do.
 */
import { expect } from 'chai';
import { PgDatabase } from '../../../coordinator/store/pg-client.js';
import { POSTGRES_SCHEMA_VERSION, POSTGRES_TABLES } from '../../../coordinator/store/postgres-schema.js';
import { PostgresStore } from '../../../coordinator/store/postgres-store.js';
import { ConvoyError } from '../../../shared/errors.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { postgresConfig } from '../../helpers/postgres-config.js';

describe('coordinator/store: the PostgreSQL schema and its migrations', () => {
  let cluster: PostgresCluster;
  before(async () => (cluster = await startPostgres()));
  after(async () => cluster?.destroy());

  it('is created once when three replicas start on an empty database at the same moment', async () => {
    const config = postgresConfig(cluster, await cluster.createDatabase('schema'));
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(config, { password: cluster.password })));
    try {
      // one found the database empty and migrated it; the others waited and found it current
      expect(stores.map((s) => s.foundSchemaVersion).sort()).to.deep.equal([0, POSTGRES_SCHEMA_VERSION, POSTGRES_SCHEMA_VERSION]);
      const { rows } = await stores[0]!.db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(rows.map((r) => r.table_name)).to.deep.equal([...POSTGRES_TABLES].sort());
      expect((await stores[0]!.db.query('SELECT version FROM schema_version')).rows).to.deep.equal([{ version: POSTGRES_SCHEMA_VERSION }]);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('refuses a database a newer Convoy migrated, and leaves it as it was', async () => {
    const config = postgresConfig(cluster, await cluster.createDatabase('newer'));
    const db = new PgDatabase(config, { password: cluster.password });
    try {
      await db.query('CREATE TABLE schema_version (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), version INTEGER NOT NULL)');
      await db.query('INSERT INTO schema_version (version) VALUES (99)');
      let refused: unknown;
      await PostgresStore.open(config, { password: cluster.password }).catch((err) => (refused = err));
      expect(refused).to.be.instanceOf(ConvoyError);
      expect((refused as ConvoyError).message).to.equal(
        `PostgreSQL postgres://convoy@127.0.0.1:${cluster.port}/${config.database} (tls disable) holds schema 99, written by a newer Convoy (this convoyd knows up to ${POSTGRES_SCHEMA_VERSION})`,
      );
      expect((refused as ConvoyError).hint).to.equal(
        'Run the Convoy version of the other replicas (every replica of a fleet runs the same version; docs/upgrading.md).',
      );
      const { rows } = await db.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
      expect(rows).to.deep.equal([{ n: 1 }]);
    } finally {
      await db.close();
    }
  });
});
