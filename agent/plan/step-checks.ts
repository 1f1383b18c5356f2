/**
 * What makes a step that exited 0 a success: output that must appear, output that must not,
 * and a verify command. Exit code 0 is not proof: `hossadm restore` exits 0 when it refuses.
 */
import type { StepConfig } from '../types.js';
import type { OutputPattern } from '../../shared/output-pattern.js';
import { printable } from '../../shared/versions.js';

/** Longest output line quoted in a reason. */
const QUOTE_CHARS = 200;

/** Watches a step's output lines for its patterns, as they arrive. */
export class OutputWatch {
  private readonly expected = new Set<OutputPattern>();
  /** The first line that matched a reject pattern, with the pattern. */
  rejected: { line: string; pattern: OutputPattern } | undefined;
  /** Lines that followed the rejected one (the tool's own explanation usually spans two). */
  private readonly afterRejected: string[] = [];

  constructor(
    private readonly step: Pick<StepConfig, 'expectOutput' | 'rejectOutput'>,
    private readonly trigger?: OutputPattern,
  ) {}

  /** Set once the trigger pattern (alongsideAfter) was seen. */
  triggered = false;

  see(lines: string[]): void {
    for (const raw of lines) {
      const line = raw.trim();
      if (this.rejected && this.afterRejected.length < 2 && line !== '') this.afterRejected.push(line);
      for (const p of this.step.expectOutput ?? []) if (p.test(line)) this.expected.add(p);
      const reject = this.rejected ? undefined : (this.step.rejectOutput ?? []).find((p) => p.test(line));
      if (reject) this.rejected = { line, pattern: reject };
      if (this.trigger?.test(line)) this.triggered = true;
    }
  }

  /** Why the output fails the step's checks, or undefined when it passes. */
  problem(label: string): string | undefined {
    if (this.rejected) {
      const said = [this.rejected.line, ...this.afterRejected].map(quote).join(' ');
      return `${label} exited 0 but its output matched rejectOutput "${this.rejected.pattern.written}": ${said}`;
    }
    const missing = (this.step.expectOutput ?? []).filter((p) => !this.expected.has(p));
    if (missing.length) return `${label} exited 0 but its output lacks ${missing.map((p) => `"${p.written}"`).join(', ')} (expectOutput)`;
    return undefined;
  }
}

function quote(line: string): string {
  const text = printable(line, QUOTE_CHARS);
  return `"${text}"`;
}

/** The last few non-empty lines of output, for a reason that needs the tool's own words. */
export function lastWords(tail: readonly string[], count = 2): string {
  const lines = tail.filter((l) => l.trim() !== '').slice(-count);
  return lines.map((l) => quote(l.trim())).join(' ');
}
