/**
 * Text from the network made inert before a terminal sees it. A version, a label or a line of
 * step output comes from an agent that may be hostile; printed raw, "\x1b[2A\x1b[2K" moves the
 * cursor up and erases a line the operator was reading, and "\x1b]52;c;…\x07" (OSC 52) writes
 * the operator's clipboard. Every control character is replaced by a visible escape ("\x1b"),
 * so the operator sees that something was there and nothing is executed.
 *
 * Controls covered: C0 (U+0000-001F), DEL, C1 (U+0080-009F: 8-bit CSI/OSC that some terminals
 * obey), the line and paragraph separators, and the bidirectional overrides and isolates that
 * reorder what is shown (U+202A-202E, U+2066-2069).
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every control character shown as an escape ("\x1b[2K" -> "\\x1b[2K"). A tab becomes
 * one space (it only moves the cursor right, but it breaks the columns of a table). With
 * `keepNewlines`, "\n" stays a line break (our own multi-line messages on stderr).
 */
export function inertText(s: string, opts: { keepNewlines?: boolean } = {}): string {
  return s.replace(/\t/g, ' ').replace(opts.keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, visible);
}

const ANY_CONTROL = new RegExp(CONTROL.source);

/** True when `s` holds a character inertText would replace (a tab included). */
export function hasControlCharacters(s: string): boolean {
  return ANY_CONTROL.test(s);
}

/** A deep copy of `value` with every string (and object key) passed through inertText. */
export function inertDeep<T>(value: T): T {
  if (typeof value === 'string') return inertText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => inertDeep(v)) as T;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[inertText(k)] = inertDeep(v);
  return out as T;
}

/** JSON.stringify leaves DEL, C1 and the Unicode controls raw; they get \u escapes as well. */
const JSON_RAW_CONTROL = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a terminal or a script: the exact values (JSON.parse gives back every byte), with
 * every control character written as a \u escape, so printing the document executes nothing.
 */
export function inertJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(JSON_RAW_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
