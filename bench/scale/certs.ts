/**
 * Certificates for the scale benchmark, issued as `convoy certs` issues them (shared/certs.ts:
 * openssl, one CA, one client certificate per agent id, one for the operator and one for
 * convoyd). Issuing thousands takes minutes, so they are kept in a directory and reused by
 * the next run; only the missing ones are issued.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caFiles, createCa, issueCertificate, leafFiles } from '../../shared/certs.js';

/** Where the benchmark keeps its certificates between runs (override with --certs-dir). */
export const DEFAULT_CERTS_DIR = path.join(os.tmpdir(), 'convoy-bench-certs');

/** The operator the benchmark's `convoy` calls run as. */
export const BENCH_OPERATOR = 'bench';

/** The files of the CA, convoyd and the operator. */
export interface BenchTlsFiles {
  ca: string;
  coordinator: { cert: string; key: string };
  operator: { cert: string; key: string };
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Makes sure the CA, convoyd's, the operator's and every agent's certificate exist in `dir`. */
export async function ensureCerts(dir: string, agentIds: string[], log: (line: string) => void): Promise<BenchTlsFiles> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = caFiles(dir);
  if (!fs.existsSync(ca.cert)) await createCa({ dir, name: 'Convoy bench CA' });
  const coordinator = leafFiles(dir, 'coordinator', '');
  if (!fs.existsSync(coordinator.cert)) await issueCertificate({ caDir: dir, kind: 'coordinator', names: ['localhost', '127.0.0.1'] });
  const operator = leafFiles(dir, 'operator', BENCH_OPERATOR);
  if (!fs.existsSync(operator.cert)) await issueCertificate({ caDir: dir, kind: 'operator', names: [BENCH_OPERATOR] });
  const missing = agentIds.filter((id) => !fs.existsSync(leafFiles(dir, 'agent', id).cert));
  if (missing.length) {
    log(`issuing ${missing.length} agent certificates in ${dir} (kept for the next run)`);
    let done = 0;
    await pool(missing, Math.max(2, os.availableParallelism() * 2), async (id) => {
      await issueCertificate({ caDir: dir, kind: 'agent', names: [id] });
      if (++done % 1000 === 0) log(`  ${done}/${missing.length}`);
    });
  }
  return { ca: ca.cert, coordinator, operator };
}

/** An agent's certificate and key, as the agent reads them. */
export function agentPem(dir: string, id: string): { cert: Buffer; key: Buffer } {
  const files = leafFiles(dir, 'agent', id);
  return { cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) };
}
