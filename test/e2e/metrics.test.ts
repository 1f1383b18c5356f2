/**
 * Issue 6 (metrics): a real Prometheus scrapes the built convoyd during real rollouts, with a
 * copy of the shipped alert rules whose `for:` durations and thresholds are cut to seconds
 * (the expressions are the shipped ones), and runs every expression of the shipped dashboard.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, repoRoot, useSandbox, waitFor, type Fleet } from '../helpers/index.js';
import { dashboardExpressions, substituteGrafanaVariables, writeTestRules } from '../helpers/prometheus-files.js';
import { findPrometheusTool, startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { TERMINAL, host, start, waitRollout } from './support.js';

const RULES = path.join(repoRoot(), 'deploy', 'prometheus', 'convoy-rules.yml');
const DASHBOARD = path.join(repoRoot(), 'deploy', 'grafana', 'convoy-dashboard.json');

/** Every family of docs/metrics.md (a histogram by its _bucket series). */
const FAMILIES = [
  'convoy_agents_connected',
  'convoy_agents_registered',
  'convoy_agent_up',
  'convoy_agent_info',
  'convoy_agent_server_healthy',
  'convoy_rollouts_started_total',
  'convoy_rollouts_finished_total',
  'convoy_rollouts_in_progress',
  'convoy_rollout_last_progress_timestamp_seconds',
  'convoy_host_updates_total',
  'convoy_step_duration_seconds_bucket',
  'convoy_agent_last_backup_timestamp_seconds',
  'convoy_agent_heartbeat_age_seconds',
  'convoy_rollouts_awaiting_ack',
  'convoy_schedule_next_window_start_timestamp_seconds',
  'convoy_certificate_expiry_timestamp_seconds',
];

/** The shipped rules with every `for:` at 1s, "stuck" after 2s and backups "too old" after 1s. */
const TEST_RULES = {
  for: '1s',
  replace: {
    ConvoyRolloutStuck: [['> 1800', '> 2']] as Array<[string, string]>,
    ConvoyBackupTooOld: [['> 26 * 3600', '> 1']] as Array<[string, string]>,
  },
};

/** A schedule whose window is far away: the scheduler exposes its next start and never opens it here. */
const SCHEDULE = { name: 'hoss-new-year', cluster: 'hoss', cron: '0 3 1 1 *', timezone: 'UTC', window: '2h', target: 'latest' };

interface Scraped {
  fleet: Fleet;
  prom: Prometheus;
  startedAtMs: number;
}

async function scrapedFleet(dir: string): Promise<Scraped> {
  const fleet = await createFleet({ dir, cluster: { healthDeadline: '5s' }, coordinatorOverrides: { schedules: [SCHEDULE] } });
  const rules = path.join(dir, 'prometheus-rules', 'convoy-rules.yml');
  writeTestRules(RULES, rules, TEST_RULES);
  const prom = await startPrometheus({ dir, targets: [{ job: 'convoyd', url: fleet.metricsUrl }], ruleFiles: [rules] });
  await prom.waitForTargetsUp();
  return { fleet, prom, startedAtMs: Date.now() };
}

/** Installed versions per agent of cluster hoss, as Prometheus has scraped them. */
async function versions(prom: Prometheus): Promise<Record<string, string>> {
  const samples = await prom.query('convoy_agent_info{cluster="hoss"}');
  return Object.fromEntries(samples.map((s) => [s.metric.agent, s.metric.version]));
}

async function waitVersions(prom: Prometheus, want: Record<string, string>): Promise<void> {
  await prom.waitForQuery('convoy_agent_info{cluster="hoss"}', {
    what: `convoy_agent_info to show ${JSON.stringify(want)}`,
    accept: (s) => JSON.stringify(Object.fromEntries(s.map((x) => [x.metric.agent, x.metric.version]))) === JSON.stringify(want),
  });
}

/** The value of a one-series query (0 when it has no series). */
async function value(prom: Prometheus, expr: string): Promise<number> {
  const [sample, extra] = await prom.query(expr);
  if (extra) throw new Error(`${expr} returned more than one series`);
  return sample?.value ?? 0;
}

/** Resolves once every rule has been evaluated twice after `ms`: time for a `for: 1s` alert to fire. */
async function waitEvaluatedAfter(prom: Prometheus, ms: number): Promise<void> {
  await waitFor(
    async () => (await prom.rules()).every((g) => g.rules.every((r) => r.lastEvaluation && Date.parse(r.lastEvaluation) > ms + 2500)),
    { what: 'every rule to be evaluated twice more', timeoutMs: 30_000, intervalMs: 200 },
  );
}

