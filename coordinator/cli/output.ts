import { inertJson, inertText } from '../../shared/terminal-text.js';

/** Where command output goes: stdout for results, colors and redraws only on a terminal. */
export interface Output {
  readonly isTTY: boolean;
  readonly color: boolean;
  /** Terminal width (80 when unknown). */
  readonly columns: number;
  /** Terminal height (24 when unknown). */
  readonly rows: number;
  /** Writes text as is. */
  write(text: string): void;
  /** Writes one line. */
  line(text?: string): void;
}

/** Output on a Node stream (process.stdout). */
export function streamOutput(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Output {
  const isTTY = Boolean(stream.isTTY);
  return {
    isTTY,
    color: colorEnabled(isTTY, env),
    get columns() {
      return stream.columns || 80;
    },
    get rows() {
      return stream.rows || 24;
    },
    write: (text) => void stream.write(text),
    line: (text = '') => void stream.write(`${text}\n`),
  };
}

/**
 * stderr as one-line notices and errors. They are our own words around values the coordinator
 * sent (an error's details, a rollout's target), and carry no styling: every control character
 * but the line break is shown inert.
 */
export function streamErr(stream: NodeJS.WritableStream): (line: string) => void {
  return (line) => void stream.write(`${inertText(line, { keepNewlines: true })}\n`);
}

/** Colors on a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR forces them. */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined || env.TERM === 'dumb') return false;
  return isTTY;
}

/** Prints a value for --json: one pretty document, exact values with control characters escaped. */
export function printJson(out: Output, value: unknown): void {
  out.line(inertJson(value, 2));
}

/** Prints a value as one JSON line (streams: watch, logs). */
export function printJsonLine(out: Output, value: unknown): void {
  out.line(inertJson(value));
}

/** ANSI styles that collapse to plain text when colors are off. */
export interface Paint {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

const sgr =
  (on: boolean, open: number, close: number) =>
  (s: string): string =>
    on && s ? `\x1b[${open}m${s}\x1b[${close}m` : s;

export function paint(on: boolean): Paint {
  return {
    bold: sgr(on, 1, 22),
    dim: sgr(on, 2, 22),
    red: sgr(on, 31, 39),
    green: sgr(on, 32, 39),
    yellow: sgr(on, 33, 39),
    cyan: sgr(on, 36, 39),
  };
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Length as the terminal shows it (ANSI sequences take no room). */
export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/** Cuts a line to `width` visible characters, keeping ANSI sequences intact. */
export function truncate(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  const parts = s.split(/(\x1b\[[0-9;]*[A-Za-z])/);
  let out = '';
  let room = Math.max(0, width - 1);
  for (const part of parts) {
    if (part.startsWith('\x1b[')) out += part;
    else {
      out += part.slice(0, room);
      room -= Math.min(room, part.length);
    }
  }
  return `${out}…${s.includes('\x1b[') ? '\x1b[0m' : ''}`;
}

/** Formats rows under headers in aligned columns (two spaces apart, no trailing blanks). */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const render = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - visibleLength(c))))
      .join('  ')
      .trimEnd();
  return [render(headers), ...rows.map(render)];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time of day: 12:01:03. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Local date and time: 2025-01-31 12:01:03; "-" for an unset (zero) timestamp. */
export function formatTimestamp(ms: number): string {
  if (!ms) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(ms)}`;
}

/** How long ago, coarsely: "just now", "42s ago", "5m ago", "3h ago", "2d ago"; "never" for 0. */
export function formatAgo(ms: number, now: number): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** Sizes for people: 512 B, 1.5 KiB, 20.0 MiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A dash for empty cells. */
export function orDash(s: string | undefined | null): string {
  return s ? s : '-';
}
