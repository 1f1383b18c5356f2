/**
 * The step output table (log_lines) and what bounding it needs: sizes per step run, per rollout
 * and in total, and the deletions retention makes. Plain data access: the limits themselves are
 * decided in coordinator/logs/.
 */
import type Database from 'better-sqlite3';

import type { OutputSize, StoredLogLine } from './store.js';

export class LogTables {
  constructor(private readonly db: Database.Database) {
    // Sizes per step run are read by request id.
    db.exec('CREATE INDEX IF NOT EXISTS log_lines_request ON log_lines (request_id)');
  }

  /** Appends output lines of one step run; returns them as stored. */
  append(rolloutId: string, agentId: string, step: string, requestId: string, atMs: number, lines: string[]): StoredLogLine[] {
    const stmt = this.db.prepare('INSERT INTO log_lines (rollout_id, agent_id, step, request_id, at_ms, line) VALUES (?, ?, ?, ?, ?, ?)');
    const out: StoredLogLine[] = [];
    this.db.transaction(() => {
      for (const line of lines) {
        const info = stmt.run(rolloutId, agentId, step, requestId, atMs, line);
        out.push({ seq: Number(info.lastInsertRowid), rolloutId, agentId, step, atMs, line });
      }
    })();
    return out;
  }

  list(rolloutId: string, afterSeq: number, filter: { host?: string; step?: string }): StoredLogLine[] {
    const rows = this.db
      .prepare(
        `SELECT seq, rollout_id, agent_id, step, at_ms, line FROM log_lines WHERE rollout_id = ? AND seq > ?
         AND (? = '' OR agent_id = ?) AND (? = '' OR step = ?) ORDER BY seq LIMIT 10000`,
      )
      .all(rolloutId, afterSeq, filter.host ?? '', filter.host ?? '', filter.step ?? '', filter.step ?? '') as Record<string, unknown>[];
    return rows.map((r) => ({
      seq: r.seq as number,
      rolloutId: r.rollout_id as string,
      agentId: r.agent_id as string,
      step: r.step as string,
      atMs: r.at_ms as number,
      line: r.line as string,
    }));
  }

  private size(where: string, ...params: unknown[]): OutputSize {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS lines, COALESCE(SUM(length(CAST(line AS BLOB))), 0) AS bytes FROM log_lines ${where}`)
      .get(...params) as OutputSize;
    return { lines: row.lines, bytes: row.bytes };
  }

  sizeOfRun(requestId: string): OutputSize {
    return this.size('WHERE request_id = ?', requestId);
  }

  sizeOfRollout(rolloutId: string): OutputSize {
    return this.size('WHERE rollout_id = ?', rolloutId);
  }

  totalSize(): OutputSize {
    return this.size('');
  }

  /** The finished rollout with stored output that finished first, or undefined. */
  oldestFinishedWithOutput(): string | undefined {
    const row = this.db
      .prepare(
        `SELECT r.id AS id FROM rollouts r WHERE r.finished = 1 AND EXISTS (SELECT 1 FROM log_lines l WHERE l.rollout_id = r.id)
         ORDER BY r.updated_at_ms, r.seq LIMIT 1`,
      )
      .get() as { id: string } | undefined;
    return row?.id;
  }

  /** Deletes the stored output of one rollout; returns what was deleted. */
  deleteOutputOf(rolloutId: string): OutputSize {
    const size = this.sizeOfRollout(rolloutId);
    this.db.prepare('DELETE FROM log_lines WHERE rollout_id = ?').run(rolloutId);
    return size;
  }

  /**
   * Deletes the output and events of rollouts that finished before `cutoffMs`, output of
   * rollouts that no longer exist, and events of no rollout older than the cutoff.
   */
  deleteFinishedBefore(cutoffMs: number): { rollouts: number; lines: number; events: number } {
    return this.db.transaction(() => {
      const old = this.db.prepare('SELECT id FROM rollouts WHERE finished = 1 AND updated_at_ms < ?').all(cutoffMs) as { id: string }[];
      const ids = old.map((r) => r.id);
      let lines = 0;
      let events = 0;
      const delLines = this.db.prepare('DELETE FROM log_lines WHERE rollout_id = ?');
      const delEvents = this.db.prepare('DELETE FROM events WHERE rollout_id = ?');
      for (const id of ids) {
        lines += delLines.run(id).changes;
        events += delEvents.run(id).changes;
      }
      lines += this.db
        .prepare('DELETE FROM log_lines WHERE rollout_id NOT IN (SELECT id FROM rollouts) AND at_ms < ?')
        .run(cutoffMs).changes;
      events += this.db.prepare("DELETE FROM events WHERE rollout_id = '' AND at_ms < ?").run(cutoffMs).changes;
      return { rollouts: ids.length, lines, events };
    })();
  }
}
