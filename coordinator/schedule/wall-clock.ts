/**
 * Wall-clock time in an IANA timezone, from Intl alone (no library): what a clock on the
 * wall shows at an instant, and which instant a wall-clock time is.
 *
 * A wall-clock time is kept as milliseconds of a naive calendar (Date.UTC of its fields),
 * so cron fields can be matched with plain UTC getters and no DST in the way.
 */

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall-clock reading of instant `ms` in `timezone`, as naive milliseconds. */
export function wallTime(ms: number, timezone: string): number {
  const fields: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(ms))) if (p.type !== 'literal') fields[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  const subsecond = ms - Math.floor(ms / 1000) * 1000;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) + subsecond;
}

/** The UTC offset of `timezone` at instant `ms`, in milliseconds (Zurich in winter: 3_600_000). */
export function offsetAt(ms: number, timezone: string): number {
  return wallTime(ms, timezone) - ms;
}

/** An instant for a wall-clock time, and whether a DST change touches that time. */
export interface Instant {
  ms: number;
  /** > 0 when the time fell into a spring-forward gap: by how much it was moved. */
  shiftedMs: number;
  /** True when the time happens twice (fall back); `ms` is its first occurrence. */
  repeated: boolean;
}

/**
 * The instant a wall-clock time denotes. A time that happens twice (fall back) is its first
 * occurrence. A time that does not exist (spring forward) is read with the offset in force
 * before the change, as RFC 5545 (iCalendar) prescribes: 02:30 on the morning Zurich moves
 * from 02:00 CET to 03:00 CEST is 03:30 CEST, and `shiftedMs` is the length of the gap.
 */
export function instantOf(wall: number, timezone: string): Instant {
  // Offsets a day either side: no zone changes its offset twice within two days.
  const before = offsetAt(wall - DAY_MS, timezone);
  const after = offsetAt(wall + DAY_MS, timezone);
  const candidates = [...new Set([wall - before, wall - after])].filter((ms) => wallTime(ms, timezone) === wall).sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return { ms: first, shiftedMs: 0, repeated: candidates.length > 1 };
  return { ms: wall - before, shiftedMs: Math.abs(after - before), repeated: false };
}

/**
 * For a wall-clock time inside a spring-forward gap or a repeated hour: the first wall-clock
 * time after that stretch (it happens exactly once). The change happened at an instant T
 * with offset `before` until T and `after` from T on; T is found by bisection.
 */
export function wallAfterChange(wall: number, timezone: string): number {
  const before = offsetAt(wall - DAY_MS, timezone);
  const after = offsetAt(wall + DAY_MS, timezone);
  let lo = wall - Math.max(before, after);
  let hi = wall - Math.min(before, after);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, timezone) === before) lo = mid;
    else hi = mid;
  }
  return hi + Math.max(before, after);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "+01:00", "-04:00", "+05:30". */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** An instant as the timezone's clock shows it: "Sun 2026-03-29 03:30 +02:00" (seconds only when not :00). */
export function formatLocal(ms: number, timezone: string): string {
  const wall = new Date(wallTime(ms, timezone));
  const seconds = wall.getUTCSeconds() ? `:${pad2(wall.getUTCSeconds())}` : '';
  const date = `${wall.getUTCFullYear()}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`;
  const time = `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}${seconds}`;
  return `${WEEKDAYS[wall.getUTCDay()]} ${date} ${time} ${formatOffset(offsetAt(ms, timezone))}`;
}
