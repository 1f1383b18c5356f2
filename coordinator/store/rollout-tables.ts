/**
 * Rollouts in SQLite: one row per rollout (its document without the hosts, and the columns its
 * queries use) and one row per host (rollout-rows.ts). A save writes the document and the host
 * rows that changed since the last save of that rollout, in one transaction.
 */
import type Database from 'better-sqlite3';
import { needsWork, type Rollout } from '../rollout/model.js';
import { rolloutChanges, rolloutFromRows } from './rollout-rows.js';

export class RolloutTables {
  /** Unfinished rollout id -> its host rows as last written (agent id -> data). */
  private readonly writtenHosts = new Map<string, Map<string, string>>();

  constructor(private readonly db: Database.Database) {}

  /** Writes a rollout (its document, with the columns its queries use, and the host rows that changed) and, in the same transaction, what the caller adds. */
  save(r: Rollout, alsoInTransaction: () => void): void {
    const seq = Number(r.id.replace(/^r-/, '')) || 0;
    const changes = rolloutChanges(r, this.writtenHosts.get(r.id));
    const finished = needsWork(r) ? 0 : 1;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO rollouts (id, seq, cluster, target, state, phase, created_at_ms, updated_at_ms, finished, data)
           VALUES (@id, @seq, @cluster, @target, @state, @phase, @created, @updated, @finished, @data)
           ON CONFLICT(id) DO UPDATE SET state=@state, phase=@phase, updated_at_ms=@updated, finished=@finished, data=@data`,
        )
        .run({
          id: r.id,
          seq,
          cluster: r.cluster,
          target: r.target,
          state: r.state,
          phase: r.phase,
          created: r.createdAtMs,
          updated: r.updatedAtMs,
          finished,
          data: changes.doc,
        });
      if (changes.replaceAll) this.db.prepare('DELETE FROM rollout_hosts WHERE rollout_id = ?').run(r.id);
      const upsert = this.db.prepare(
        `INSERT INTO rollout_hosts (rollout_id, agent_id, ord, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(rollout_id, agent_id) DO UPDATE SET ord=excluded.ord, data=excluded.data`,
      );
      for (const h of changes.hosts) upsert.run(r.id, h.agentId, h.ord, h.data);
      alsoInTransaction();
    })();
    // remembered only once written, and only while the rollout can still change
    if (finished) this.writtenHosts.delete(r.id);
    else this.writtenHosts.set(r.id, changes.written);
  }

  get(id: string): Rollout | undefined {
    const row = this.db.prepare('SELECT data FROM rollouts WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? this.withHosts(id, row.data) : undefined;
  }

  list(opts: { limit: number; cluster?: string }): Rollout[] {
    const rows = opts.cluster
      ? this.db.prepare('SELECT id, data FROM rollouts WHERE cluster = ? ORDER BY seq DESC LIMIT ?').all(opts.cluster, opts.limit)
      : this.db.prepare('SELECT id, data FROM rollouts ORDER BY seq DESC LIMIT ?').all(opts.limit);
    return (rows as { id: string; data: string }[]).map((r) => this.withHosts(r.id, r.data));
  }

  unfinished(): Rollout[] {
    const rows = this.db.prepare('SELECT id, data FROM rollouts WHERE finished = 0 ORDER BY seq').all() as { id: string; data: string }[];
    return rows.map((r) => this.withHosts(r.id, r.data));
  }

  /** A rollout's document joined with its host rows. */
  private withHosts(id: string, doc: string): Rollout {
    const hosts = this.db.prepare('SELECT data FROM rollout_hosts WHERE rollout_id = ? ORDER BY ord').all(id) as { data: string }[];
    return rolloutFromRows(doc, hosts);
  }
}
