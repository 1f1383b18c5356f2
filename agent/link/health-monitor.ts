/** Background health probing: the latest observation for heartbeats, a report when it changes. */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { messageOf } from '../../shared/errors.js';
import type { HealthState } from '../../shared/wire.js';

export interface HealthMonitorOptions {
  probe(): Promise<HealthState>;
  /** Undefined when the agent has no health check: one probe at start, no timer. */
  intervalMs: number | undefined;
  clock: Clock;
  logger: Logger;
  onChange(health: HealthState): void;
}

/** Two observations differ for the coordinator when any of these do (not the timestamp). */
export function healthChanged(a: HealthState | undefined, b: HealthState): boolean {
  return !a || a.healthy !== b.healthy || a.version !== b.version || a.detail !== b.detail || a.configured !== b.configured;
}

/** Probes on a timer, remembers the latest observation and reports changes. */
export class HealthMonitor {
  private current: HealthState | undefined;
  private cancelTimer: (() => void) | undefined;
  private probing: Promise<HealthState> | undefined;
  private stopped = false;

  constructor(private readonly opts: HealthMonitorOptions) {}

  get latest(): HealthState | undefined {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Probes now (or joins the probe already running) and returns the observation. */
  probeNow(): Promise<HealthState> {
    this.probing ??= this.opts
      .probe()
      .catch((err: unknown) => this.failedProbe(err))
      .then((h) => {
        this.observe(h);
        return h;
      })
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  /** Takes an observation made elsewhere (the health step's final one). */
  observe(health: HealthState): void {
    const changed = healthChanged(this.current, health);
    this.current = health;
    if (changed) this.opts.onChange(health);
  }

  private async tick(): Promise<void> {
    await this.probeNow();
    const interval = this.opts.intervalMs;
    if (this.stopped || interval === undefined) return;
    this.cancelTimer = this.opts.clock.setTimer(interval, () => void this.tick());
  }

  private failedProbe(err: unknown): HealthState {
    this.opts.logger.warn(`health probe failed: ${messageOf(err)}`);
    return { healthy: false, version: '', detail: `probe failed: ${messageOf(err)}`, checkedAtMs: this.opts.clock.now(), configured: true };
  }
}
