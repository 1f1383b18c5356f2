/**
 * coordinator/metrics.ts: what each family reads, computed at scrape time from the fleet and the
 * rollouts (gauges) or counted from observed rollout changes (counters, the step histogram).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readCertificateFile } from '../../../shared/cert-info.js';
import { createCa, issueCertificate } from '../../../shared/certs.js';
import { knownCertificates } from '../../../coordinator/certificates.js';
import { FakeClock } from '../../../shared/clock.js';
import type { ClusterConfig } from '../../../coordinator/config.js';
import type { AgentRecord } from '../../../coordinator/fleet/registry.js';
import { Metrics, type ScheduleWindow } from '../../../coordinator/metrics.js';
import type { Rollout, StepRun } from '../../../coordinator/rollout/model.js';
import { createRollout } from '../../../coordinator/rollout/planner.js';

const CLUSTERS: ClusterConfig[] = [
  {
    name: 'hoss',
    authServer: 'hoss-auth',
    members: ['hoss-auth', 'hoss-a'],
    maxParallel: 1,
    healthDeadlineMs: 60_000,
    allowDowngrade: false,
    autoRollback: false,
  },
];

function agent(id: string, over: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id,
    connected: true,
    labels: {},
    serverDir: '/srv',
    hostname: id,
    agentVersion: '0.1.0',
    plan: [],
    rerunnable: [],
    hasRestore: false,
    stepTimeoutsMs: {},
    repo: { installedVersion: '0.1.0', commit: 'c', clean: true, tags: [], branch: '', trackedBranch: '', dirtyDetail: '' },
    health: { healthy: true, version: '0.1.0', detail: '', checkedAtMs: 0, configured: true },
    backups: [],
    lastSeenMs: 0,
    connectedSinceMs: 0,
    disconnectedAtMs: 0,
    ...over,
  };
}

function rollout(id: string, cluster: string, hosts: string[], now: number): Rollout {
  return createRollout({
    id,
    cluster,
    target: '0.2.0',
    initiator: 'test',
    now,
    ackPreapproved: false,
    maxParallel: 1,
    authHost: cluster ? 'hoss-auth' : '',
    allowDowngrade: false,
    autoRollback: false,
    healthDeadlineMs: 60_000,
    hosts: hosts.map((agentId) => ({ agentId, plan: ['backup', 'build'], rerunnable: [] })),
  });
}

function run(step: string, startedAtMs: number, finishedAtMs = 0, outcome: StepRun['outcome'] = 'running'): StepRun {
  return {
    requestId: `r.${step}`,
    step,
    phase: 'auth',
    attempt: 1,
    outcome,
    exitCode: 0,
    reason: '',
    startedAtMs,
    finishedAtMs,
    outputTail: [],
  };
}

interface World {
  clock: FakeClock;
  agents: AgentRecord[];
  active: Rollout[];
  schedules: ScheduleWindow[];
  metrics: Metrics;
}

function world(): World {
  const w = {
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    agents: [] as AgentRecord[],
    active: [] as Rollout[],
    schedules: [] as ScheduleWindow[],
  };
  const metrics = new Metrics({
    fleet: { list: () => w.agents },
    rollouts: { activeRollouts: () => w.active },
    clusters: () => CLUSTERS,
    clock: w.clock,
  });
  metrics.setScheduleSource(() => w.schedules);
  return { ...w, metrics };
}

/** name{k="v",...} -> value, for one family (histograms: every series of it). */
async function series(m: Metrics, family: string): Promise<Record<string, number>> {
  const all = await m.registry.getMetricsAsJSON();
  const fam = all.find((f) => f.name === family);
  if (!fam) throw new Error(`no family ${family}`);
  const out: Record<string, number> = {};
  for (const v of fam.values as Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>) {
    const labels = Object.entries(v.labels)
      .map(([k, x]) => `${k}=${x}`)
      .join(',');
    out[`${v.metricName ?? family}{${labels}}`] = v.value;
  }
  return out;
}

