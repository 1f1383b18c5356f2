/** Figures the overhead benchmark prints: medians, the machine, and where a Convoy rollout spent its time. */
import os from 'node:os';
import type { RolloutView } from '../../coordinator/cli/views.js';

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const gib = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${os.cpus().length} CPU (${cpu}), ${gib} GiB RAM, Node.js ${process.version}, ${os.type()} ${os.release()}`;
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v < 100 ? 1 : 0)} ms` : '-');
export const s = (v: number): string => `${(v / 1000).toFixed(2)} s`;

/** Per-step timings of one rollout, from convoyd's step records (same machine, one clock). */
export interface StepBreakdown {
  /** convoyd sent the step -> the agent started it. */
  toAgent: number[];
  /** The agent's own start -> finish. */
  body: number[];
  /** The agent finished -> convoyd recorded the result. */
  toCoordinator: number[];
  /** A result recorded -> the next step of the rollout sent. */
  nextDispatch: number[];
  /** Agent-side duration of each step, by step name. */
  byStep: Map<string, number[]>;
  /** Rollout created -> first step sent (preflight). */
  preflightMs: number;
  /** Rollout created -> finished, on convoyd's clock. */
  rolloutMs: number;
}

export function breakdown(view: RolloutView): StepBreakdown {
  const b: StepBreakdown = {
    toAgent: [],
    body: [],
    toCoordinator: [],
    nextDispatch: [],
    byStep: new Map(),
    preflightMs: 0,
    rolloutMs: Number(view.finishedAtMs) - Number(view.createdAtMs),
  };
  const runs = view.hosts.flatMap((h) => h.steps).sort((x, y) => Number(x.startedAtMs) - Number(y.startedAtMs));
  for (const r of runs) {
    const [sent, aStart, aEnd, done] = [r.startedAtMs, r.agentStartedAtMs, r.agentFinishedAtMs, r.finishedAtMs].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    if (aStart > 0) b.toAgent.push(aStart - sent);
    if (aStart > 0 && aEnd > 0) {
      b.body.push(aEnd - aStart);
      b.byStep.set(r.step, [...(b.byStep.get(r.step) ?? []), aEnd - aStart]);
    }
    if (aEnd > 0) b.toCoordinator.push(done - aEnd);
  }
  // backup-all runs on every host at once; from then on one step follows another
  const serial = runs.filter((r) => r.phase !== 'backup-all');
  for (let i = 1; i < serial.length; i++) b.nextDispatch.push(Number(serial[i]!.startedAtMs) - Number(serial[i - 1]!.finishedAtMs));
  b.preflightMs = runs.length ? Number(runs[0]!.startedAtMs) - Number(view.createdAtMs) : 0;
  return b;
}

export function formatBreakdown(b: StepBreakdown): string[] {
  const steps = [...b.byStep.entries()].map(([name, v]) => `${name} ${ms(median(v))}`).join(', ');
  return [
    `  rollout on convoyd's clock ${s(b.rolloutMs)}; preflight (created -> first step sent) ${ms(b.preflightMs)}`,
    `  per step, median: sent -> agent start ${ms(median(b.toAgent))}; agent body ${ms(median(b.body))}; ` +
      `agent end -> recorded ${ms(median(b.toCoordinator))}; recorded -> next sent ${ms(median(b.nextDispatch))}`,
    `  agent body by step, median: ${steps}`,
  ];
}
