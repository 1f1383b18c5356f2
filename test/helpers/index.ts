/** End-to-end test helpers: one import for a test file. */
export * from './cleanup.js';
export * from './cli.js';
export * from './cluster.js';
export * from './fleet-config.js';
export * from './paths.js';
export * from './ports.js';
export * from './processes.js';
export * from './sandbox.js';
export * from './tmp.js';
export * from './wait.js';
