/**
 * The shipped Prometheus and Grafana files (deploy/): the rules pass `promtool check rules`
 * and their own `promtool test rules` unit tests, every alert is exercised there, and the
 * dashboard is importable JSON whose every PromQL expression parses and reads only metric
 * families convoyd exports (each documented in docs/metrics.md).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import YAML from 'yaml';
import { FakeClock } from '../../../shared/clock.js';
import { Metrics } from '../../../coordinator/metrics.js';
import { repoRoot } from '../../helpers/paths.js';
import { dashboardExpressions, substituteGrafanaVariables } from '../../helpers/prometheus-files.js';
import { findPrometheusTool } from '../../helpers/prometheus.js';

const run = promisify(execFile);
const root = repoRoot();
const promDir = path.join(root, 'deploy', 'prometheus');
const RULES = path.join(promDir, 'convoy-rules.yml');
const RULE_TESTS = path.join(promDir, 'convoy-rules.test.yml');
const DASHBOARD = path.join(root, 'deploy', 'grafana', 'convoy-dashboard.json');
const ALERTS = [
  'ConvoyAgentDisconnected',
  'ConvoyRolloutFailed',
  'ConvoyRolloutStuck',
  'ConvoyVersionSkew',
  'ConvoyBackupTooOld',
  'ConvoyReleaseNotesAwaitingAck',
  'ConvoyCertificateExpiringSoon',
  'ConvoydDown',
];

interface Target {
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; allValue?: string; datasource?: { uid?: string } }> };
}

async function promtool(args: string[], cwd = promDir): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(findPrometheusTool('promtool'), args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function dashboard(): Dashboard {
  return JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;
}

/** The families a fresh Metrics registers (what convoyd's /metrics can expose). */
async function exportedFamilies(): Promise<string[]> {
  const clock = new FakeClock();
  const metrics = new Metrics({ fleet: { list: () => [] }, rollouts: { activeRollouts: () => [] }, clusters: () => [], clock });
  const json = await metrics.registry.getMetricsAsJSON();
  return json.map((m) => m.name);
}

/** convoy_* names an expression reads, histogram series mapped to their family. */
function familiesIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\bconvoy_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))];
}

describe('deploy/: Prometheus rules and the Grafana dashboard', function () {
  this.timeout(30_000);

  it('the alert rules pass promtool check rules', async () => {
    const res = await promtool(['check', 'rules', RULES]);
    expect(res.code, res.output).to.equal(0);
    expect(res.output).to.contain(`SUCCESS: ${ALERTS.length} rules found`);
  });

  it('the alert rules pass their promtool unit tests', async () => {
    const res = await promtool(['test', 'rules', RULE_TESTS]);
    expect(res.code, res.output).to.equal(0);
    expect(res.output).to.contain('SUCCESS');
  });

  it('the example prometheus.yml passes promtool check config and loads the rules', async () => {
    const res = await promtool(['check', 'config', path.join(promDir, 'prometheus.yml')]);
    expect(res.code, res.output).to.equal(0);
    expect(res.output).to.contain(`SUCCESS: ${ALERTS.length} rules found`);
  });

  it('ships every alert, each shown firing and not firing by the rule unit tests', () => {
    const rules = YAML.parse(fs.readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> };
    expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).to.have.members(ALERTS);
    const tests = YAML.parse(fs.readFileSync(RULE_TESTS, 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const alert of ALERTS) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert} is shown firing`,
      ).to.equal(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert} is shown not firing`,
      ).to.equal(true);
    }
  });

  it('the dashboard takes its datasource from a variable and filters by a cluster variable', () => {
    const d = dashboard();
    expect(d.uid).to.equal('convoy-fleet');
    const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v]));
    expect(vars.datasource?.type).to.equal('datasource');
    expect(vars.datasource?.query).to.equal('prometheus');
    expect(vars.cluster?.type).to.equal('query');
    expect(JSON.stringify(vars.cluster?.query)).to.contain('label_values(convoy_agent_info, cluster)');
    expect(vars.cluster?.allValue).to.equal('.*');
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid, p.title).to.equal('${datasource}');
      for (const t of p.targets ?? []) expect(t.datasource?.uid, `${p.title}: ${t.expr}`).to.equal('${datasource}');
    }
  });

  it('every dashboard expression reads metric families convoyd exports, filtered by cluster where they have one', async () => {
    const families = await exportedFamilies();
    const unclustered = ['convoy_agents_connected', 'convoy_agents_registered', 'convoy_step_duration_seconds'];
    const exprs = dashboardExpressions(DASHBOARD);
    expect(exprs.length).to.be.greaterThan(10);
    for (const { panel, expr } of exprs) {
      const used = familiesIn(expr);
      expect(used.length, `${panel}: ${expr} reads no convoy_* metric`).to.be.greaterThan(0);
      for (const f of used) expect(families, `${panel}: ${f}`).to.include(f);
      if (used.some((f) => !unclustered.includes(f))) expect(expr, panel).to.contain('cluster=~"$cluster"');
    }
  });

  it('every dashboard expression parses (promtool, with the variables Grafana would substitute)', async () => {
    const exprs = dashboardExpressions(DASHBOARD);
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: substituteGrafanaVariables(e.expr, '6h') })),
        },
      ],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-dashboard-'));
    try {
      const file = path.join(dir, 'dashboard-exprs.yml');
      fs.writeFileSync(file, YAML.stringify(rules));
      const res = await promtool(['check', 'rules', file], dir);
      expect(res.code, res.output).to.equal(0);
      expect(res.output).to.contain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/metrics.md documents every metric family and every alert', async () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'metrics.md'), 'utf8');
    for (const f of (await exportedFamilies()).filter((n) => n.startsWith('convoy_'))) expect(doc, f).to.contain(`\`${f}\``);
    for (const a of ALERTS) expect(doc, a).to.contain(`\`${a}\``);
  });
});
