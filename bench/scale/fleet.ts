/**
 * The simulated fleet: worker processes (fleet-worker.ts) each running a share of the agents,
 * and the sums of what they report.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyCounters, type SimCounters } from './sim-agent.js';
import type { WorkerCommand, WorkerReport } from './fleet-worker.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fleet-worker.ts');

export interface FleetOptions {
  address: string;
  ids: string[];
  workers: number;
  certsDir?: string;
  caFile?: string;
  rampMs: number;
  heartbeatIntervalMs: number;
  agentVersion: string;
}

/** The workers and the latest report of each. */
export class SimFleet {
  private readonly children: ChildProcess[] = [];
  private readonly latest: { counters: SimCounters; connected: number }[] = [];
  /** Arrival times of step requests at the agents (ms since the epoch), in the order reported. */
  readonly stepTimes: number[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly o: FleetOptions) {}

  start(): void {
    const per = Math.ceil(this.o.ids.length / this.o.workers);
    for (let w = 0; w < this.o.workers; w++) {
      const ids = this.o.ids.slice(w * per, (w + 1) * per);
      if (!ids.length) break;
      const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const slot = this.latest.push({ counters: emptyCounters(), connected: 0 }) - 1;
      child.on('message', (report: WorkerReport) => {
        if (report.kind === 'stats') {
          this.latest[slot] = { counters: report.counters, connected: report.connected };
          this.stepTimes.push(...report.stepTimes);
        } else {
          this.latest[slot] = { counters: report.counters, connected: 0 };
        }
        for (const fn of this.listeners) fn();
      });
      const cmd: WorkerCommand = {
        kind: 'start',
        address: this.o.address,
        ids,
        certsDir: this.o.certsDir,
        caFile: this.o.caFile,
        rampMs: this.o.rampMs,
        heartbeatIntervalMs: this.o.heartbeatIntervalMs,
        agentVersion: this.o.agentVersion,
      };
      child.send(cmd);
      this.children.push(child);
    }
  }

  /** The sums over the workers' latest reports. */
  totals(): SimCounters & { connected: number } {
    const sum = { ...emptyCounters(), connected: 0 };
    for (const { counters: c, connected } of this.latest) {
      sum.connected += connected;
      sum.attempts += c.attempts;
      sum.welcomed += c.welcomed;
      sum.dropped += c.dropped;
      sum.failed += c.failed;
      sum.refusals += c.refusals;
      sum.inspections += c.inspections;
      sum.steps += c.steps;
      for (const [k, v] of Object.entries(c.statuses)) sum.statuses[k] = (sum.statuses[k] ?? 0) + v;
    }
    return sum;
  }

  /** Resolves when `ready()` holds after a report, or rejects after `timeoutMs`. */
  until(ready: (t: ReturnType<SimFleet['totals']>) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready(this.totals())) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${what}: not reached in ${timeoutMs / 1000}s (${JSON.stringify(this.totals())})`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send({ kind: 'stop' } satisfies WorkerCommand);
          }),
      ),
    );
  }
}
