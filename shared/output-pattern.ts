/**
 * Output patterns of step checks (`expectOutput`, `rejectOutput`, `alongsideAfter`): a plain
 * text matches as a substring of one output line; `/regex/flags` as a JavaScript regex.
 * Matching is per line, so a pattern never spans two lines.
 */

/** A compiled pattern, with the text the operator wrote (for messages). */
export interface OutputPattern {
  written: string;
  test(line: string): boolean;
}

const REGEX_FORM = /^\/(.+)\/([imsu]*)$/;

/** Why a written pattern cannot be compiled, or undefined. */
export function patternProblem(written: string): string | undefined {
  const m = REGEX_FORM.exec(written);
  if (!m) return undefined;
  try {
    new RegExp(m[1] ?? '', m[2]);
    return undefined;
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message}); write plain text to match a substring`;
  }
}

/** Compiles a pattern that patternProblem accepted. */
export function compilePattern(written: string): OutputPattern {
  const m = REGEX_FORM.exec(written);
  if (m) {
    const re = new RegExp(m[1] ?? '', (m[2] ?? '').replace(/g/g, ''));
    return { written, test: (line) => re.test(line) };
  }
  return { written, test: (line) => line.includes(written) };
}
