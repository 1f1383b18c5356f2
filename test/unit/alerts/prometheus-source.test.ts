import { expect } from 'chai';
import type { AlertAnswer } from '../../../coordinator/alerts/prometheus-query.js';
import { type GatedCluster, PrometheusAlertSource } from '../../../coordinator/alerts/prometheus-source.js';
import type { ClusterConfig, CoordinatorConfig } from '../../../coordinator/config.js';
import type { Rollout } from '../../../coordinator/rollout/model.js';
import { FakeClock } from '../../../shared/clock.js';
import { ConfigError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';
import { type LocalHttp, startLocalHttp } from '../../helpers/local-http.js';

const POLL_MS = 15_000;
const HOSS: GatedCluster = {
  name: 'hoss',
  prometheus: 'http://prom',
  query: 'ALERTS{alertstate="firing"}',
  pollIntervalMs: POLL_MS,
  timeoutMs: 5000,
};

/** Lets promise callbacks run (the fake clock fires timers synchronously; awaits resume in microtasks). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Rig {
  clock: FakeClock;
  source: PrometheusAlertSource;
  /** Clock times of the queries sent. */
  asked: number[];
  /** What the next queries answer. */
  answer: AlertAnswer;
  rollouts: Rollout[];
}

function rig(): Rig {
  const clock = new FakeClock();
  const r: Rig = {
    clock,
    asked: [],
    answer: { firing: [], error: '' },
    rollouts: [],
    source: undefined as unknown as PrometheusAlertSource,
  };
  r.source = new PrometheusAlertSource({
    clusters: [HOSS],
    clock,
    logger: silentLogger(),
    ask: async () => {
      r.asked.push(clock.now());
      return r.answer;
    },
  });
  r.source.start({ activeRollouts: () => r.rollouts });
  return r;
}

function pausedByAlerts(): Rollout {
  return { id: 'r-1', cluster: 'hoss', state: 'paused', pauseKind: 'alerts' } as Rollout;
}

