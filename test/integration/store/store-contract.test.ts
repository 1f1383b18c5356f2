/**
 * The store contract (store-contract.ts) against both implementations, each opened the way
 * convoyd will open it (openAsyncStore): the SQLite store wrapped into the asynchronous
 * interface, and PostgreSQL in a private cluster.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAsyncStore } from '../../../coordinator/store/open-async-store.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { postgresConfig } from '../../helpers/postgres-config.js';
import { storeContract } from './store-contract.js';

describe('store contract: SQLite (through SqliteAsyncStore)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-contract-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  storeContract({
    async open() {
      const stateFile = path.join(dir, `state-${++n}.db`);
      const open = () => openAsyncStore({ kind: 'sqlite' }, { configFile: 'coordinator.yaml', stateFile });
      const store = await open();
      // SQLite's file is held exclusively: the "restart" closes the first store before reopening
      return { store, reopen: async () => (await store.close(), open()) };
    },
  });
});

describe('store contract: PostgreSQL', () => {
  let cluster: PostgresCluster;
  before(async () => (cluster = await startPostgres()));
  after(async () => cluster?.destroy());

  storeContract({
    async open() {
      // the password comes from the cluster's password file, as convoyd reads postgres.passwordFile
      const choice = { kind: 'postgres' as const, ...postgresConfig(cluster, await cluster.createDatabase('contract')) };
      const open = () => openAsyncStore(choice, { configFile: 'coordinator.yaml', stateFile: '/nonexistent/unused.db' });
      return { store: await open(), reopen: open };
    },
  });
});
