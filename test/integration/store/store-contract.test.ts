/**
 * The store contract (store-contract.ts) against both implementations: the SQLite store
 * wrapped into the asynchronous interface, and PostgreSQL in a private cluster.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteAsyncStore } from '../../../coordinator/store/async-store.js';
import { SqliteStore } from '../../../coordinator/store/sqlite-store.js';
import { PostgresStore } from '../../../coordinator/store/postgres-store.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { postgresConfig, readTestPassword } from '../../helpers/postgres-config.js';
import { storeContract } from './store-contract.js';

describe('store contract: SQLite (through SqliteAsyncStore)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-contract-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  storeContract({
    async open() {
      const file = path.join(dir, `state-${++n}.db`);
      const store = new SqliteAsyncStore(new SqliteStore(file));
      // SQLite's file is held exclusively: the "restart" closes the first store before reopening
      return { store, reopen: async () => (await store.close(), new SqliteAsyncStore(new SqliteStore(file))) };
    },
  });
});

describe('store contract: PostgreSQL', () => {
  let cluster: PostgresCluster;
  before(async () => (cluster = await startPostgres()));
  after(async () => cluster?.destroy());

  storeContract({
    async open() {
      const config = postgresConfig(cluster, await cluster.createDatabase('contract'));
      const password = readTestPassword(config); // from the file, as convoyd reads postgres.passwordFile
      const store = await PostgresStore.open(config, { password });
      return { store, reopen: () => PostgresStore.open(config, { password }) };
    },
  });
});
