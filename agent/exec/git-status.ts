/**
 * One `git status --porcelain=v2 --branch` tells HEAD's commit, the branch and every change of
 * the work tree: what took five git processes before (rev-parse, symbolic-ref, status…). The
 * changes are shown as `git status --porcelain=v1` shows them ("M server/Makefile",
 * "?? notes.txt", "R old -> new"), the words operators already see in dirtyDetail.
 */

/** What one status run says. */
export interface StatusReport {
  /** HEAD's commit, or '' on an unborn branch. */
  commit: string;
  /** The branch checked out, '' when HEAD is detached. */
  branch: string;
  /** Changed paths in porcelain v1 words. */
  lines: string[];
}

/** The arguments of the status run parseStatus reads. */
export const STATUS_ARGS = ['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '--untracked-files=normal'];

/** Parses porcelain v2 output (without -z: paths are quoted as git quotes them in v1 too). */
export function parseStatus(out: string): StatusReport {
  const report: StatusReport = { commit: '', branch: '', lines: [] };
  for (const line of out.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length).trim();
      report.commit = /^[0-9a-f]{40}$/.test(oid) ? oid : '';
    } else if (line.startsWith('# branch.head ')) {
      const head = line.slice('# branch.head '.length).trim();
      report.branch = head === '(detached)' ? '' : head;
    } else if (!line.startsWith('#')) {
      const entry = v1Words(line);
      if (entry) report.lines.push(entry);
    }
  }
  return report;
}

/** One v2 entry in v1 words: "XY path" with blanks collapsed, as dirtyDetail has always shown them. */
function v1Words(line: string): string | undefined {
  const kind = line[0];
  if (kind === '?') return `?? ${line.slice(2)}`;
  if (kind === '!') return undefined;
  const xy = (line.slice(2, 4) ?? '').replace(/\./g, ' ').trim();
  // ordinary: 1 XY sub mH mI mW hH hI path; unmerged: u XY sub m1 m2 m3 mW h1 h2 h3 path
  // renamed or copied: 2 XY sub mH mI mW hH hI Xscore path<TAB>origPath
  const fieldsBeforePath = kind === '1' ? 8 : kind === '2' ? 9 : kind === 'u' ? 10 : -1;
  if (fieldsBeforePath < 0) return undefined;
  const rest = afterFields(line, fieldsBeforePath);
  if (kind !== '2') return `${xy} ${rest}`;
  const [to = '', from = ''] = rest.split('\t');
  return `${xy} ${from} -> ${to}`;
}

/** The text after the first `n` space-separated fields. */
function afterFields(line: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const next = line.indexOf(' ', at);
    if (next < 0) return '';
    at = next + 1;
  }
  return line.slice(at);
}