describe('prometheus alert source', () => {
  let r: Rig;
  beforeEach(() => {
    r = rig();
  });
  afterEach(() => r.source.stop());

  it('gates only the clusters with alerts configured, and knows nothing before the first check', () => {
    expect(r.source.gates('hoss')).to.equal(true);
    expect(r.source.gates('other')).to.equal(false);
    expect(r.source.facts('hoss')).to.equal(undefined);
  });

  it('queries at once when a host is about to start, and stamps the answer with the time it asked', async () => {
    const t0 = r.clock.now();
    r.answer = { firing: ['DiskFull'], error: '' };
    await r.source.check('hoss');
    expect(r.asked).to.deep.equal([t0]);
    expect(r.source.facts('hoss')).to.deep.equal({ checkedAtMs: t0, firing: ['DiskFull'], error: '' });
    r.clock.advance(2000);
    r.answer = { firing: [], error: '' };
    await r.source.check('hoss');
    expect(r.asked).to.deep.equal([t0, t0 + 2000]);
    expect(r.source.facts('hoss')?.firing).to.deep.equal([]);
  });

  it('shares one query between checks that arrive while it runs', async () => {
    await Promise.all([r.source.check('hoss'), r.source.check('hoss'), r.source.check('hoss')]);
    expect(r.asked).to.have.length(1);
  });

  it('while a rollout is paused by alerts, asks no sooner than one pollInterval after the last query', async () => {
    const t0 = r.clock.now();
    r.answer = { firing: ['DiskFull'], error: '' };
    await r.source.check('hoss');
    r.rollouts = [pausedByAlerts()];
    r.clock.advance(1000);
    let done = false;
    const checked = r.source.check('hoss').then(() => (done = true));
    await settle();
    r.clock.advance(POLL_MS - 1000 - 1);
    await settle();
    expect(r.asked, 'no query before the poll interval passed').to.deep.equal([t0]);
    expect(done).to.equal(false);
    r.clock.advance(1);
    await checked;
    expect(r.asked).to.deep.equal([t0, t0 + POLL_MS]);
  });

  it('polls by itself every pollInterval while a rollout is paused by alerts, so it learns that they cleared', async () => {
    const t0 = r.clock.now();
    r.answer = { firing: ['DiskFull'], error: '' };
    await r.source.check('hoss');
    r.rollouts = [pausedByAlerts()];
    for (let i = 1; i <= 3; i++) {
      r.clock.advance(POLL_MS);
      await settle();
    }
    expect(r.asked).to.deep.equal([t0, t0 + POLL_MS, t0 + 2 * POLL_MS, t0 + 3 * POLL_MS]);
    r.answer = { firing: [], error: '' };
    r.clock.advance(POLL_MS);
    await settle();
    expect(r.source.facts('hoss')).to.deep.equal({ checkedAtMs: t0 + 4 * POLL_MS, firing: [], error: '' });
  });

  it('does not poll while no rollout is paused by alerts, nor after it stopped', async () => {
    await r.source.check('hoss');
    r.rollouts = [{ ...pausedByAlerts(), pauseKind: 'operator' }];
    r.clock.advance(5 * POLL_MS);
    await settle();
    expect(r.asked).to.have.length(1);
    r.rollouts = [pausedByAlerts()];
    r.source.stop();
    r.clock.advance(5 * POLL_MS);
    await settle();
    expect(r.asked).to.have.length(1);
  });

  it('resolves a check waiting for the poll interval when the source stops', async () => {
    await r.source.check('hoss');
    r.rollouts = [pausedByAlerts()];
    const waiting = r.source.check('hoss');
    r.source.stop();
    await waiting;
    expect(r.asked).to.have.length(1);
  });

  it('records an error answer (Prometheus unreachable) as blocking facts with its reason', async () => {
    r.answer = { firing: [], error: 'Prometheus at http://prom: fetch failed (ECONNREFUSED)' };
    await r.source.check('hoss');
    expect(r.source.facts('hoss')?.error).to.equal('Prometheus at http://prom: fetch failed (ECONNREFUSED)');
  });

  it('refuses a coordinator.yaml whose alert selector is not label matchers, before anything starts', () => {
    const hoss: ClusterConfig = {
      name: 'hoss',
      authServer: '',
      members: ['a'],
      maxParallel: 1,
      healthDeadlineMs: 60_000,
      allowDowngrade: false,
      autoRollback: false,
      alerts: { prometheus: 'http://prom:9090', selector: 'up == 0', pollIntervalMs: POLL_MS, timeoutMs: 5000 },
    };
    // fromConfig reads only the file name and the clusters
    const config = { file: '/etc/convoy/coordinator.yaml', clusters: [hoss] } as CoordinatorConfig;
    const make = (): PrometheusAlertSource => PrometheusAlertSource.fromConfig(config, { clock: r.clock, logger: silentLogger() });
    expect(make).to.throw(ConfigError, 'coordinator.yaml: clusters[0].alerts.selector "up == 0" is not a list of label matchers');
  });
});

describe('prometheus alert source against a real Prometheus that hangs', () => {
  let server: LocalHttp | undefined;
  afterEach(async () => server?.close());

  it('ends a stuck check at its timeout with "alert check timed out", and the next check asks again', async () => {
    let hang = true;
    const s = (server = await startLocalHttp((_req, res, bad) => {
      if (hang) return bad.trickleForever(res);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"vector","result":[]}}');
    }));
    const clock = new FakeClock();
    const source = new PrometheusAlertSource({ clusters: [{ ...HOSS, prometheus: s.url, timeoutMs: 200 }], clock, logger: silentLogger() });
    try {
      await source.check('hoss');
      expect(source.facts('hoss')?.error).to.match(/^alert check timed out: no complete answer within 200ms/);
      hang = false;
      clock.advance(1000);
      await source.check('hoss');
      expect(source.facts('hoss')).to.deep.equal({ checkedAtMs: clock.now(), firing: [], error: '' });
      expect(s.requests.get('/api/v1/query?query=ALERTS%7Balertstate%3D%22firing%22%7D')).to.equal(2);
    } finally {
      source.stop();
    }
  });
});
