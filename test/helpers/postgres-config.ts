/** The resolved store settings that point convoyd's PostgreSQL modules at a test cluster. */
import fs from 'node:fs';
import { readPostgresPassword, type PostgresStoreConfig } from '../../coordinator/store/postgres-config.js';
import type { PostgresCluster } from './postgres.js';

/** Settings for `database` in `cluster`: loopback without TLS, short timeouts so a stopped cluster fails fast. */
export function postgresConfig(
  cluster: PostgresCluster,
  database: string,
  overrides: Partial<PostgresStoreConfig> = {},
): PostgresStoreConfig {
  return {
    host: cluster.host,
    port: cluster.port,
    database,
    user: cluster.user,
    password: { kind: 'file', path: cluster.passwordFile },
    tls: { mode: 'disable' },
    connectTimeoutMs: 2000,
    queryTimeoutMs: 2000,
    leaseMs: 10_000,
    applicationName: 'convoyd-test',
    ...overrides,
  };
}

/** The password the settings name, read the way convoyd reads it (postgres.passwordFile). */
export function readTestPassword(config: PostgresStoreConfig): string | undefined {
  return readPostgresPassword('coordinator.yaml', config.password, { read: (p) => fs.readFileSync(p, 'utf8'), env: process.env });
}
