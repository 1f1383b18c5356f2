/**
 * The only importer of node-cron. Everything else reasons about windows with plain
 * timestamps (see windows.ts) and an injected clock.
 */
import cron from 'node-cron';

/** Why a cron expression is not usable, or undefined when it is (five or six fields). */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `has ${fields} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)`;
  const detail = cronFields(expr);
  if ('error' in detail) return `is not a valid cron expression (${detail.error})`;
  return undefined;
}

/**
 * The expanded field sets of a valid expression (seconds default to [0] for five fields).
 * Day fields may also hold node-cron's special tokens: "L", "15W", "LW", "L-3" (day of
 * month) and "0L" (last Sunday), "1#2" (second Monday) (day of week).
 */
export interface CronFields {
  second: number[];
  minute: number[];
  hour: number[];
  dayOfMonth: (number | string)[];
  month: number[];
  dayOfWeek: (number | string)[];
}

/** Parses an expression into its field sets with node-cron's own parser, or says why it can't. */
export function cronFields(expr: string): CronFields | { error: string } {
  let detail: { valid: boolean; errors?: { field?: string; message?: string }[]; fields?: CronFields };
  try {
    detail = cron.validateDetailed(expr);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  if (!detail.valid || !detail.fields) {
    const e = detail.errors?.[0];
    return { error: e ? `${e.field ?? 'field'}: ${e.message ?? 'invalid'}` : 'invalid' };
  }
  const fields = detail.fields;
  if (expr.trim().split(/\s+/).length === 5) fields.second = [0];
  return fields;
}

/** Why a timezone is not an IANA zone this Node knows, or undefined. node-cron throws on bad ones: check first. */
export function timezoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return 'is not a known IANA timezone (e.g. "Europe/Zurich", "UTC")';
  }
}

/** A started cron task; `stop` is safe to call twice. */
export interface CronHandle {
  stop(): Promise<void>;
}

/** Calls `fn` at each occurrence of `expr` in `timezone`. */
export async function startCron(expr: string, timezone: string, name: string, fn: () => void): Promise<CronHandle> {
  const task = cron.createTask(expr, fn, { timezone, name });
  await task.start();
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await task.stop();
      await task.destroy();
    },
  };
}

/** The next `n` occurrences of `expr` after now, from node-cron itself (used to cross-check windows.ts). */
export function nextRuns(expr: string, timezone: string, n: number): Date[] {
  const task = cron.createTask(expr, () => undefined, { timezone });
  try {
    return task.getNextRuns(n);
  } finally {
    void task.destroy();
  }
}
