/**
 * A result as it goes to the coordinator: its echoed fields within the wire's bounds, and a
 * note appended to its reason when something about it must be said (not journalled yet).
 */
import type { StepResult } from '../shared/wire.js';

/** The coordinator's bound on a result's reason (coordinator/rpc/validate.ts). */
const MAX_REASON_CHARS = 4000;

/**
 * A refused request echoes what the coordinator sent; a hostile one (a 200 kB step name, an
 * attempt of 2^31) would make the result unacceptable to any coordinator, and a journalled
 * result that is always refused would block every later Hello. Keep echoed fields in bounds.
 */
export function boundForWire(r: StepResult): StepResult {
  const attempt = Number.isInteger(r.attempt) && r.attempt >= 0 && r.attempt <= 1000 ? r.attempt : 0;
  return {
    ...r,
    rolloutId: r.rolloutId.slice(0, 64),
    step: r.step.slice(0, 64) || 'unknown',
    attempt,
    reason: r.reason.slice(0, MAX_REASON_CHARS),
  };
}

/** The result with `note` after its reason, the reason cut so both fit the wire's bound. */
export function withNote(r: StepResult, note: string): StepResult {
  const room = Math.max(0, MAX_REASON_CHARS - note.length - 1);
  const reason = r.reason.length > room ? `${r.reason.slice(0, Math.max(0, room - 1))}…` : r.reason;
  return { ...r, reason: reason ? `${reason} ${note}` : note };
}