describe('e2e: metrics, alert rules and the dashboard against a real Prometheus', function () {
  this.timeout(300_000);
  const sandbox = useSandbox();

  it('serves /healthz, and a /metrics whose convoy_ families pass promtool check metrics', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const health = await fetch(fleet.metricsUrl.replace(/\/metrics$/, '/healthz'));
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: 'running' });
    const res = await fetch(fleet.metricsUrl);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).to.match(/^convoy_agents_connected 3$/m);
    expect(body).to.match(/^convoy_agent_info\{agent="hoss-auth",cluster="hoss",role="auth",version="0\.1\.0",served="0\.1\.0"\} 1$/m);
    const ours = body
      .split('\n')
      .filter((l) => /^(# (HELP|TYPE) )?convoy_/.test(l))
      .join('\n');
    const lint = await new Promise<{ code: number; output: string }>((resolve) => {
      const child = execFile(findPrometheusTool('promtool'), ['check', 'metrics'], (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
      child.stdin?.end(`${ours}\n`);
    });
    expect(lint, lint.output).to.deep.equal({ code: 0, output: '' });
  });

  it('fires the version skew alert while a cluster is half-updated and clears it once the cluster runs one version', async () => {
    const { fleet, prom, startedAtMs } = await scrapedFleet(sandbox.dir);
    await waitVersions(prom, { 'hoss-a': '0.1.0', 'hoss-auth': '0.1.0', 'hoss-b': '0.1.0' });
    // the test CA issues certificates for 30 days: under the 30-day threshold, so their expiry alert fires from the start
    const expiring = await prom.waitForAlert('ConvoyCertificateExpiringSoon', 'firing', { labels: { role: 'agent', subject: 'hoss-a' } });
    expect(expiring.map((a) => a.labels.fingerprint)).to.have.length(1);
    expect((await prom.alerts()).filter((a) => a.labels.alertname !== 'ConvoyCertificateExpiringSoon')).to.deep.equal([]);

    // 1. halts at the first member after the auth server: hoss-a runs 0.2.0 but never turns healthy,
    //    hoss-b is not touched (a slow auth build shows "stuck")
    fleet.host('hoss-auth').server.setKnob('slow-build-ms', '6000');
    fleet.host('hoss-a').server.setKnob('slow-build-ms', '3000');
    const first = await start(fleet, ['hoss', '--to', '0.2.0']);
    await waitRollout(fleet, first, 'hoss-a building', (r) => host(r, 'hoss-a').currentStep === 'build', 90_000);
    fleet.host('hoss-a').server.setKnob('never-healthy');
    const failed = await waitRollout(fleet, first, 'to finish', (r) => TERMINAL.includes(r.state), 90_000);
    expect([failed.state, failed.failedHost, failed.failedStep]).to.deep.equal(['failed', 'hoss-a', 'health']);
    await waitVersions(prom, { 'hoss-a': '0.2.0', 'hoss-auth': '0.2.0', 'hoss-b': '0.1.0' });
    const skew = await prom.waitForAlert('ConvoyVersionSkew', 'firing', { labels: { cluster: 'hoss' } });
    expect(skew.map((a) => Number(a.value))).to.deep.equal([2]);
    await prom.waitForAlert('ConvoyRolloutFailed', 'firing', { labels: { cluster: 'hoss', result: 'failed' } });

    // 2. hoss-a recovers; a second rollout brings hoss-b to 0.2.0: one version, nothing in progress, no skew
    fleet.host('hoss-a').server.setKnob('never-healthy', false);
    const second = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0', '--watch'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).to.equal(0);
    await waitVersions(prom, { 'hoss-a': '0.2.0', 'hoss-auth': '0.2.0', 'hoss-b': '0.2.0' });
    await prom.waitForQuery('sum(convoy_rollouts_in_progress{cluster="hoss"})', { accept: (s) => s.length === 0 });
    await waitEvaluatedAfter(prom, Date.now());
    expect((await prom.alerts()).filter((a) => a.labels.alertname === 'ConvoyVersionSkew')).to.deep.equal([]);
    expect(await versions(prom)).to.deep.equal({ 'hoss-a': '0.2.0', 'hoss-auth': '0.2.0', 'hoss-b': '0.2.0' });
    for (const h of fleet.hosts) expect(await h.server.servedVersion(), h.name).to.equal('0.2.0');

    // 3. release notes that require action: the rollout waits for an ack (then is aborted)
    const third = await start(fleet, ['hoss', '--to', '0.3.0']);
    await waitRollout(fleet, third, 'awaiting-ack', (r) => r.state === 'awaiting-ack');
    await prom.waitForAlert('ConvoyReleaseNotesAwaitingAck', 'firing', { labels: { cluster: 'hoss' } });
    const abort = await fleet.cli(['rollout', 'abort', third]);
    expect(abort.code, abort.stderr).to.equal(0);

    // 4. an agent goes away
    await fleet.stopAgent('hoss-b');
    const gone = await prom.waitForAlert('ConvoyAgentDisconnected', 'firing', { labels: { agent: 'hoss-b' } });
    expect(gone.map((a) => a.labels.cluster)).to.deep.equal(['hoss']);
    await prom.waitForAlert('ConvoyBackupTooOld', 'firing', { labels: { agent: 'hoss-auth' } });

    await checkCounters(prom);

    // 5. convoyd itself goes away (last: its series go stale)
    await fleet.stopCoordinator();
    await prom.waitForAlert('ConvoydDown', 'firing', { labels: { job: 'convoyd' } });

    await checkEveryAlertFired(prom, startedAtMs);
    await checkDashboard(prom, startedAtMs);
    await checkFamilies(prom, startedAtMs);
  });
});

