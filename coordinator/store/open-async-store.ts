/**
 * Opens the store coordinator.yaml chose (postgres-config.ts's StoreChoice) behind the one
 * asynchronous interface: the SQLite state file, or PostgreSQL with its password read from the
 * file or variable the settings name. What convoyd's composition root will call once the
 * controller persists asynchronously (docs/high-availability.md, "What is not wired yet").
 */
import fs from 'node:fs';
import { SqliteAsyncStore, type AsyncStore } from './async-store.js';
import { readPostgresPassword, type StoreChoice } from './postgres-config.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';

export interface OpenStoreOptions {
  /** coordinator.yaml's path, named in every error about the settings. */
  configFile: string;
  /** The SQLite state file (used when the choice is SQLite). */
  stateFile: string;
  env?: Record<string, string | undefined>;
  /** An idle database connection broke (PostgreSQL restarted): logged, not fatal. */
  onIdleError?: (err: Error) => void;
}

export async function openAsyncStore(choice: StoreChoice, opts: OpenStoreOptions): Promise<AsyncStore> {
  if (choice.kind === 'sqlite') return new SqliteAsyncStore(new SqliteStore(opts.stateFile));
  const password = readPostgresPassword(opts.configFile, choice.password, {
    read: (p) => fs.readFileSync(p, 'utf8'),
    env: opts.env ?? process.env,
  });
  return PostgresStore.open(choice, { password, onIdleError: opts.onIdleError });
}
