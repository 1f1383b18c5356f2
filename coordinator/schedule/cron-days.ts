/**
 * Which calendar days a cron expression selects, with node-cron's semantics (cron.ts fires
 * the same days): the day of month AND the day of week must both match (node-cron does not
 * use classic cron's "either" rule), and its special tokens mean what they mean there.
 */
import type { CronFields } from './cron.js';

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** "15W": the weekday nearest the 15th, staying inside the month. */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = lastDayOfMonth(year, month);
  if (target < 1 || target > last) return -1;
  const weekday = weekdayOf(year, month, target);
  if (weekday === 6) return target === 1 ? target + 2 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function dayOfMonthToken(token: number | string, year: number, month: number, day: number): boolean {
  if (typeof token === 'number') return token === day;
  const last = lastDayOfMonth(year, month);
  if (token === 'L') return day === last;
  const near = /^(\d{1,2}|L)W$/.exec(token);
  if (near) return nearestWeekday(year, month, near[1] === 'L' ? last : Number(near[1])) === day;
  const before = /^L-(\d{1,2})$/.exec(token);
  if (before) return last - Number(before[1]) === day;
  return false;
}

function dayOfWeekToken(token: number | string, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  if (typeof token === 'number') return token % 7 === weekday;
  const nth = /^([0-7])#([1-5])$/.exec(token);
  if (nth) return Number(nth[1]) % 7 === weekday && Math.floor((day - 1) / 7) + 1 === Number(nth[2]);
  const lastOf = /^([0-7])L$/i.exec(token);
  if (lastOf) return Number(lastOf[1]) % 7 === weekday && day + 7 > lastDayOfMonth(year, month);
  return false;
}

/** True when the expression selects this calendar day (month 1-12). */
export function dayMatches(fields: CronFields, year: number, month: number, day: number): boolean {
  if (!fields.month.includes(month)) return false;
  return (
    fields.dayOfMonth.some((t) => dayOfMonthToken(t, year, month, day)) && fields.dayOfWeek.some((t) => dayOfWeekToken(t, year, month, day))
  );
}