/** What a user reads off the counters after: three rollouts, one of each result; the slow build's duration. */
async function checkCounters(prom: Prometheus): Promise<void> {
  const at = (expr: string): Promise<number> => value(prom, expr);
  await prom.waitForQuery('convoy_rollouts_finished_total{cluster="hoss",result="aborted"} == 1');
  expect(await at('convoy_rollouts_started_total{cluster="hoss"}')).to.equal(3);
  for (const result of ['succeeded', 'failed', 'aborted'])
    expect(await at(`convoy_rollouts_finished_total{cluster="hoss",result="${result}"}`), result).to.equal(1);
  expect(await at('convoy_host_updates_total{cluster="hoss",result="updated"}')).to.equal(2);
  expect(await at('convoy_host_updates_total{cluster="hoss",result="failed"}')).to.equal(1);
  // the second rollout found the auth server and hoss-a at 0.2.0 already
  expect(await at('convoy_host_updates_total{cluster="hoss",result="skipped"}')).to.equal(2);
  expect(await at('convoy_step_duration_seconds_count{step="health",result="failed"}')).to.equal(1);
  expect(await at('convoy_step_duration_seconds_count{step="build",result="succeeded"}')).to.equal(3);
  // the auth server's build slept 6 s and hoss-a's 3 s: the auth build is above the 5 s bucket
  expect(await at('convoy_step_duration_seconds_bucket{step="build",result="succeeded",le="5"}')).to.be.at.most(2);
  expect(await at('convoy_step_duration_seconds_sum{step="build",result="succeeded"}')).to.be.at.least(9);
  expect(await at('convoy_agents_connected')).to.equal(2);
  expect(await at('convoy_agent_up{agent="hoss-b"}')).to.equal(0);
}

/** Each shipped alert was firing at some point of the test (Prometheus' own ALERTS series). */
async function checkEveryAlertFired(prom: Prometheus, sinceMs: number): Promise<void> {
  const span = `${Math.ceil((Date.now() - sinceMs) / 1000) + 5}s`;
  const groups = await prom.rules();
  const rules = groups.flatMap((g) => g.rules);
  expect(rules.map((r) => r.name)).to.have.length(8);
  for (const rule of rules) {
    expect(rule.health, `${rule.name}: ${rule.lastError}`).to.equal('ok');
    const fired = await prom.query(`max_over_time(ALERTS{alertname="${rule.name}",alertstate="firing"}[${span}])`);
    expect(fired.length, `${rule.name} never fired; expr: ${rule.query}`).to.be.greaterThan(0);
  }
}

/** Every dashboard expression parses and had data during the test, as Grafana would ask for it. */
async function checkDashboard(prom: Prometheus, sinceMs: number): Promise<void> {
  const endMs = Date.now();
  const range = `${Math.ceil((endMs - sinceMs) / 1000)}s`;
  const empty: string[] = [];
  for (const { panel, expr } of dashboardExpressions(DASHBOARD)) {
    const series = await prom.queryRange(substituteGrafanaVariables(expr, range, '5s'), sinceMs, endMs, 1);
    if (series.length === 0) empty.push(`${panel}: ${expr}`);
  }
  expect(empty, 'dashboard expressions without data').to.deep.equal([]);
}

/** Every documented family had series during the test. */
async function checkFamilies(prom: Prometheus, sinceMs: number): Promise<void> {
  const span = `${Math.ceil((Date.now() - sinceMs) / 1000) + 5}s`;
  const missing: string[] = [];
  for (const family of FAMILIES) if ((await prom.query(`count(last_over_time(${family}[${span}]))`)).length === 0) missing.push(family);
  const hint = missing.includes('convoy_schedule_next_window_start_timestamp_seconds')
    ? ' (schedules: convoyd must wire its scheduler with daemon.metrics.setScheduleSource(), see docs/metrics.md)'
    : '';
  expect(missing, `families without series${hint}`).to.deep.equal([]);
}
