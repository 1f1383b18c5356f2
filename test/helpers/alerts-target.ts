/**
 * An alert the test switches on and off through a real Prometheus: a tiny HTTP /metrics endpoint
 * exposing the gauge `convoy_test_blocker` (set by the test), and a rules file in which
 * `TestBlocker` (severity critical) fires while the gauge is 1. `TestNoise` (severity info)
 * fires all the time, so a test also sees that the alert selector filters.
 *
 *   const target = await startAlertsTarget(sandbox.dir);
 *   const prom = await startPrometheus({ dir, targets: [{ job: 'blocker', url: target.url }], ruleFiles: [target.rulesFile] });
 *   target.set(1);   // TestBlocker fires after the next scrape and rule evaluation
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { onCleanup } from './cleanup.js';

export interface AlertsTarget {
  /** http://127.0.0.1:<port>/metrics */
  url: string;
  /** The rules file to load into Prometheus. */
  rulesFile: string;
  /** Sets the gauge: 1 makes TestBlocker fire, 0 clears it. */
  set(value: number): void;
  stop(): Promise<void>;
}

/** The alerting rules of the target. */
export function alertsTargetRules(): Record<string, unknown> {
  return {
    groups: [
      {
        name: 'convoy-test',
        rules: [
          {
            alert: 'TestBlocker',
            expr: 'convoy_test_blocker == 1',
            for: '0s',
            labels: { severity: 'critical' },
            annotations: { summary: 'the test holds rollouts' },
          },
          { alert: 'TestNoise', expr: 'vector(1)', for: '0s', labels: { severity: 'info' } },
        ],
      },
    ],
  };
}

/** Starts the /metrics endpoint (gauge 0) and writes the rules file under <dir>/alerts-target/. */
export async function startAlertsTarget(dir: string): Promise<AlertsTarget> {
  let value = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      `# HELP convoy_test_blocker Set by the test: 1 fires TestBlocker.\n# TYPE convoy_test_blocker gauge\nconvoy_test_blocker ${value}\n`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const rulesFile = path.join(dir, 'alerts-target', 'rules.yml');
  fs.mkdirSync(path.dirname(rulesFile), { recursive: true });
  fs.writeFileSync(rulesFile, YAML.stringify(alertsTargetRules()));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    return stopped;
  };
  const forget = onCleanup('alerts target', stop);
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    rulesFile,
    set(v: number): void {
      value = v;
    },
    async stop(): Promise<void> {
      await stop();
      forget();
    },
  };
}
