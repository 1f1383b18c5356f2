/**
 * Issue 6: blocking on alerts. A real Prometheus scrapes a gauge the test sets; its rule
 * TestBlocker fires while the gauge is 1. convoyd asks Prometheus before each host starts: the
 * rollout pauses with the alert's name and resumes by itself once the alert clears. Order is
 * read from the sample services' own event logs, not from what Convoy says it did.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startAlertsTarget, type AlertsTarget } from '../helpers/alerts-target.js';
import { createFleet, freePort, onCleanup, useSandbox, type Fleet, type FleetServerSpec } from '../helpers/index.js';
import { startLocalHttp } from '../helpers/local-http.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { eventTimes, host, start, waitRollout, TERMINAL } from './support.js';

const MEMBERS = ['hoss-auth', 'hoss-a', 'hoss-b'];

/** clusters: in coordinator.yaml, gated on `prometheus`. */
function gatedCluster(prometheus: string, selector = '{severity="critical"}'): Record<string, unknown> {
  return {
    name: 'hoss',
    authServer: 'hoss-auth',
    members: MEMBERS,
    healthDeadline: '20s',
    alerts: { prometheus, selector, pollInterval: '1s', timeout: '2s' },
  };
}

/** The auth server's build waits for `gate` to exist: the test decides when the auth host may finish. */
function servers(gate: string): FleetServerSpec[] {
  return [
    {
      name: 'hoss-auth',
      role: 'auth',
      agent: { steps: { build: { command: `while [ ! -e '${gate}' ]; do sleep 0.1; done; make build` } } },
    },
    { name: 'hoss-a', role: 'member' },
    { name: 'hoss-b', role: 'member' },
  ];
}

async function eventMessages(fleet: Fleet, id: string): Promise<string[]> {
  const res = await fleet.cli(['events', '--rollout', id, '--limit', '1000', '--json']);
  expect(res.code, res.stderr).to.equal(0);
  return (res.json as { message: string }[]).map((e) => e.message);
}

