/** What `convoy-agent doctor` says about one item: ok, warn (an update may still work) or fail (it will not), with the fix. */

export type Verdict = 'ok' | 'warn' | 'fail';

/** One checked item. */
export interface Finding {
  /** What was checked: "repository", "make targets", "health endpoint"… */
  item: string;
  verdict: Verdict;
  /** What was found, in one line. */
  detail: string;
  /** What to do (warn and fail). */
  fix?: string;
}

export const ok = (item: string, detail: string): Finding => ({ item, verdict: 'ok', detail });
export const warn = (item: string, detail: string, fix?: string): Finding => ({ item, verdict: 'warn', detail, fix });
export const fail = (item: string, detail: string, fix: string): Finding => ({ item, verdict: 'fail', detail, fix });

/** 0 when nothing failed (warnings allowed), 1 otherwise: the documented exit code. */
export function exitCodeOf(findings: readonly Finding[]): number {
  return findings.some((f) => f.verdict === 'fail') ? 1 : 0;
}