describe('coordinator/metrics', () => {
  it('counts a rollout start once and its finish once, by result', async () => {
    const { metrics, clock } = world();
    const r = rollout('r-1', 'hoss', ['hoss-auth', 'hoss-a'], clock.now());
    metrics.rolloutChanged(undefined, r);
    const running = { ...r, state: 'running' as const };
    metrics.rolloutChanged(r, running);
    const failed = { ...running, state: 'failed' as const, phase: 'done' as const };
    metrics.rolloutChanged(running, failed);
    metrics.rolloutChanged(failed, { ...failed, reason: 'a later note' });
    expect(await series(metrics, 'convoy_rollouts_started_total')).to.deep.equal({ 'convoy_rollouts_started_total{cluster=hoss}': 1 });
    expect(await series(metrics, 'convoy_rollouts_finished_total')).to.deep.equal({
      'convoy_rollouts_finished_total{cluster=hoss,result=succeeded}': 0,
      'convoy_rollouts_finished_total{cluster=hoss,result=failed}': 1,
      'convoy_rollouts_finished_total{cluster=hoss,result=aborted}': 0,
    });
  });

  it('observes each step attempt once, when it finishes, in seconds', async () => {
    const { metrics, clock } = world();
    const t = clock.now();
    const r = rollout('r-1', 'hoss', ['hoss-auth', 'hoss-a'], t);
    const started = structuredClone(r);
    started.hosts[0]!.runs = [run('build', t)];
    metrics.rolloutChanged(r, started);
    const finished = structuredClone(started);
    finished.hosts[0]!.runs = [run('build', t, t + 90_000, 'succeeded')];
    metrics.rolloutChanged(started, finished);
    metrics.rolloutChanged(finished, structuredClone(finished));
    const s = await series(metrics, 'convoy_step_duration_seconds');
    expect(s['convoy_step_duration_seconds_count{step=build,result=succeeded}']).to.equal(1);
    expect(s['convoy_step_duration_seconds_sum{step=build,result=succeeded}']).to.equal(90);
    expect(s['convoy_step_duration_seconds_bucket{le=60,step=build,result=succeeded}']).to.equal(0);
    expect(s['convoy_step_duration_seconds_bucket{le=120,step=build,result=succeeded}']).to.equal(1);
  });

  it('labels a step name that is not a plain step name "other"', async () => {
    const { metrics, clock } = world();
    const t = clock.now();
    const r = rollout('r-1', 'hoss', ['hoss-auth'], t);
    const done = structuredClone(r);
    done.hosts[0]!.runs = [run('Build; rm -rf /', t, t + 1000, 'failed')];
    metrics.rolloutChanged(r, done);
    const s = await series(metrics, 'convoy_step_duration_seconds');
    expect(s['convoy_step_duration_seconds_count{step=other,result=failed}']).to.equal(1);
  });

  it('counts a host when it reaches a final state, under its cluster even in a host rollout', async () => {
    const { metrics, clock } = world();
    const r = rollout('r-2', '', ['hoss-a'], clock.now());
    const updated = structuredClone(r);
    updated.hosts[0]!.state = 'updated';
    metrics.rolloutChanged(undefined, r);
    metrics.rolloutChanged(r, updated);
    metrics.rolloutChanged(updated, structuredClone(updated));
    const s = await series(metrics, 'convoy_host_updates_total');
    expect(s['convoy_host_updates_total{cluster=hoss,result=updated}']).to.equal(1);
    expect(s['convoy_host_updates_total{cluster=hoss,result=failed}']).to.equal(0);
  });

  it('reads agents at scrape time: connection, version, cluster and role, health, backups, heartbeat age', async () => {
    const w = world();
    w.clock.advance(60_000);
    const backupAt = Date.UTC(2025, 11, 31);
    w.agents.push(
      agent('hoss-auth', {
        lastSeenMs: w.clock.now() - 2500,
        repo: { installedVersion: '0.2.0', commit: 'c', clean: true, tags: [], branch: '', trackedBranch: '', dirtyDetail: '' },
        backups: [
          {
            id: 'b1',
            path: '/b1',
            version: '0.1.0',
            sizeBytes: 1,
            sha256: 'x',
            createdAtMs: backupAt - 1000,
            step: 'backup',
            rolloutId: '',
          },
          {
            id: 'b2',
            path: '/b2',
            version: '0.2.0',
            sizeBytes: 1,
            sha256: 'x',
            createdAtMs: backupAt,
            step: 'backup-after',
            rolloutId: '',
          },
        ],
      }),
      agent('stray', { connected: false, lastSeenMs: w.clock.now() - 30_000, health: undefined }),
    );
    expect(await series(w.metrics, 'convoy_agents_connected')).to.deep.equal({ 'convoy_agents_connected{}': 1 });
    expect(await series(w.metrics, 'convoy_agent_info')).to.deep.equal({
      'convoy_agent_info{agent=hoss-auth,cluster=hoss,role=auth,version=0.2.0,served=0.1.0}': 1,
      'convoy_agent_info{agent=stray,cluster=,role=none,version=0.1.0,served=}': 1,
    });
    expect(await series(w.metrics, 'convoy_agent_up')).to.deep.equal({
      'convoy_agent_up{agent=hoss-auth,cluster=hoss}': 1,
      'convoy_agent_up{agent=stray,cluster=}': 0,
    });
    // a disconnected agent's health is unknown: no sample rather than a stale "healthy"
    expect(await series(w.metrics, 'convoy_agent_server_healthy')).to.deep.equal({
      'convoy_agent_server_healthy{agent=hoss-auth,cluster=hoss}': 1,
    });
    expect(await series(w.metrics, 'convoy_agent_last_backup_timestamp_seconds')).to.deep.equal({
      'convoy_agent_last_backup_timestamp_seconds{agent=hoss-auth,cluster=hoss}': backupAt / 1000,
    });
    expect(await series(w.metrics, 'convoy_agent_heartbeat_age_seconds')).to.deep.equal({
      'convoy_agent_heartbeat_age_seconds{agent=hoss-auth,cluster=hoss}': 2.5,
      'convoy_agent_heartbeat_age_seconds{agent=stray,cluster=}': 30,
    });
    w.agents.pop();
    expect(Object.keys(await series(w.metrics, 'convoy_agent_up'))).to.deep.equal(['convoy_agent_up{agent=hoss-auth,cluster=hoss}']);
  });

  it('shows unfinished rollouts by cluster, phase and state, the oldest progress, and acknowledgements awaited', async () => {
    const w = world();
    const t = w.clock.now();
    const waiting = { ...rollout('r-3', 'hoss', ['hoss-auth', 'hoss-a'], t), state: 'awaiting-ack' as const };
    const single = { ...rollout('r-4', '', ['hoss-a'], t), state: 'running' as const, phase: 'members' as const, progressAtMs: t + 5000 };
    w.active.push(waiting, single);
    expect(await series(w.metrics, 'convoy_rollouts_in_progress')).to.deep.equal({
      'convoy_rollouts_in_progress{cluster=hoss,phase=preflight,state=awaiting-ack}': 1,
      'convoy_rollouts_in_progress{cluster=hoss,phase=members,state=running}': 1,
    });
    expect(await series(w.metrics, 'convoy_rollout_last_progress_timestamp_seconds')).to.deep.equal({
      'convoy_rollout_last_progress_timestamp_seconds{cluster=hoss,state=awaiting-ack}': t / 1000,
      'convoy_rollout_last_progress_timestamp_seconds{cluster=hoss,state=running}': (t + 5000) / 1000,
    });
    expect(await series(w.metrics, 'convoy_rollouts_awaiting_ack')).to.deep.equal({ 'convoy_rollouts_awaiting_ack{cluster=hoss}': 1 });
    w.active.length = 0;
    expect(await series(w.metrics, 'convoy_rollouts_in_progress')).to.deep.equal({});
    expect(await series(w.metrics, 'convoy_rollouts_awaiting_ack')).to.deep.equal({ 'convoy_rollouts_awaiting_ack{cluster=hoss}': 0 });
  });

  it('exposes the next window of each schedule that has one', async () => {
    const w = world();
    w.schedules.push(
      { name: 'nightly', cluster: 'hoss', nextStartMs: Date.UTC(2026, 0, 2, 3) },
      { name: 'off', cluster: 'hoss', nextStartMs: 0 },
    );
    expect(await series(w.metrics, 'convoy_schedule_next_window_start_timestamp_seconds')).to.deep.equal({
      'convoy_schedule_next_window_start_timestamp_seconds{schedule=nightly,cluster=hoss}': Date.UTC(2026, 0, 2, 3) / 1000,
    });
  });

  it("exports each known certificate's expiry by role, subject and fingerprint: convoyd's files, agents and operators as they connected", async () => {
    const w = world();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-metrics-certs-'));
    try {
      await createCa({ dir, name: 'Metrics CA', days: 30 });
      const coordinator = await issueCertificate({ caDir: dir, kind: 'coordinator', names: ['convoy.example.com'], days: 10 });
      const own = readCertificateFile(coordinator.cert)[0]!;
      const ca = readCertificateFile(path.join(dir, 'ca.crt'))[0]!;
      w.agents.push(
        agent('hoss-a', { certificate: { subject: 'hoss-a', fingerprint: 'AA:01', notAfterMs: Date.UTC(2026, 0, 11) } }),
        agent('hoss-b'),
      );
      const samples = knownCertificates({ ca: path.join(dir, 'ca.crt'), cert: coordinator.cert, key: coordinator.key }, w.agents, [
        { subject: 'alice', fingerprint: 'BB:02', notAfterMs: Date.UTC(2027, 0, 1) },
      ]);
      w.metrics.setCertificateSource(() => [...samples, ...samples]);
      expect(await series(w.metrics, 'convoy_certificate_expiry_timestamp_seconds')).to.deep.equal({
        [`convoy_certificate_expiry_timestamp_seconds{role=coordinator,subject=convoy.example.com,fingerprint=${own.fingerprint}}`]:
          own.notAfterMs / 1000,
        [`convoy_certificate_expiry_timestamp_seconds{role=ca,subject=Metrics CA,fingerprint=${ca.fingerprint}}`]: ca.notAfterMs / 1000,
        'convoy_certificate_expiry_timestamp_seconds{role=agent,subject=hoss-a,fingerprint=AA:01}': Date.UTC(2026, 0, 11) / 1000,
        'convoy_certificate_expiry_timestamp_seconds{role=operator,subject=alice,fingerprint=BB:02}': Date.UTC(2027, 0, 1) / 1000,
      });
      expect(own.notAfterMs - Date.now()).to.be.within(9.9 * 86_400_000, 10 * 86_400_000 + 60_000);
      expect(knownCertificates({ ca: path.join(dir, 'missing.crt'), cert: coordinator.cert, key: coordinator.key }, [], [])).to.have.length(
        1,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the text exposition with every family prefixed convoy_', async () => {
    const { metrics } = world();
    const { contentType, body } = await metrics.scrape();
    expect(contentType).to.match(/^text\/plain/);
    const names = [...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(names.every((n) => n.startsWith('convoy_'))).to.equal(true);
    expect(names.filter((n) => n.endsWith(' counter')).every((n) => n.split(' ')[0]!.endsWith('_total'))).to.equal(true);
  });
});
