/**
 * Which step output convoyd stores. An agent's certificate proves who it is, not that what it
 * sends is owed: output is accepted only for a step run of a rollout that was sent to that very
 * agent and is running (or finished less than LATE_OUTPUT_MS ago, by convoyd's clock), and is
 * stored under that run's own step name. Then the bounds of output-limits.ts apply: lines and
 * bytes per run, bytes per rollout, bytes per agent per minute, and the total (retention.ts).
 * Everything else is dropped, counted (convoy_step_output_dropped_lines_total) and logged,
 * rate-limited; the agent's stream stays open, since a step's output is never worth a rollout.
 */
import type { Clock } from '../../shared/clock.js';
import { LogLimiter } from '../../shared/log-limiter.js';
import type { Logger } from '../../shared/logger.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { formatSize } from '../../shared/sizes.js';
import { printable } from '../../shared/versions.js';
import type { StepOutput } from '../../shared/wire.js';
import type { Rollout, StepRun } from '../rollout/model.js';
import type { LogStore } from '../store/store.js';
import {
  AGENT_OUTPUT_RATE,
  LATE_OUTPUT_MS,
  MAX_LOG_BYTES_PER_ROLLOUT,
  MAX_LOG_BYTES_PER_RUN,
  MAX_LOG_LINES_PER_RUN,
  type OutputCounters,
  type OutputDropReason,
} from './output-limits.js';
import type { Retention } from './retention.js';

/** Runs and rollouts whose usage is remembered; the least recently used is read again from the store. */
const USAGE_KEPT = 1000;

interface RunUsage {
  lines: number;
  bytes: number;
  /** Reasons already noted in this run's output (one note each). */
  noted: Set<OutputDropReason>;
}

interface FinishedRun {
  agentId: string;
  rolloutId: string;
  step: string;
  seenAtMs: number;
}

export interface OutputGateDeps {
  rollouts: { activeRollouts(): Rollout[] };
  logs: Pick<LogStore, 'sizeOfRun' | 'sizeOfRollout'>;
  retention: Pick<Retention, 'reserve'>;
  clock: Clock;
  logger: Logger;
  counters?: OutputCounters;
}

/** A Map that forgets its least recently used entry beyond `max` entries. */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

export class StepOutputGate {
  private readonly finished = new Recent<FinishedRun>(USAGE_KEPT);
  private readonly runs = new Recent<RunUsage>(USAGE_KEPT);
  private readonly rolloutBytes = new Recent<number>(USAGE_KEPT);
  private readonly agentRate: RateLimiter;
  private readonly warnings: LogLimiter;

  constructor(private readonly o: OutputGateDeps) {
    this.agentRate = new RateLimiter(AGENT_OUTPUT_RATE, () => o.clock.now());
    this.warnings = new LogLimiter(o.logger, () => o.clock.now());
  }

  /** How many runs and rollouts the gate remembers (bounded: tests check it). */
  get remembered(): number {
    return this.finished.size + this.runs.size + this.rolloutBytes.size;
  }

  /** RolloutObserver: notes when (by our clock) each run stopped running, for late output. */
  rolloutChanged(prev: Rollout | undefined, next: Rollout): void {
    const now = this.o.clock.now();
    for (const host of next.hosts) {
      const before = prev?.hosts.find((h) => h.agentId === host.agentId);
      for (const run of host.runs) {
        if (run.outcome === 'running') continue;
        const earlier = before?.runs.find((r) => r.requestId === run.requestId);
        if (earlier && earlier.outcome !== 'running') continue;
        this.finished.set(run.requestId, { agentId: host.agentId, rolloutId: next.id, step: run.step, seenAtMs: now });
      }
    }
  }

  /** The part of `out` to store (its step set to the run's own), or undefined when nothing is. */
  admit(agentId: string, out: StepOutput): StepOutput | undefined {
    const step = this.stepOf(agentId, out);
    if (step === undefined) {
      this.drop(
        'unknown-request',
        agentId,
        out,
        out.lines.length,
        'no step with this request id and rollout was sent to it and is running',
      );
      return undefined;
    }
    const lines = this.withinLimits(agentId, out);
    return lines.length ? { ...out, step, lines } : undefined;
  }

  /** The step of the run `out` belongs to, when it was sent to `agentId` and runs (or just finished). */
  private stepOf(agentId: string, out: StepOutput): string | undefined {
    const rollout = this.o.rollouts.activeRollouts().find((r) => r.id === out.rolloutId);
    const run: StepRun | undefined = rollout?.hosts.find((h) => h.agentId === agentId)?.runs.find((r) => r.requestId === out.requestId);
    if (run?.outcome === 'running') return run.step;
    const done = this.finished.get(out.requestId);
    if (!done || done.agentId !== agentId || done.rolloutId !== out.rolloutId) return undefined;
    return this.o.clock.now() - done.seenAtMs <= LATE_OUTPUT_MS ? done.step : undefined;
  }

