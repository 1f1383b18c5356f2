/**
 * The operator's alert selector (clusters[].alerts.selector) -> label matchers -> the PromQL
 * query convoyd sends. The selector is parsed, never pasted: the query is rebuilt from the
 * parsed matchers with our own quoting, so a selector can only ever narrow down ALERTS.
 */
import path from 'node:path';
import type { ClusterConfig } from '../config.js';

/** One Prometheus label matcher, e.g. severity="critical" or alertname=~"Disk.*". */
export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  /** The value, unescaped. */
  value: string;
}

export type SelectorParse = { matchers: LabelMatcher[] } | { error: string };

const LABEL_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPS = ['=~', '!~', '!=', '='] as const;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t', r: '\r' };
/** Labels the query sets itself: a selector naming them would contradict it. */
const RESERVED: Record<string, string> = {
  alertstate: 'convoyd adds alertstate="firing" itself; remove it from the selector',
  __name__: 'the query always reads the ALERTS series; remove __name__ from the selector',
};

/** A cursor over the selector text; each reader returns the error it met, if any. */
class Cursor {
  at = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  done(): boolean {
    return this.at >= this.text.length;
  }

  /** A short excerpt of what follows, for error messages. */
  near(): string {
    const rest = this.text.slice(this.at);
    return this.done() ? 'the end' : `"${rest.length > 20 ? `${rest.slice(0, 20)}…` : rest}"`;
  }

  readLabel(): string | undefined {
    LABEL_RE.lastIndex = this.at;
    const m = LABEL_RE.exec(this.text);
    if (!m) return undefined;
    this.at += m[0].length;
    return m[0];
  }

  readOp(): LabelMatcher['op'] | undefined {
    const op = OPS.find((o) => this.text.startsWith(o, this.at));
    if (op) this.at += op.length;
    return op;
  }

  /** A quoted value ("…", '…' with escapes, or `…` raw); returns the value or an error. */
  readValue(): { value: string } | { error: string } {
    const quote = this.text[this.at];
    if (quote !== '"' && quote !== "'" && quote !== '`') return { error: `expected a quoted value at ${this.near()}` };
    let value = '';
    for (let i = this.at + 1; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === quote) {
        this.at = i + 1;
        return { value };
      }
      if (/[\u0000-\u001f\u007f]/.test(c)) return { error: 'a value contains a control character' };
      if (c !== '\\' || quote === '`') {
        value += c;
        continue;
      }
      const next = this.text[++i] ?? '';
      const decoded = ESCAPES[next];
      if (decoded === undefined)
        return { error: `unsupported escape "\\${next}" in a value (a regular expression's backslash is written "\\\\")` };
      value += decoded;
    }
    return { error: `a value is missing its closing ${quote}` };
  }
}

function readMatcher(cur: Cursor): LabelMatcher | { error: string } {
  const label = cur.readLabel();
  if (!label) return { error: `expected a label name at ${cur.near()}` };
  const reserved = RESERVED[label];
  if (reserved) return { error: reserved };
  cur.skipSpace();
  const op = cur.readOp();
  if (!op) return { error: `expected =, !=, =~ or !~ after ${label}` };
  cur.skipSpace();
  const v = cur.readValue();
  if ('error' in v) return { error: `${label}${op}: ${v.error}` };
  return { label, op, value: v.value };
}

/** Parses `{severity="critical"}` or `severity="critical",cluster="hoss"` into label matchers. */
export function parseSelector(text: string): SelectorParse {
  let body = text.trim();
  if (body.startsWith('{') !== body.endsWith('}')) return { error: 'has an unbalanced { }' };
  if (body.startsWith('{')) body = body.slice(1, -1);
  const cur = new Cursor(body);
  const matchers: LabelMatcher[] = [];
  for (cur.skipSpace(); !cur.done(); cur.skipSpace()) {
    const m = readMatcher(cur);
    if ('error' in m) return m;
    matchers.push(m);
    cur.skipSpace();
    if (cur.done()) break;
    if (cur.text[cur.at] !== ',') return { error: `expected "," or the end after ${m.label}${m.op}…, found ${cur.near()}` };
    cur.at++;
  }
  return { matchers };
}

/** A value in PromQL's double-quoted form. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** The instant query for the alerts firing that match `matchers`. */
export function firingAlertsQuery(matchers: LabelMatcher[]): string {
  const parts = ['alertstate="firing"', ...matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`)];
  return `ALERTS{${parts.join(',')}}`;
}

/** Every cluster's alerts: selector checked (its durations are bounded by the schema, config-bounds.ts); operator sentences naming file, key, value and fix. */
export function checkAlertsConfig(file: string, clusters: ClusterConfig[]): string[] {
  const name = path.basename(file);
  const problems: string[] = [];
  clusters.forEach((c, i) => {
    if (!c.alerts) return;
    const at = `${name}: clusters[${i}].alerts`;
    const parsed = parseSelector(c.alerts.selector);
    if ('error' in parsed) {
      problems.push(
        `${at}.selector ${JSON.stringify(c.alerts.selector)} is not a list of label matchers: ${parsed.error}. ` +
          `Write matchers such as severity="critical",cluster="${c.name}" (in YAML: selector: '{severity="critical"}')`,
      );
    }
  });
  return problems;
}