describe('e2e: blocking on alerts', function () {
  this.timeout(240_000);
  const sandbox = useSandbox();

  async function prometheusWithBlocker(): Promise<{ target: AlertsTarget; prom: Prometheus }> {
    const target = await startAlertsTarget(sandbox.dir);
    const prom = await startPrometheus({ dir: sandbox.dir, targets: [{ job: 'blocker', url: target.url }], ruleFiles: [target.rulesFile] });
    await prom.waitForTargetsUp();
    // TestNoise (severity info) fires throughout: the selector must leave it out
    await prom.waitForAlert('TestNoise', 'firing');
    return { target, prom };
  }

  it('pauses before the next host while a matching alert fires, stays paused across a convoyd restart, and resumes by itself when it clears', async () => {
    const { target, prom } = await prometheusWithBlocker();
    const gate = path.join(sandbox.dir, 'release-auth-build');
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: servers(gate),
      coordinatorOverrides: { clusters: [gatedCluster(prom.url)] },
    });
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    await waitRollout(fleet, id, 'auth building', (r) => host(r, 'hoss-auth').currentStep === 'build', 60_000);

    target.set(1);
    await prom.waitForAlert('TestBlocker', 'firing');
    fs.writeFileSync(gate, '');
    const paused = await waitRollout(fleet, id, 'paused by the alert', (r) => r.state === 'paused' || TERMINAL.includes(r.state), 60_000);
    expect(paused.state).to.equal('paused');
    expect(paused.reason).to.equal('alerts firing: TestBlocker; resumes by itself when they clear');
    expect(paused.hosts.map((h) => [h.agentId, h.state])).to.deep.equal([
      ['hoss-auth', 'updated'],
      ['hoss-a', 'backed-up'],
      ['hoss-b', 'backed-up'],
    ]);

    // a restarted convoyd finds the rollout paused and asks Prometheus again by itself
    await fleet.restartCoordinator();
    await fleet.coordinator!.waitForLine(/cluster hoss: alerts firing: TestBlocker/, 30_000);
    await fleet.waitAgentsConnected(MEMBERS, 30_000);
    const stillPaused = await waitRollout(fleet, id, 'paused', () => true);
    expect([stillPaused.state, stillPaused.reason]).to.deep.equal([paused.state, paused.reason]);

    const clearedAt = Date.now();
    target.set(0);
    const done = await waitRollout(fleet, id, 'to finish', (r) => TERMINAL.includes(r.state), 120_000);
    expect(done.state, done.reason).to.equal('succeeded');
    for (const name of ['hoss-a', 'hoss-b']) {
      const stops = eventTimes(fleet.host(name).server.readEvents(), 'stop', '0.1.0');
      expect(stops, `${name} was updated once`).to.have.length(1);
      expect(stops[0], `${name} stopped only after the alert was cleared`).to.be.above(clearedAt);
    }
    const messages = await eventMessages(fleet, id);
    expect(messages).to.include('running -> paused: alerts firing: TestBlocker; resumes by itself when they clear');
    expect(messages).to.include('alerts cleared; resuming');
    expect(messages.indexOf('alerts cleared; resuming')).to.be.below(messages.indexOf('hoss-a updated to 0.2.0'));
    const logged = fleet.coordinator!.jsonLines().find((l) => l.message === 'cluster hoss: no alerts firing');
    expect(logged, 'convoyd logs that the alerts cleared').to.include({ cluster: 'hoss', level: 'info' });
  });

  it('pauses before any backup while Prometheus cannot be asked, with the reason', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const fleet = await createFleet({ dir: sandbox.dir, coordinatorOverrides: { clusters: [gatedCluster(nobody)] } });
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    const paused = await waitRollout(fleet, id, 'paused', (r) => r.state === 'paused' || TERMINAL.includes(r.state), 60_000);
    expect(paused.reason).to.match(
      new RegExp(`^cannot ask Prometheus for firing alerts \\(Prometheus at ${nobody}: .*ECONNREFUSED.*\\); resumes by itself`),
    );
    for (const h of fleet.hosts) {
      expect(host(paused, h.name).state).to.equal('pending');
      expect(eventTimes(h.server.readEvents(), 'backup-start'), h.name).to.deep.equal([]);
    }
    const abort = await fleet.cli(['rollout', 'abort', id]);
    expect(abort.code, abort.stderr).to.equal(0);
  });

  it('cuts a Prometheus that streams forever at the timeout: the reason says "alert check timed out" and convoyd stays small', async () => {
    // 16 KiB every 50ms: about 640 KiB within the 2s timeout, under the 1 MiB limit, so the deadline is what cuts it
    const prom = await startLocalHttp((_req, res, bad) => bad.trickleForever(res, 50, 16 * 1024));
    onCleanup('streaming prometheus', () => prom.close());
    const fleet = await createFleet({ dir: sandbox.dir, coordinatorOverrides: { clusters: [gatedCluster(prom.url)] } });
    const id = await start(fleet, ['hoss', '--to', '0.2.0']);
    const paused = await waitRollout(fleet, id, 'paused', (r) => r.state === 'paused' || TERMINAL.includes(r.state), 60_000);
    const reason = new RegExp(
      `^cannot ask Prometheus for firing alerts \\(alert check timed out: no complete answer within 2\\.0s \\(the body was still arriving after [\\d.]+ KiB\\) from ${prom.url}\\); resumes by itself`,
    );
    expect(paused.reason).to.match(reason);
    // convoyd keeps asking every pollInterval; each stuck check ends and the next one starts
    const rssBefore = rssBytes(fleet.coordinator!.pid);
    for (let i = 0; i < 4; i++) await prom.requestArrived();
    const grown = rssBytes(fleet.coordinator!.pid) - rssBefore;
    expect(grown, `convoyd's RSS grew by ${grown} bytes over 4 stuck checks`).to.be.below(32 * 1024 * 1024);
    expect((await waitRollout(fleet, id, 'still paused', () => true)).reason).to.match(reason);
    const abort = await fleet.cli(['rollout', 'abort', id]);
    expect(abort.code, abort.stderr).to.equal(0);
  });

  it('refuses to start with an alert selector that is not label matchers, naming the key', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      start: false,
      coordinatorOverrides: { clusters: [gatedCluster('http://127.0.0.1:9090', 'up == 0 or vector(1)')] },
    });
    const failure = await fleet.startCoordinator().then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(failure).to.contain('clusters[0].alerts.selector "up == 0 or vector(1)" is not a list of label matchers');
    expect(fleet.coordinator!.exitCode).to.not.equal(0);
  });
});

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib) * 1024;
}
