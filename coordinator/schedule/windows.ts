/**
 * Maintenance windows: a cron expression says when one opens (in an IANA timezone), a
 * length says how long it stays open. Pure: every function takes the instant it reasons
 * about; the scheduler passes its clock's `now`.
 *
 * Cron fields are matched on the timezone's wall clock; wall-clock times become instants
 * with wall-clock.ts's rules. Across DST changes (Europe/Zurich):
 * - spring forward: a start at 02:30 on the day 02:00 CET jumps to 03:00 CEST does not exist;
 *   the window opens at 03:30 CEST (RFC 5545: read with the offset before the change) and
 *   is not skipped. A start at 02:00 opens at 03:00 CEST.
 * - fall back: 02:30 on the day 03:00 CEST falls back to 02:00 CET happens twice; one window
 *   opens, at the first 02:30 (CEST).
 * A window's length is real time: a 3h window across the change still lasts 3 hours.
 *
 * node-cron itself skips the missing time and fires at the second of a repeated one; the
 * scheduler only uses its firing as a prompt and asks these functions what window is open.
 */
import { dayMatches } from './cron-days.js';
import { cronFields, type CronFields } from './cron.js';
import { instantOf, offsetAt, wallAfterChange, wallTime } from './wall-clock.js';

/** Everything needed to compute a schedule's windows. */
export interface WindowSpec {
  fields: CronFields;
  timezone: string;
  windowMs: number;
}

/** [startMs, endMs): no host starts at or after endMs. */
export interface MaintenanceWindow {
  startMs: number;
  endMs: number;
}

const DAY_MS = 86_400_000;
/** Longest DST gap we allow for (real ones are 30 minutes to 2 hours). */
const MAX_GAP_MS = 3 * 3_600_000;
/** A day pattern that never recurs within this many years has no next window (e.g. Feb 30). */
const SEARCH_DAYS = 366 * 30;
const MAX_STEPS = 10_000;

/** Builds a spec from config values; throws when the expression is invalid (config.ts rejects those first). */
export function windowSpec(cron: string, timezone: string, windowMs: number): WindowSpec {
  const fields = cronFields(cron);
  if ('error' in fields) throw new Error(`invalid cron expression "${cron}": ${fields.error}`);
  const sorted = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
  return {
    fields: { ...fields, second: sorted(fields.second), minute: sorted(fields.minute), hour: sorted(fields.hour) },
    timezone,
    windowMs,
  };
}

/** The first second of day at or after `fromSecond` that the time fields select. */
function firstTimeOfDay(f: CronFields, fromSecond: number): number | undefined {
  for (const h of f.hour) {
    if ((h + 1) * 3600 <= fromSecond) continue;
    for (const m of f.minute) {
      if (h * 3600 + (m + 1) * 60 <= fromSecond) continue;
      for (const s of f.second) {
        const t = h * 3600 + m * 60 + s;
        if (t >= fromSecond) return t;
      }
    }
  }
  return undefined;
}

/** The first wall-clock time at or after `fromWall` (naive ms) that the expression selects. */
export function nextWallMatch(f: CronFields, fromWall: number): number | undefined {
  const from = Math.ceil(fromWall / 1000) * 1000;
  let day = Math.floor(from / DAY_MS) * DAY_MS;
  let fromSecond = (from - day) / 1000;
  for (let i = 0; i < SEARCH_DAYS; i++, day += DAY_MS, fromSecond = 0) {
    const d = new Date(day);
    if (!dayMatches(f, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())) continue;
    const t = firstTimeOfDay(f, fromSecond);
    if (t !== undefined) return day + t * 1000;
  }
  return undefined;
}

/**
 * The first start after `afterMs` among the wall-clock matches from `fromWall` on. Wall-clock
 * times that happen once map to instants in order; a match moved forward out of a gap
 * competes with the first match after the gap; the second run of a repeated hour is never
 * a start. Walls known to map to instants up to `afterMs` are skipped in one jump, so dense
 * expressions (every second) stay cheap next to a DST change.
 */
function firstStartFrom(spec: WindowSpec, fromWall: number, afterMs: number): number | undefined {
  const tz = spec.timezone;
  const nowWall = wallTime(afterMs, tz);
  const now = instantOf(nowWall, tz);
  // inside the second run of a repeated hour, its remaining wall-clock times are all past
  const pastUntil = now.repeated && now.ms < afterMs ? wallAfterChange(nowWall, tz) : nowWall;
  let wall = fromWall;
  for (let i = 0; i < MAX_STEPS; i++) {
    const match = nextWallMatch(spec.fields, wall);
    if (match === undefined) return undefined;
    const at = instantOf(match, tz);
    if (at.ms > afterMs && !at.shiftedMs) return at.ms;
    if (at.ms > afterMs) {
      const afterGap = firstStartFrom(spec, Math.max(wallAfterChange(match, tz), nowWall), afterMs);
      return afterGap === undefined ? at.ms : Math.min(at.ms, afterGap);
    }
    wall = at.shiftedMs ? match + 1000 : Math.max(match + 1000, pastUntil);
  }
  return undefined;
}

/** The first window start strictly after `afterMs`, or undefined if the expression never fires again. */
export function nextStart(spec: WindowSpec, afterMs: number): number | undefined {
  const tz = spec.timezone;
  const ahead = firstStartFrom(spec, wallTime(afterMs, tz), afterMs);
  // Just after a spring-forward change, the gap's wall-clock times read as instants still to come.
  const gapWall = afterMs + offsetAt(afterMs - MAX_GAP_MS, tz);
  if (!instantOf(gapWall, tz).shiftedMs) return ahead;
  const fromGap = firstStartFrom(spec, gapWall, afterMs);
  if (ahead === undefined || fromGap === undefined) return ahead ?? fromGap;
  return Math.min(ahead, fromGap);
}

/** The next `count` windows that start after `afterMs`. */
export function nextWindows(spec: WindowSpec, afterMs: number, count: number): MaintenanceWindow[] {
  const out: MaintenanceWindow[] = [];
  let after = afterMs;
  while (out.length < count) {
    const start = nextStart(spec, after);
    if (start === undefined) break;
    out.push({ startMs: start, endMs: start + spec.windowMs });
    after = start;
  }
  return out;
}

/**
 * The window open at `nowMs` (start <= now < end), or undefined. When windows overlap
 * (a window longer than the cron's period), the latest one that started.
 */
export function windowAt(spec: WindowSpec, nowMs: number): MaintenanceWindow | undefined {
  const first = nextStart(spec, nowMs - spec.windowMs);
  if (first === undefined || first > nowMs) return undefined;
  // nextStart is non-decreasing in its argument: bisect for the last start <= now.
  let lo = first - 1;
  let hi = nowMs;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const start = nextStart(spec, mid);
    if (start !== undefined && start <= nowMs) lo = mid;
    else hi = mid;
  }
  const start = nextStart(spec, lo) ?? first;
  return { startMs: start, endMs: start + spec.windowMs };
}
