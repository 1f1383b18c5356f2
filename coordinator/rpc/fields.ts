/**
 * Checks for the fields of ControlService requests. Every field is bounded and matched against
 * the pattern of what it names, so a hostile value is refused with INVALID_ARGUMENT and a reason
 * before it reaches the domain (or a log line, or an SQL parameter).
 */
import { ConvoyError } from '../../shared/errors.js';
import { NAME_RE, ROLLOUT_ID_RE, STEP_RE } from '../../shared/names.js';
import { hasControlCharacters } from '../../shared/terminal-text.js';
import { printable } from '../../shared/versions.js';

/** A string of at most `max` characters, without control characters. */
export function str(v: unknown, field: string, max = 200): string {
  if (typeof v !== 'string') throw new ConvoyError('INVALID_ARGUMENT', `${field} must be a string`);
  if (v.length > max) throw new ConvoyError('INVALID_ARGUMENT', `${field} is longer than ${max} characters`);
  if (hasControlCharacters(v)) throw new ConvoyError('INVALID_ARGUMENT', `${field} "${printable(v)}" holds control characters`);
  return v;
}

function matching(v: unknown, field: string, re: RegExp, what: string): string {
  const s = str(v, field, 64);
  if (s !== '' && !re.test(s)) throw new ConvoyError('INVALID_ARGUMENT', `${field} "${printable(s)}" is not ${what}`);
  return s;
}

/** A cluster or agent name, or '' (not given). */
export function name(v: unknown, field: string): string {
  return matching(v, field, NAME_RE, 'a valid name (lower-case letters, digits, . _ -, at most 63)');
}

/** A rollout id, or ''. */
export function rolloutId(v: unknown, field = 'id'): string {
  return matching(v, field, ROLLOUT_ID_RE, 'a rollout id (e.g. r-12)');
}

/** A step name, or ''. */
export function stepName(v: unknown, field = 'step'): string {
  return matching(v, field, STEP_RE, 'a step name (e.g. build)');
}

/** A list length: 0 means `dflt`; capped at 1000. */
export function limit(v: unknown, dflt: number): number {
  const n = typeof v === 'number' ? v : 0;
  if (!Number.isInteger(n) || n < 0) throw new ConvoyError('INVALID_ARGUMENT', 'limit must be a non-negative integer');
  return n === 0 ? dflt : Math.min(n, 1000);
}

/** A proto bool: anything else is refused rather than read as false. */
export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ConvoyError('INVALID_ARGUMENT', `${field} must be true or false`);
  return v;
}
