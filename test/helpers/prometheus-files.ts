/**
 * The shipped Prometheus and Grafana files, as tests use them: `writeTestRules` makes a copy of
 * a rules file with short `for:` durations and named threshold replacements, so a test exercises
 * the shipped expressions in seconds; `dashboardExpressions` and `substituteGrafanaVariables`
 * read a Grafana dashboard's PromQL as Grafana would send it.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** How to derive a test copy of a rules file. */
export interface TestRulesOptions {
  /** Replaces every `for:` duration (e.g. "1s"). */
  for?: string;
  /**
   * Per alert: exact substrings of its `expr` and their replacement (thresholds). Each `from`
   * must occur in that alert's expression, so a changed shipped rule fails the test loudly.
   */
  replace?: Record<string, Array<[from: string, to: string]>>;
}

interface RuleDoc {
  groups: Array<{ name: string; interval?: string; rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }>;
}

/** Writes a copy of rules file `src` to `dest` with short `for:` durations and replaced thresholds. */
export function writeTestRules(src: string, dest: string, opts: TestRulesOptions): void {
  const doc = YAML.parse(fs.readFileSync(src, 'utf8')) as RuleDoc;
  const pending = new Map(Object.entries(opts.replace ?? {}));
  for (const group of doc.groups) {
    // evaluate as often as the test server scrapes
    delete group.interval;
    for (const rule of group.rules) {
      if (opts.for !== undefined && rule.for !== undefined) rule.for = opts.for;
      const edits = rule.alert ? pending.get(rule.alert) : undefined;
      if (!rule.alert || !edits) continue;
      for (const [from, to] of edits) {
        if (!rule.expr.includes(from))
          throw new Error(`${src}: alert ${rule.alert}: expr does not contain ${JSON.stringify(from)}:\n${rule.expr}`);
        rule.expr = rule.expr.split(from).join(to);
      }
      pending.delete(rule.alert);
    }
  }
  if (pending.size > 0) throw new Error(`${src}: no alert named ${[...pending.keys()].join(', ')}`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, YAML.stringify(doc));
}

/** Every target expression of a Grafana dashboard JSON file, with the title of its panel. */
export function dashboardExpressions(file: string): Array<{ panel: string; expr: string }> {
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  return d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** An expression as Grafana sends it: `$cluster` as "All" (.*), `$__range` and the rate interval given. */
export function substituteGrafanaVariables(expr: string, range: string, rateInterval = '1m'): string {
  return expr
    .replaceAll('$cluster', '.*')
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', rateInterval)
    .replaceAll('$__range', range);
}
