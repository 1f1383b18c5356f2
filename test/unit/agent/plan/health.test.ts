import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { probeHealth, runHealthStep, type HealthConfig } from '../../../../agent/plan/health.js';
import { FakeClock } from '../../../../shared/clock.js';

/** A fake clock whose sleeps return at once, moving time forward: polling runs without waiting. */
class InstantClock extends FakeClock {
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.advance(ms);
    return Promise.resolve();
  }
}

/** A tiny service on 127.0.0.1 that answers with whatever the test scripts next. */
interface FakeService {
  url: string;
  requests: number;
  /** Answer for the n-th request (0-based); the last answer repeats. */
  answers: { status: number; body?: unknown }[];
  close(): Promise<void>;
}

async function startService(answers: FakeService['answers'], opts: { silent?: boolean } = {}): Promise<FakeService> {
  const service = { url: '', requests: 0, answers } as FakeService;
  const server = http.createServer((_req, res) => {
    const answer = service.answers[Math.min(service.requests, service.answers.length - 1)] ?? { status: 500 };
    service.requests += 1;
    if (opts.silent) return; // never answers
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  service.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return service;
}

function healthConfig(url: string, extra: Partial<HealthConfig> = {}): HealthConfig {
  return {
    url,
    versionField: 'build.version',
    intervalMs: 1000,
    deadlineMs: 5000,
    monitorIntervalMs: 10_000,
    requestTimeoutMs: 2000,
    ...extra,
  };
}

describe('health step', () => {
  let service: FakeService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('polls until the service reports the target version', async () => {
    service = await startService([
      { status: 503 },
      { status: 503 },
      { status: 200, body: { build: { version: '0.1.0' } } },
      { status: 200, body: { build: { version: '0.2.0' } } },
    ]);
    const clock = new InstantClock();
    const start = clock.now();
    const lines: string[] = [];
    const result = await runHealthStep({
      config: healthConfig(service.url),
      target: '0.2.0',
      clock,
      signal: new AbortController().signal,
      onOutput: (l) => lines.push(...l),
    });
    expect(result.outcome).to.equal('SUCCEEDED');
    expect(result.health).to.include({ healthy: true, version: '0.2.0', configured: true });
    expect(service.requests).to.equal(4);
    expect(clock.now() - start).to.equal(3000);
    expect(lines).to.deep.equal([
      `health ${service.url}: not healthy yet: status 503`,
      `health ${service.url}: not healthy yet: reports version 0.1.0, want 0.2.0`,
      `health ${service.url}: healthy: status 200, version 0.2.0`,
    ]);
  });

  it('accepts a service that reports the version without the tag’s "v"', async () => {
    service = await startService([{ status: 200, body: { build: { version: '0.2.0' } } }]);
    const result = await runHealthStep({
      config: healthConfig(service.url),
      target: 'v0.2.0',
      clock: new InstantClock(),
      signal: new AbortController().signal,
      onOutput: () => undefined,
    });
    expect(result.outcome).to.equal('SUCCEEDED');
  });

  it('fails at the deadline with the last status it saw', async () => {
    service = await startService([{ status: 503 }]);
    const result = await runHealthStep({
      config: healthConfig(service.url),
      target: '0.2.0',
      clock: new InstantClock(),
      signal: new AbortController().signal,
      onOutput: () => undefined,
    });
    expect(result.outcome).to.equal('FAILED');
    expect(result.reason).to.equal(`health ${service.url} not healthy after 5.0s: status 503`);
    expect(service.requests).to.equal(6);
  });

  it('fails at the deadline when the service keeps reporting the old version', async () => {
    service = await startService([{ status: 200, body: { build: { version: '0.1.0' } } }]);
    const result = await runHealthStep({
      config: healthConfig(service.url),
      target: '0.2.0',
      clock: new InstantClock(),
      signal: new AbortController().signal,
      onOutput: () => undefined,
    });
    expect(result.reason).to.equal(`health ${service.url} not healthy after 5.0s: reports version 0.1.0, want 0.2.0`);
    expect(result.health).to.include({ healthy: false, version: '0.1.0' });
  });

  it('uses the deadline the coordinator sends instead of its own', async () => {
    service = await startService([{ status: 503 }]);
    const result = await runHealthStep({
      config: healthConfig(service.url),
      deadlineMs: 2000,
      target: '0.2.0',
      clock: new InstantClock(),
      signal: new AbortController().signal,
      onOutput: () => undefined,
    });
    expect(result.reason).to.equal(`health ${service.url} not healthy after 2.0s: status 503`);
  });

  it('stops waiting when cancelled', async () => {
    service = await startService([{ status: 503 }]);
    const controller = new AbortController();
    const clock = new FakeClock(); // never advanced: the step waits between probes until aborted
    const result = await runHealthStep({
      config: healthConfig(service.url),
      target: '0.2.0',
      clock,
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    expect(result.outcome).to.equal('CANCELLED');
    expect(service.requests).to.equal(1);
  });

  it('succeeds at once when no health check is configured', async () => {
    const result = await runHealthStep({
      config: undefined,
      target: '0.2.0',
      clock: new FakeClock(),
      signal: new AbortController().signal,
      onOutput: () => undefined,
    });
    expect(result).to.include({ outcome: 'SUCCEEDED', reason: 'no health check configured' });
    expect(result.health.configured).to.equal(false);
  });
});

describe('health probe', () => {
  it('reports the version the service serves, whatever it is', async () => {
    const service = await startService([{ status: 200, body: { build: { version: '0.1.0' } } }]);
    try {
      const clock = new FakeClock();
      expect(await probeHealth(healthConfig(service.url), clock)).to.deep.equal({
        healthy: true,
        version: '0.1.0',
        detail: 'status 200, version 0.1.0',
        checkedAtMs: clock.now(),
        configured: true,
      });
    } finally {
      await service.close();
    }
  });

  it('says why a service without the version field is unhealthy', async () => {
    const service = await startService([{ status: 200, body: { status: 'ok' } }]);
    try {
      const health = await probeHealth(healthConfig(service.url), new FakeClock());
      expect(health).to.include({ healthy: false, detail: 'status 200 but the response has no version field "build.version"' });
    } finally {
      await service.close();
    }
  });

  it('is healthy on any 2xx when no version field is configured', async () => {
    const service = await startService([{ status: 204 }]);
    try {
      const health = await probeHealth(healthConfig(service.url, { versionField: undefined }), new FakeClock());
      expect(health).to.include({ healthy: true, version: '', detail: 'status 204' });
    } finally {
      await service.close();
    }
  });

  it('reports a refused connection', async () => {
    const service = await startService([{ status: 200 }]);
    await service.close();
    const health = await probeHealth(healthConfig(service.url), new FakeClock());
    expect(health.healthy).to.equal(false);
    expect(health.detail).to.match(/^request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('gives up on a request after the request timeout', async () => {
    const service = await startService([{ status: 200 }], { silent: true });
    try {
      const health = await probeHealth(healthConfig(service.url, { requestTimeoutMs: 200 }), new FakeClock());
      expect(health).to.include({ healthy: false, detail: 'no answer within 200ms' });
    } finally {
      await service.close();
    }
  });
});
