/** Groups a step's output lines into StepOutput messages: one per window, not one per line. */
import type { Clock } from '../../shared/clock.js';

export interface OutputBatcherOptions {
  clock: Clock;
  /** Lines wait at most this long before they are sent. */
  flushMs: number;
  /** A batch this large goes out at once. */
  maxLines: number;
  /** Longer lines are cut (a single minified line must not exceed the message limit). */
  maxLineChars: number;
  send(lines: string[]): void;
}

export const DEFAULT_BATCHING = { flushMs: 250, maxLines: 200, maxLineChars: 4000 };

/** Buffers lines and hands them to `send` in batches. */
export class OutputBatcher {
  private pending: string[] = [];
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly opts: OutputBatcherOptions) {}

  push(lines: string[]): void {
    const max = this.opts.maxLineChars;
    for (const line of lines) this.pending.push(line.length > max ? `${line.slice(0, max)}… [line cut at ${max} characters]` : line);
    // Full batches go at once; the remainder waits for the window like any other line.
    while (this.pending.length >= this.opts.maxLines) this.opts.send(this.pending.splice(0, this.opts.maxLines));
    if (this.pending.length > 0) this.cancelTimer ??= this.opts.clock.setTimer(this.opts.flushMs, () => this.flush());
  }

  /** Sends what is buffered now (before the step's result, so output precedes it). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    while (this.pending.length > 0) this.opts.send(this.pending.splice(0, this.opts.maxLines));
  }
}
