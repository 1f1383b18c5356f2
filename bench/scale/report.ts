/** Figures and lines the scale benchmark prints. */
import os from 'node:os';
import type { Sample } from './watch.js';

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.availableParallelism()} cpu (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms` : '-');
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

/** Share of one core convoyd used between the first and the last sample. */
export function cpuShare(samples: Sample[]): number {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.atMs === first.atMs) return NaN;
  return (last.cpuSeconds - first.cpuSeconds) / ((last.atMs - first.atMs) / 1000);
}

/** RSS over the samples: range, and the mean of the first and the last fifth (flat memory: close). */
export function rssSummary(samples: Sample[]): string {
  if (!samples.length) return 'no samples';
  const rss = samples.map((s) => s.rssBytes);
  const fifth = Math.max(1, Math.floor(rss.length / 5));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return `rss min ${mb(Math.min(...rss))} max ${mb(Math.max(...rss))}; mean of the first fifth ${mb(mean(rss.slice(0, fifth)))}, of the last fifth ${mb(mean(rss.slice(-fifth)))}`;
}

/** The worst event-loop windows of the samples. */
export function loopSummary(samples: Sample[]): string {
  const windows = samples.filter((s) => Number.isFinite(s.loopP99));
  if (!windows.length) return 'event-loop delay: no windows';
  const p99s = windows.map((s) => s.loopP99 * 1000);
  const maxes = windows.map((s) => s.loopMax * 1000).filter(Number.isFinite);
  const over = p99s.filter((p) => p >= 50).length;
  return `event-loop delay over ${windows.length} windows: p99 worst ${ms(Math.max(...p99s))}, median ${ms(percentile(p99s, 50))}; largest ${ms(Math.max(...maxes))}; windows with p99 >= 50 ms: ${over}`;
}

/**
 * The steps of a rollout as the agents received them: the backups of backup-all come at once,
 * then one host after another. Returns the mean time per step after the backups, overall and
 * per tenth of the rollout (the cost of a step early and late in it), and how long backup-all took.
 */
export function stepPace(times: number[], backups: number): { mean: number; tenths: number[]; backupAllMs: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const backupAllMs = sorted.length > backups ? sorted[backups]! - sorted[0]! : NaN;
  const after = sorted.slice(backups);
  const pace = (xs: number[]): number => (xs.length > 1 ? (xs.at(-1)! - xs[0]!) / (xs.length - 1) : NaN);
  const tenth = Math.max(2, Math.floor(after.length / 10));
  const tenths = Array.from({ length: 10 }, (_, i) => pace(after.slice(i * tenth, (i + 1) * tenth + 1)));
  return { mean: pace(after), tenths, backupAllMs };
}
