import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { killProcessGroup, processGroupAlive } from '../../../../agent/exec/command.js';
import { healthPollDelay, probeHealth, runHealthStep, type HealthConfig } from '../../../../agent/plan/health.js';
import type { HealthTiming } from '../../../../agent/types.js';
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

function healthConfig(url: string, extra: Partial<HealthTiming> = {}): HealthConfig {
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

describe('health poll delay', () => {
  const cases: [attempt: number, intervalMs: number, delay: number][] = [
    [0, 1000, 100],
    [1, 1000, 200],
    [3, 1000, 800],
    [4, 1000, 1000],
    [50, 1000, 1000],
    [0, 5000, 100],
    [5, 5000, 3200],
    [6, 5000, 5000],
    [2, 100, 100],
  ];
  for (const [attempt, intervalMs, delay] of cases) {
    it(`waits ${delay} ms after probe ${attempt} with a ${intervalMs} ms interval`, () => {
      expect(healthPollDelay(attempt, intervalMs)).to.equal(delay);
    });
  }
});

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
    // waits of 100, 200 and 400 ms: soon after up, then backing off toward the interval
    expect(clock.now() - start).to.equal(700);
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
    // probes at 0, 0.1, 0.3, 0.7, 1.5, 2.5, 3.5, 4.5 and 5 s
    expect(service.requests).to.equal(9);
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

describe('health by command', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-health-test-'));
  const groups: number[] = [];
  const tracked = { onProcessGroup: (pgid: number) => groups.push(pgid) };
  afterEach(async () => {
    for (const pgid of groups.splice(0)) await killProcessGroup(pgid, { graceMs: 200 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function commandConfig(command: string | string[], extra: Partial<HealthTiming> = {}): HealthConfig {
    return {
      command,
      cwd: dir,
      env: { CONVOY_AGENT_ID: 'hoss-a' },
      intervalMs: 1000,
      deadlineMs: 2000,
      monitorIntervalMs: 10_000,
      requestTimeoutMs: 5000,
      ...extra,
    };
  }

  function step(config: HealthConfig, lines: string[] = []): ReturnType<typeof runHealthStep> {
    return runHealthStep({
      config,
      target: '0.2.0',
      clock: new InstantClock(),
      signal: new AbortController().signal,
      onOutput: (l) => lines.push(...l),
      ...tracked,
    });
  }

  it('polls until the command reports the target version on stdout', async () => {
    // Reports 0.1.0 twice, then 0.2.0: a service that restarts into the new version.
    fs.writeFileSync(
      path.join(dir, 'check.sh'),
      'n=$(cat runs 2>/dev/null || echo 0); echo $((n + 1)) > runs\n' +
        'echo "checking" >&2\n' +
        'if [ "$n" -lt 2 ]; then printf \'{"build":{"version":"0.1.0"}}\'; else printf \'{"build":{"version":"0.2.0"}}\'; fi\n',
    );
    const lines: string[] = [];
    const result = await step(commandConfig('sh check.sh', { versionField: 'build.version', deadlineMs: 5000 }), lines);
    expect(result.outcome).to.equal('SUCCEEDED');
    expect(result.reason).to.equal('healthy: command `sh check.sh` exited 0, version 0.2.0');
    expect(result.health).to.include({ healthy: true, version: '0.2.0', configured: true });
    expect(fs.readFileSync(path.join(dir, 'runs'), 'utf8').trim()).to.equal('3');
    expect(lines).to.deep.equal([
      'health command `sh check.sh`: not healthy yet: reports version 0.1.0, want 0.2.0',
      'health command `sh check.sh`: healthy: exited 0, version 0.2.0',
    ]);
  });

  it('fails at the deadline with the exit code and the last stderr line, not stdout', async () => {
    const result = await step(commandConfig("echo 'all fine' ; echo 'db: connection refused' >&2; exit 1"));
    expect(result.outcome).to.equal('FAILED');
    expect(result.reason).to.equal(
      "health command `echo 'all fine' ; echo 'db: connection refused' >&2; exit 1` not healthy after 2.0s: exited 1: db: connection refused",
    );
    // runs at 0, 0.1, 0.3, 0.7, 1.5 and 2 s: one process group each
    expect(groups).to.have.length(6);
  });

  it('reports a plain failing command without output', async () => {
    const result = await step(commandConfig(['sh', '-c', 'exit 1']));
    expect(result.reason).to.equal('health command `sh -c exit 1` not healthy after 2.0s: exited 1');
  });

  it('gives the command CONVOY_TARGET_VERSION and the agent-wide CONVOY_* variables', async () => {
    const result = await step(
      commandConfig(['sh', '-c', 'printf \'{"version":"%s","agent":"%s"}\' "v$CONVOY_TARGET_VERSION" "$CONVOY_AGENT_ID"'], {
        versionField: 'version',
      }),
    );
    expect(result.outcome).to.equal('SUCCEEDED');
    expect(result.health.version).to.equal('v0.2.0');
  });

  it('kills a command that hangs past the request timeout, with everything it started', async () => {
    const started = Date.now();
    const health = await probeHealth(commandConfig('sleep 30 & sleep 30', { requestTimeoutMs: 300 }), new FakeClock(), tracked);
    expect(health).to.include({ healthy: false, detail: 'did not exit within 300ms (killed)' });
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(groups).to.have.length(1);
    expect(processGroupAlive(groups[0] as number)).to.equal(false);
  });

  it('leaves nothing running after a command that exited but started something in the background', async () => {
    const health = await probeHealth(commandConfig('sleep 30 & echo ok'), new FakeClock(), tracked);
    expect(health).to.include({ healthy: true, version: 'ok' });
    expect(processGroupAlive(groups[0] as number)).to.equal(false);
  });

  it('stops a running command when cancelled', async () => {
    const controller = new AbortController();
    const result = await runHealthStep({
      config: commandConfig('sleep 30'),
      target: '0.2.0',
      clock: new InstantClock(),
      signal: controller.signal,
      onOutput: () => undefined,
      onProcessGroup: (pgid) => {
        groups.push(pgid);
        setImmediate(() => controller.abort());
      },
    });
    expect(result.outcome).to.equal('CANCELLED');
    expect(processGroupAlive(groups[0] as number)).to.equal(false);
  });

  it('reads the version field from stdout and ignores what goes to stderr', async () => {
    const clock = new FakeClock();
    const config = commandConfig('echo "deprecated flag" >&2; printf \'{"version":"0.2.0"}\'', { versionField: 'version' });
    expect(await probeHealth(config, clock)).to.deep.equal({
      healthy: true,
      version: '0.2.0',
      detail: 'exited 0, version 0.2.0',
      checkedAtMs: clock.now(),
      configured: true,
    });
  });

  it('says why stdout without the version field is unhealthy', async () => {
    const notJson = await probeHealth(commandConfig('echo up', { versionField: 'version' }), new FakeClock());
    expect(notJson).to.include({ healthy: false, detail: 'exited 0 but stdout is not JSON (versionField version)' });
    const noField = await probeHealth(commandConfig('echo \'{"status":"ok"}\'', { versionField: 'version' }), new FakeClock());
    expect(noField).to.include({ healthy: false, detail: 'exited 0 but stdout has no version field "version"' });
  });

  it('reports the first line of stdout as the version when no version field is configured', async () => {
    expect(await probeHealth(commandConfig('echo 0.3.1; echo "3 workers"'), new FakeClock())).to.include({
      healthy: true,
      version: '0.3.1',
      detail: 'exited 0, version 0.3.1',
    });
    expect(await probeHealth(commandConfig('true'), new FakeClock())).to.include({ healthy: true, version: '', detail: 'exited 0' });
  });

  it('is healthy at any version the command prints when no version field is configured', async () => {
    const result = await step(commandConfig('echo 0.1.0'));
    expect(result).to.include({ outcome: 'SUCCEEDED', reason: 'healthy: command `echo 0.1.0` exited 0, version 0.1.0' });
  });

  it('reports a command that does not exist', async () => {
    const health = await probeHealth(commandConfig(['convoy-no-such-health-tool']), new FakeClock());
    expect(health.healthy).to.equal(false);
    expect(health.detail).to.match(/^exited 127: .*convoy-no-such-health-tool: not found$/);
  });
});