  /** The lines of `out` within the run, rollout, agent and total bounds, with one note per cut. */
  private withinLimits(agentId: string, out: StepOutput): string[] {
    const run = this.runUsage(out.requestId);
    let rollout = this.rolloutUsage(out.rolloutId);
    const kept: string[] = [];
    let cut: OutputDropReason | undefined;
    for (const line of out.lines) {
      const size = Buffer.byteLength(line);
      if (run.lines + kept.length + 1 > MAX_LOG_LINES_PER_RUN || run.bytes + size > MAX_LOG_BYTES_PER_RUN) cut = 'run-limit';
      else if (rollout + size > MAX_LOG_BYTES_PER_ROLLOUT) cut = 'rollout-limit';
      if (cut) break;
      kept.push(line);
      run.bytes += size;
      rollout += size;
    }
    const fits = this.agentAndTotal(agentId, kept);
    const dropped = out.lines.length - fits.lines.length;
    const reason = fits.lines.length < kept.length ? fits.reason : cut;
    const stored = [...fits.lines];
    if (reason && dropped > 0) {
      this.drop(reason, agentId, out, dropped, this.describe(reason));
      if (!run.noted.has(reason)) {
        run.noted.add(reason);
        stored.push(
          `[convoy: output of this step ${this.describe(reason)} is not stored by convoyd; agent ${agentId} keeps it in its own log]`,
        );
      }
    }
    // What was not kept after all gives its room back.
    const unkept = kept.slice(fits.lines.length).reduce((sum, l) => sum + Buffer.byteLength(l), 0);
    run.bytes -= unkept;
    run.lines += stored.length;
    this.rolloutBytes.set(out.rolloutId, rollout - unkept);
    return stored;
  }

  /** `lines` cut to what the agent's byte rate and the total store size allow. */
  private agentAndTotal(agentId: string, lines: string[]): { lines: string[]; reason?: OutputDropReason } {
    const sizes = lines.map((l) => Buffer.byteLength(l));
    const wanted = sizes.reduce((a, b) => a + b, 0);
    if (wanted === 0) return { lines };
    const allowed = Math.min(wanted, Math.floor(this.agentRate.available(agentId)));
    const byRate = prefixWithin(sizes, allowed);
    const bytes = sizes.slice(0, byRate).reduce((a, b) => a + b, 0);
    const granted = this.o.retention.reserve(bytes);
    const byTotal = prefixWithin(sizes.slice(0, byRate), granted);
    const spent = sizes.slice(0, byTotal).reduce((a, b) => a + b, 0);
    if (spent > 0) this.agentRate.take(agentId, spent);
    const reason = byTotal < byRate ? 'total-limit' : byRate < lines.length ? 'agent-rate' : undefined;
    return { lines: lines.slice(0, byTotal), reason };
  }

  private describe(reason: OutputDropReason): string {
    switch (reason) {
      case 'run-limit':
        return `beyond ${MAX_LOG_LINES_PER_RUN} lines or ${formatSize(MAX_LOG_BYTES_PER_RUN)}`;
      case 'rollout-limit':
        return `beyond ${formatSize(MAX_LOG_BYTES_PER_ROLLOUT)} for the rollout`;
      case 'agent-rate':
        return `beyond ${formatSize(AGENT_OUTPUT_RATE.perMinute)} a minute from one agent`;
      case 'total-limit':
        return 'beyond the total size retention allows (retention.maxLogSize), with no finished rollout left to make room';
      case 'unknown-request':
        return 'for a step it does not run';
    }
  }

  private drop(reason: OutputDropReason, agentId: string, out: StepOutput, lines: number, why: string): void {
    this.o.counters?.outputDropped(reason, lines);
    this.warnings.log(
      `${agentId}:${reason}`,
      'warn',
      `dropped ${lines} line(s) of step output from agent ${agentId} for request "${printable(out.requestId)}" of rollout "${printable(out.rolloutId)}": ${why}`,
      { host: agentId, reason },
    );
  }

  private runUsage(requestId: string): RunUsage {
    let usage = this.runs.get(requestId);
    if (!usage) {
      const size = this.o.logs.sizeOfRun(requestId);
      usage = { lines: size.lines, bytes: size.bytes, noted: new Set() };
      this.runs.set(requestId, usage);
    }
    return usage;
  }

  private rolloutUsage(rolloutId: string): number {
    let bytes = this.rolloutBytes.get(rolloutId);
    if (bytes === undefined) {
      bytes = this.o.logs.sizeOfRollout(rolloutId).bytes;
      this.rolloutBytes.set(rolloutId, bytes);
    }
    return bytes;
  }
}

/** How many of `sizes`, from the first, fit in `budget`. */
function prefixWithin(sizes: number[], budget: number): number {
  let used = 0;
  let n = 0;
  for (const s of sizes) {
    if (used + s > budget) break;
    used += s;
    n++;
  }
  return n;
}
