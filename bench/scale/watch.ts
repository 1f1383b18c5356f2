/**
 * Watches convoyd while the benchmark runs: every sample its CPU time and RSS (/proc) and its
 * event-loop delay (convoy_event_loop_delay_seconds, a histogram convoyd keeps; the p99 and the
 * largest bucket of each window between two samples), each sample tagged with the phase the
 * benchmark was in. A convoyd without that histogram (an older build) is read through
 * prom-client's nodejs_eventloop_lag_p99/max_seconds, which cover the time since the last scrape.
 */
import { histogramBuckets, sampleValue, scrape, type Convoyd } from './convoyd.js';

const LOOP_DELAY = 'convoy_event_loop_delay_seconds';
/** Only the families the watch reads (convoyd answers /metrics?name=… with just those). */
const WATCHED = `?name=${LOOP_DELAY}&name=convoy_agents_connected`;

export interface Sample {
  atMs: number;
  phase: string;
  cpuSeconds: number;
  rssBytes: number;
  connected: number;
  /** Event-loop delay in the window since the previous sample (seconds). */
  loopP99: number;
  loopMax: number;
}

/** The p-quantile of a window's bucket counts (linear within the bucket, as histogram_quantile does), and the top non-empty bound. */
export function windowQuantile(before: Map<number, number>, after: Map<number, number>, q: number): { p: number; max: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return { p: 0, max: 0 };
  let prevBound = 0;
  let prevCount = 0;
  let p = NaN;
  let max = 0;
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count > prevCount) max = bound;
    if (Number.isNaN(p) && count >= q * total) {
      const top = Number.isFinite(bound) ? bound : prevBound;
      p = prevBound + ((top - prevBound) * (q * total - prevCount)) / Math.max(1, count - prevCount);
    }
    prevBound = Number.isFinite(bound) ? bound : prevBound;
    prevCount = count;
  }
  return { p, max };
}

/** Samples convoyd every `everyMs` until stopped. */
export class Watch {
  readonly samples: Sample[] = [];
  phase = 'start';
  private timer?: NodeJS.Timeout;
  private previous?: Map<number, number>;
  private filtered = true;
  private busy = false;

  constructor(
    private readonly convoyd: Convoyd,
    private readonly httpPort: number,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Samples of `phase`, or of every phase. */
  of(phase?: string): Sample[] {
    return phase ? this.samples.filter((s) => s.phase === phase) : this.samples;
  }

  private async sample(): Promise<void> {
    if (this.busy) return; // a scrape slower than the interval: skip, do not pile up
    this.busy = true;
    try {
      const phase = this.phase;
      const { cpuSeconds, rssBytes } = this.convoyd.usage();
      const body = await this.read();
      const buckets = histogramBuckets(body, LOOP_DELAY);
      let loop = { p: NaN, max: NaN };
      if (buckets.size) {
        if (this.previous) loop = windowQuantile(this.previous, buckets, 0.99);
        this.previous = buckets;
      } else {
        loop = { p: sampleValue(body, 'nodejs_eventloop_lag_p99_seconds'), max: sampleValue(body, 'nodejs_eventloop_lag_max_seconds') };
      }
      const connected = sampleValue(body, 'convoy_agents_connected');
      this.samples.push({ atMs: Date.now(), phase, cpuSeconds, rssBytes, connected, loopP99: loop.p, loopMax: loop.max });
    } catch (err) {
      console.error(`watch: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  /** The watched families; the whole exposition from a convoyd that does not filter. */
  private async read(): Promise<string> {
    if (this.filtered) {
      const { body } = await scrape(this.httpPort, `/metrics${WATCHED}`);
      if (body.includes(LOOP_DELAY)) return body;
      this.filtered = false;
    }
    return (await scrape(this.httpPort)).body;
  }
}
