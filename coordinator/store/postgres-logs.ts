/**
 * Step output in PostgreSQL (log_lines): append, read after a sequence number, sizes, and the
 * deletions retention makes. The twin of log-tables.ts; the limits are decided in
 * coordinator/logs/. Writes go through the store's guarded transaction.
 */
import type { OutputSize, StoredLogLine } from './store.js';
import type { PgDatabase, SqlRunner } from './pg-client.js';

type Write = <T>(fn: (tx: SqlRunner) => Promise<T>) => Promise<T>;

/** Rows one read returns at most (as in SQLite): a follower asks again after the last seq. */
const PAGE = 10_000;

export class PostgresLogs {
  constructor(
    private readonly db: PgDatabase,
    private readonly write: Write,
  ) {}

  async append(
    rolloutId: string,
    agentId: string,
    step: string,
    requestId: string,
    atMs: number,
    lines: string[],
  ): Promise<StoredLogLine[]> {
    if (lines.length === 0) return [];
    const { rows } = await this.write((tx) =>
      tx.query<{ seq: number }>(
        `INSERT INTO log_lines (rollout_id, agent_id, step, request_id, at_ms, line)
         SELECT $1, $2, $3, $4, $5, l FROM unnest($6::text[]) WITH ORDINALITY AS t(l, i) ORDER BY i RETURNING seq`,
        [rolloutId, agentId, step, requestId, atMs, lines],
      ),
    );
    // identities are drawn in insertion order; RETURNING's order is not promised, so sort
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    return lines.map((line, i) => ({ seq: seqs[i]!, rolloutId, agentId, step, atMs, line }));
  }

  async list(rolloutId: string, afterSeq: number, filter: { host?: string; step?: string }): Promise<StoredLogLine[]> {
    const { rows } = await this.db.query<StoredLogLine>(
      `SELECT seq, rollout_id AS "rolloutId", agent_id AS "agentId", step, at_ms AS "atMs", line FROM log_lines
       WHERE rollout_id = $1 AND seq > $2 AND ($3 = '' OR agent_id = $3) AND ($4 = '' OR step = $4) ORDER BY seq LIMIT ${PAGE}`,
      [rolloutId, afterSeq, filter.host ?? '', filter.step ?? ''],
    );
    return rows;
  }

  /** Lines and UTF-8 bytes of the output `where` selects. */
  async size(where: string, params: unknown[], runner: SqlRunner = this.db): Promise<OutputSize> {
    const { rows } = await runner.query<OutputSize>(
      `SELECT COUNT(*)::bigint AS lines, COALESCE(SUM(octet_length(line)), 0)::bigint AS bytes FROM log_lines ${where}`,
      params,
    );
    return { lines: rows[0]!.lines, bytes: rows[0]!.bytes };
  }

  /** The finished rollout with stored output that finished first, or undefined. */
  async oldestFinishedWithOutput(): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT r.id FROM rollouts r WHERE r.finished AND EXISTS (SELECT 1 FROM log_lines l WHERE l.rollout_id = r.id)
       ORDER BY r.updated_at_ms, r.seq LIMIT 1`,
    );
    return rows[0]?.id;
  }

  /** Deletes the stored output of one rollout; returns what was deleted. */
  deleteOutputOf(rolloutId: string): Promise<OutputSize> {
    return this.write(async (tx) => {
      const size = await this.size('WHERE rollout_id = $1', [rolloutId], tx);
      await tx.query('DELETE FROM log_lines WHERE rollout_id = $1', [rolloutId]);
      return size;
    });
  }

  /**
   * Deletes the output and events of rollouts that finished before `cutoffMs`, output of
   * rollouts that no longer exist, and events of no rollout older than the cutoff.
   */
  deleteFinishedBefore(cutoffMs: number): Promise<{ rollouts: number; lines: number; events: number }> {
    return this.write(async (tx) => {
      const old = await tx.query<{ id: string }>('SELECT id FROM rollouts WHERE finished AND updated_at_ms < $1', [cutoffMs]);
      const ids = old.rows.map((r) => r.id);
      const lines =
        (await tx.query('DELETE FROM log_lines WHERE rollout_id = ANY($1)', [ids])).rowCount +
        (await tx.query('DELETE FROM log_lines WHERE rollout_id NOT IN (SELECT id FROM rollouts) AND at_ms < $1', [cutoffMs])).rowCount;
      const events =
        (await tx.query('DELETE FROM events WHERE rollout_id = ANY($1)', [ids])).rowCount +
        (await tx.query("DELETE FROM events WHERE rollout_id = '' AND at_ms < $1", [cutoffMs])).rowCount;
      return { rollouts: ids.length, lines, events };
    });
  }
}
