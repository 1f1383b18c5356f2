/**
 * How soon Convoy notices a service that turns healthy a known time after `make up`: the
 * service host answers 2xx once run/version is `delayMs` old, so the instant it became
 * healthy is that file's mtime plus the delay (the last run's files, still on disk).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RolloutView } from '../../coordinator/cli/views.js';
import type { BenchHost } from './fleet-files.js';
import { median, ms } from './report.js';

export function healthLatency(hosts: BenchHost[], view: RolloutView, delayMs: number): string[] {
  const detected: number[] = [];
  const recorded: number[] = [];
  const nextStarted: number[] = [];
  const order = hosts.map((h) => view.hosts.find((v) => v.agentId === h.name));
  order.forEach((hv, i) => {
    const h = hosts[i]!;
    const healthyAt = fs.statSync(path.join(h.serverDir, 'run', 'version')).mtimeMs + delayMs;
    const health = hv?.steps.find((r) => r.step === 'health' && r.outcome === 'succeeded');
    if (!health) return;
    detected.push(Number(health.agentFinishedAtMs) - healthyAt);
    recorded.push(Number(health.finishedAtMs) - healthyAt);
    const next = order[i + 1]?.steps
      .filter((r) => r.phase !== 'backup-all')
      .sort((a, b) => Number(a.startedAtMs) - Number(b.startedAtMs))[0];
    if (next) nextStarted.push(Number(next.startedAtMs) - healthyAt);
  });
  const fmt = (v: number[]): string => `median ${ms(median(v))}, max ${ms(Math.max(...v))}`;
  return [
    `  service healthy -> agent's health step done: ${fmt(detected)}`,
    `  service healthy -> convoyd recorded it: ${fmt(recorded)}`,
    `  service healthy -> next host's first step sent (after backup-after): ${fmt(nextStarted)}`,
  ];
}
