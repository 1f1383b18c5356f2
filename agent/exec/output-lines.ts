/**
 * Turns a child's byte streams into lines for people: split on \n, multi-byte
 * characters kept whole, overlong lines cut, delivered in small batches, last lines kept.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Clock } from '../../shared/clock.js';

/** Longest line passed on; a build that prints a minified bundle must not flood the link. */
export const MAX_LINE_CHARS = 4096;
/** Lines kept for StepResult.outputTail. */
export const TAIL_LINES = 40;
const TRUNCATED = ' …[line truncated]';

/** Splits one stream into lines, keeping the partial last line until more data or the end. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  /** True while the rest of an overlong line is being skipped. */
  private skipping = false;

  /** Returns the complete lines contained in `chunk` plus what was buffered before. */
  push(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.append(text.slice(start, nl), lines);
      if (!this.skipping) lines.push(stripCr(this.partial));
      this.partial = '';
      this.skipping = false;
      start = nl + 1;
    }
    this.append(text.slice(start), lines);
    return lines;
  }

  /** Flushes the partial last line at end of stream. */
  end(): string[] {
    const lines: string[] = [];
    this.append(this.decoder.end(), lines);
    if (this.partial !== '' && !this.skipping) lines.push(stripCr(this.partial));
    this.partial = '';
    return lines;
  }

  private append(piece: string, out: string[]): void {
    if (this.skipping || piece === '') return;
    this.partial += piece;
    if (this.partial.length > MAX_LINE_CHARS) {
      out.push(this.partial.slice(0, MAX_LINE_CHARS) + TRUNCATED);
      this.partial = '';
      this.skipping = true;
    }
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export interface BatcherOptions {
  onOutput?: (lines: string[]) => void;
  clock: Clock;
  /** Deliver at least this often while lines are pending. */
  flushMs?: number;
  /** Deliver as soon as this many lines are pending. */
  maxBatch?: number;
}

/** Collects lines from several streams, delivers them in batches and keeps the tail. */
export class OutputBatcher {
  private pending: string[] = [];
  private readonly tailLines: string[] = [];
  private cancelTimer: (() => void) | undefined;
  private readonly flushMs: number;
  private readonly maxBatch: number;

  constructor(private readonly opts: BatcherOptions) {
    this.flushMs = opts.flushMs ?? 200;
    this.maxBatch = opts.maxBatch ?? 50;
  }

  add(lines: string[]): void {
    for (const line of lines) {
      this.pending.push(line);
      this.tailLines.push(line);
      if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
      if (this.pending.length >= this.maxBatch) this.flush();
    }
    if (this.pending.length > 0 && !this.cancelTimer) {
      this.cancelTimer = this.opts.clock.setTimer(this.flushMs, () => this.flush());
    }
  }

  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.opts.onOutput?.(batch);
    } catch {
      // A failing listener (a closed link, a full disk) must not break the step itself.
    }
  }

  tail(): string[] {
    return [...this.tailLines];
  }
}
