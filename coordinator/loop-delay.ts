/**
 * How late convoyd's event loop runs. Everything convoyd does (agent streams, keepalive
 * pings, the heartbeat sweep, rollouts, /metrics) waits for the loop: a loop held for a
 * second delays every agent's messages by a second. A timer due every INTERVAL_MS measures
 * how late it fired; each lateness is one sample of the delay.
 *
 * A loop held for 500 ms yields one late tick, not the 50 ticks a free loop would have run
 * in that time: counted once, a long stall would vanish among the short delays around it.
 * So a tick late by d also records the delays the missed ticks would have seen (d - interval,
 * d - 2·interval, …), the correction HdrHistogram applies ("coordinated omission"): the
 * quantiles then describe how long work that arrived at any moment waited.
 */
import type { Clock } from '../shared/clock.js';

/** Receives every sample, in seconds (convoy_event_loop_delay_seconds in metrics.ts). */
export interface LoopDelaySink {
  loopDelay(seconds: number): void;
}

/** How often the timer is due. */
export const INTERVAL_MS = 10;
/** The most samples one late tick adds (a suspended machine, a clock step forward). */
const MAX_CORRECTION_SAMPLES = 6000;

/** Samples the event loop's delay until stopped. Safe to stop twice. */
export class LoopDelayMonitor {
  private cancel?: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly sink: LoopDelaySink,
  ) {}

  start(): void {
    if (this.cancel) return;
    this.arm(this.clock.now() + INTERVAL_MS);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(dueAt: number): void {
    this.cancel = this.clock.setTimer(INTERVAL_MS, () => {
      const now = this.clock.now();
      recordDelay(this.sink, Math.max(0, now - dueAt));
      this.arm(now + INTERVAL_MS);
    });
  }
}

/** Records a tick `lateMs` late and the ticks it stood for. */
export function recordDelay(sink: LoopDelaySink, lateMs: number): void {
  sink.loopDelay(lateMs / 1000);
  let missed = lateMs - INTERVAL_MS;
  for (let n = 0; missed >= INTERVAL_MS && n < MAX_CORRECTION_SAMPLES; n++, missed -= INTERVAL_MS) sink.loopDelay(missed / 1000);
}
