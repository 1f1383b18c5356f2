/**
 * The bounds of coordinator.yaml (coordinator/config-bounds.ts) and the rules across keys
 * (coordinator/config-checks.ts), message by message: what operators read is the contract.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { COORDINATOR_BOUNDS } from '../../../coordinator/config-bounds.js';
import { coordinatorFileSchema, resolveCoordinatorConfig } from '../../../coordinator/config.js';
import { writeSize } from '../../../shared/bounded-values.js';
import { parseYamlConfig } from '../../../shared/config-file.js';
import { writeDuration } from '../../../shared/durations.js';
import { ConfigError } from '../../../shared/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-bounds-'));
const file = path.join(dir, 'coordinator.yaml');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASE = 'listen: 127.0.0.1:7400\nstateFile: state.db\ninsecure: true\n';
const CLUSTER = `${BASE}clusters:\n  - name: hoss\n    members: [a]\n`;
const ALERTS = `${CLUSTER}    alerts:\n      prometheus: http://127.0.0.1:9090\n      selector: '{severity="critical"}'\n`;
const NOTES = `${CLUSTER}    releaseNotes:\n      github:\n        repo: WyssCenter/hybrid-object-store\n`;
const WEBHOOK = `${BASE}webhooks:\n  - url: https://hooks.example.com/x\n`;
const SCHEDULE = `${CLUSTER}schedules:\n  - name: s\n    cluster: hoss\n    cron: "0 2 * * 0"\n`;

function load(text: string) {
  return resolveCoordinatorConfig(file, parseYamlConfig(file, text, coordinatorFileSchema, `Edit ${file} and restart convoyd.`));
}

function problems(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('coordinator config: every number and duration is bounded', () => {
  const refused: [string, string, string][] = [
    [
      'heartbeatTimeout: 0s',
      `${BASE}heartbeatTimeout: 0s\n`,
      'coordinator.yaml: heartbeatTimeout "0s" is shorter than the minimum 1s (convoyd checks heartbeats once a second); write a duration from 1s to 10m, e.g. "20s" (the default)',
    ],
    [
      'heartbeatTimeout: 9999999d',
      `${BASE}heartbeatTimeout: 9999999d\n`,
      'coordinator.yaml: heartbeatTimeout "9999999d" is longer than the maximum 10m (an agent that died would be shown connected, and its steps waited for, that long); write a duration from 1s to 10m, e.g. "20s" (the default)',
    ],
    [
      'heartbeatInterval: 100ms',
      `${BASE}heartbeatInterval: 100ms\n`,
      'coordinator.yaml: heartbeatInterval "100ms" is shorter than the minimum 500ms (convoyd judges heartbeats once a second: more would be load from every agent, not faster detection); write a duration from 500ms to 5m, e.g. "5s" (the default)',
    ],
    [
      'heartbeatInterval: 1h',
      `${BASE}heartbeatInterval: 1h\n`,
      'coordinator.yaml: heartbeatInterval "1h" is longer than the maximum 5m (heartbeatTimeout must be at least 2 intervals and is at most 10m); write a duration from 500ms to 5m, e.g. "5s" (the default)',
    ],
    [
      'stepGrace: 0s',
      `${BASE}stepGrace: 0s\n`,
      'coordinator.yaml: stepGrace "0s" is shorter than the minimum 1s (a step would be failed as lost before its agent could reconnect and report it); write a duration from 1s to 1h, e.g. "30s" (the default)',
    ],
    [
      'stepGrace: 2h',
      `${BASE}stepGrace: 2h\n`,
      `coordinator.yaml: stepGrace "2h" is longer than the maximum 1h (a step lost with its agent would hold the rollout that long after the step's own timeout); write a duration from 1s to 1h, e.g. "30s" (the default)`,
    ],
    [
      'healthDeadline: 30d',
      `${CLUSTER}    healthDeadline: 30d\n`,
      'coordinator.yaml: clusters[0].healthDeadline "30d" is longer than the maximum 1h (the rollout would hold a half-updated host that long before failing it); write a duration from 1s to 1h, e.g. "5m" (the default)',
    ],
    [
      'healthDeadline: 0s',
      `${CLUSTER}    healthDeadline: 0s\n`,
      'coordinator.yaml: clusters[0].healthDeadline "0s" does not mean "no deadline": 0s is not sent, and each agent would wait its own health.deadline instead; write a duration from 1s to 1h, e.g. "5m" (the default)',
    ],
    [
      'healthDeadline: 500ms',
      `${CLUSTER}    healthDeadline: 500ms\n`,
      'coordinator.yaml: clusters[0].healthDeadline "500ms" is shorter than the minimum 1s (no server is built, started and serving its new version that fast); write a duration from 1s to 1h, e.g. "5m" (the default)',
    ],
    [
      'maxParallel: 65',
      `${CLUSTER}    maxParallel: 65\n`,
      'coordinator.yaml: clusters[0].maxParallel 65 must be a whole number from 1 to 64',
    ],
    [
      'maxParallel: 1.5',
      `${CLUSTER}    maxParallel: 1.5\n`,
      'coordinator.yaml: clusters[0].maxParallel 1.5 must be a whole number from 1 to 64',
    ],
    [
      'maxParallel: "2"',
      `${CLUSTER}    maxParallel: "2"\n`,
      'coordinator.yaml: clusters[0].maxParallel "2" must be a whole number from 1 to 64',
    ],
    [
      'alerts.pollInterval: 100ms',
      `${ALERTS}      pollInterval: 100ms\n`,
      'coordinator.yaml: clusters[0].alerts.pollInterval "100ms" is shorter than the minimum 1s (a paused rollout would hammer Prometheus); write a duration from 1s to 1h, e.g. "15s" (the default)',
    ],
    [
      'alerts.timeout: 2m',
      `${ALERTS}      timeout: 2m\n`,
      `coordinator.yaml: clusters[0].alerts.timeout "2m" is longer than the maximum 1m (a Prometheus that hangs would hold each host's start that long); write a duration from 100ms to 1m, e.g. "5s" (the default)`,
    ],
    [
      'releaseNotes.github.cacheTtl: 1y-ish',
      `${NOTES}        cacheTtl: 365d\n`,
      'coordinator.yaml: clusters[0].releaseNotes.github.cacheTtl "365d" is longer than the maximum 30d (a note edited on GitHub would stay unseen that long); write a duration from 1m to 30d, e.g. "1h" (the default)',
    ],
    [
      'releaseNotes.github.timeout: 1h',
      `${NOTES}        timeout: 1h\n`,
      'coordinator.yaml: clusters[0].releaseNotes.github.timeout "1h" is longer than the maximum 5m (a rollout would wait that long for an API that does not answer); write a duration from 1s to 5m, e.g. "10s" (the default)',
    ],
    [
      'webhooks.timeout: 0s',
      `${WEBHOOK}    timeout: 0s\n`,
      'coordinator.yaml: webhooks[0].timeout "0s" is shorter than the minimum 100ms (every delivery would time out); write a duration from 100ms to 1m, e.g. "5s" (the default)',
    ],
    ['webhooks.retries: 99', `${WEBHOOK}    retries: 99\n`, 'coordinator.yaml: webhooks[0].retries 99 must be a whole number from 0 to 20'],
    [
      'schedules.window: 30d',
      `${SCHEDULE}    window: 30d\n`,
      'coordinator.yaml: schedules[0].window "30d" is longer than the maximum 7d (a maintenance window longer than a week covers the next weekly window too; run the rollout by hand instead); write a duration from 1s to 7d',
    ],
    [
      'retention.maxAge: 36500d',
      `${BASE}retention:\n  maxAge: 36500d\n`,
      'coordinator.yaml: retention.maxAge "36500d" is longer than the maximum 3650d (ten years of step output is an archive; export it instead); write a duration from 1h to 3650d, e.g. "90d" (the default)',
    ],
    [
      'retention.maxLogSize: 2TiB',
      `${BASE}retention:\n  maxLogSize: 2TiB\n`,
      'coordinator.yaml: retention.maxLogSize "2TiB" is larger than the maximum 1TiB (convoyd keeps step output in its state file, which is no log archive); write a size from 1MiB to 1TiB, e.g. "1GiB" (the default)',
    ],
    [
      'a duration without a unit',
      `${BASE}heartbeatTimeout: 20\n`,
      'coordinator.yaml: heartbeatTimeout 20 has no unit; write it with one, e.g. "20s" or "20ms"',
    ],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}, naming the file, key, value, rule and fix`, () => {
      expect(problems(text)).to.deep.equal([message]);
    });
  }

  it('accepts each bound itself (the ranges are inclusive)', () => {
    const c = load(
      `${BASE}heartbeatTimeout: 10m\nheartbeatInterval: 5m\nstepGrace: 1h\nclusters:\n  - name: hoss\n    members: [a]\n    healthDeadline: 1h\n    maxParallel: 64\n`,
    );
    expect([
      c.heartbeatTimeoutMs,
      c.heartbeatIntervalMs,
      c.stepGraceMs,
      c.clusters[0]?.healthDeadlineMs,
      c.clusters[0]?.maxParallel,
    ]).to.deep.equal([600_000, 300_000, 3_600_000, 3_600_000, 64]);
    const low = load(`${BASE}heartbeatTimeout: 1s\nheartbeatInterval: 500ms\nstepGrace: 1s\n`);
    expect([low.heartbeatTimeoutMs, low.heartbeatIntervalMs, low.stepGraceMs]).to.deep.equal([1000, 500, 1000]);
  });

  it('keeps the defaults inside their bounds', () => {
    expect(() => load(`${CLUSTER}    alerts:\n      prometheus: http://127.0.0.1:9090\n      selector: '{a="b"}'\n`)).to.not.throw();
  });
});

describe('coordinator config: rules across keys', () => {
  it('refuses a heartbeatTimeout shorter than two heartbeat intervals, with both fixes', () => {
    expect(problems(`${BASE}heartbeatTimeout: 8s\n`)).to.deep.equal([
      'coordinator.yaml: heartbeatTimeout "8s" is shorter than 2 × heartbeatInterval (5s, the interval agents are asked to heartbeat at): agents would be marked disconnected between two heartbeats and reconnect forever; set heartbeatTimeout to at least 10s or heartbeatInterval to at most 4s',
    ]);
  });

  it('accepts a heartbeatTimeout of exactly two intervals', () => {
    expect(load(`${BASE}heartbeatTimeout: 2s\nheartbeatInterval: 1s\n`).heartbeatTimeoutMs).to.equal(2000);
  });

  it('refuses http on the port of listen, also across 0.0.0.0', () => {
    const message = 'give http (the metrics port) a port of its own, e.g. 127.0.0.1:9464';
    expect(problems(`${BASE}http: 127.0.0.1:7400\n`)).to.deep.equal([
      `coordinator.yaml: http "127.0.0.1:7400" and listen "127.0.0.1:7400" use the same port; ${message}`,
    ]);
    expect(problems('listen: 127.0.0.1:7401\nstateFile: state.db\ninsecure: true\nhttp: 0.0.0.0:7401\n')).to.deep.equal([
      `coordinator.yaml: http "0.0.0.0:7401" and listen "127.0.0.1:7401" use the same port; ${message}`,
    ]);
    expect(load(`${BASE}http: 127.0.0.2:7400\n`).http).to.equal('127.0.0.2:7400');
  });
});

describe('coordinator config: the bounds in docs/configuration.md', () => {
  const docs = fs.readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const show = (kind: string, n: number): string => (kind === 'duration' ? writeDuration(n) : kind === 'size' ? writeSize(n) : String(n));
  for (const b of COORDINATOR_BOUNDS) {
    it(`lists ${b.key} from ${show(b.kind, b.min)} to ${show(b.kind, b.max)}`, () => {
      expect(docs).to.include(`| \`${b.key}\` | ${show(b.kind, b.min)} | ${show(b.kind, b.max)} |`);
    });
  }
});
