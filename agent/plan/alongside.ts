/**
 * A step started alongside another and awaited after it: Hoss's restore waits, after
 * "Please start the server!", for someone to run `make up DETACH=true` next to it. Its
 * output is tagged with its name; if it fails while the main command still runs, the main
 * command is stopped (the caller links onFailure to its abort).
 */
import { runCommand, type CommandResult } from '../exec/command.js';
import type { StepConfig, StepHooks } from '../types.js';
import type { StepReport } from './step-report.js';

export interface AlongsideOptions {
  step: StepConfig;
  env: Record<string, string>;
  hooks: StepHooks;
  describe(result: CommandResult): StepReport;
  label: string;
}

export class AlongsideRun {
  private running: Promise<StepReport> | undefined;
  private readonly controller = new AbortController();
  private failureListener: () => void = () => undefined;
  /** Stopped by finish() because the main command failed: its own outcome is then not news. */
  private stoppedByUs = false;

  constructor(private readonly o: AlongsideOptions) {}

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Called when it fails while the main command may still run. */
  onFailure(fn: () => void): void {
    this.failureListener = fn;
  }

  /** Starts the command once; later calls do nothing. */
  start(): void {
    if (this.running) return;
    const { step, hooks } = this.o;
    hooks.onOutput([`[${step.name}] starting ${this.o.label} alongside`]);
    const onAbort = (): void => this.controller.abort();
    hooks.signal.addEventListener('abort', onAbort, { once: true });
    this.running = runCommand({
      command: step.command ?? [],
      cwd: step.cwd,
      env: this.o.env,
      timeoutMs: step.timeoutMs,
      signal: this.controller.signal,
      onOutput: (lines) => hooks.onOutput(lines.map((l) => `[${step.name}] ${l}`)),
      onProcessGroup: (pgid) => hooks.onProcessGroup(pgid),
      onProcessGroupEnded: (pgid) => hooks.onProcessGroupEnded?.(pgid),
    }).then((r) => {
      hooks.signal.removeEventListener('abort', onAbort);
      const report = this.o.describe(r);
      if (report.outcome !== 'SUCCEEDED') this.failureListener();
      return report;
    });
  }

  /**
   * After the main command ended: waits for this one (stopping it first when the main
   * command did not succeed). Returns the failure to report, or undefined when it succeeded
   * or never started.
   */
  async finish(mainSucceeded: boolean): Promise<StepReport | undefined> {
    if (!this.running) return undefined;
    if (!mainSucceeded) {
      this.stoppedByUs = true;
      this.controller.abort();
    }
    const report = await this.running;
    if (report.outcome === 'SUCCEEDED' || this.o.hooks.signal.aborted) return undefined;
    if (this.stoppedByUs && report.outcome === 'CANCELLED') return undefined;
    return { ...report, outcome: 'FAILED', reason: `${this.o.step.name}, started alongside, failed: ${report.reason}` };
  }
}
