/**
 * A rollout as stored: its document without the hosts, and one row per host. A step changes
 * one host; writing only the rows that changed keeps a step's write the same size in a rollout
 * of 1,000 hosts as in one of 3 (the whole document, every host and step, was written for each
 * change and made a large rollout slower with every host it finished).
 *
 * The change set is plain data (which rows to write, whether the old rows are replaced), so a
 * store on another database writes the same rows.
 */
import type { HostRun, Rollout } from '../rollout/model.js';

/** One host of a rollout, serialized. */
export interface HostRow {
  agentId: string;
  /** Its position in the rollout's host list (hosts are read back in this order). */
  ord: number;
  data: string;
}

/** What to write for one save of a rollout. */
export interface RolloutChanges {
  /** The rollout without its hosts (`hosts: []`). */
  doc: string;
  /** Host rows to insert or replace. */
  hosts: HostRow[];
  /** True when the rollout's stored host rows are replaced by `hosts` (nothing of it known as written). */
  replaceAll: boolean;
  /** The host rows as written once this save succeeded: pass it to the next save. */
  written: Map<string, string>;
}

/**
 * The rows of `r` that differ from `written` (agent id -> row data as last written; undefined
 * when unknown, e.g. the first save after a start: then every row is written).
 */
export function rolloutChanges(r: Rollout, written: ReadonlyMap<string, string> | undefined): RolloutChanges {
  const doc = JSON.stringify({ ...r, hosts: [] });
  const rows = r.hosts.map((h, ord) => ({ agentId: h.agentId, ord, data: JSON.stringify(h) }));
  const next = new Map(rows.map((row) => [row.agentId, row.data]));
  const replaceAll = written === undefined || written.size !== rows.length || rows.some((row) => !written.has(row.agentId));
  const hosts = replaceAll ? rows : rows.filter((row) => written.get(row.agentId) !== row.data);
  return { doc, hosts, replaceAll, written: next };
}

/**
 * The rollout a document and its host rows (in order) describe. A document written before
 * hosts had rows of their own (schema 2) carries its hosts and has no rows.
 */
export function rolloutFromRows(doc: string, rows: readonly { data: string }[]): Rollout {
  const r = JSON.parse(doc) as Rollout;
  if (rows.length > 0) r.hosts = rows.map((row) => JSON.parse(row.data) as HostRun);
  return r;
}
