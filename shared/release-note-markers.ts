/**
 * The rule that decides whether a release note requires action, in one place for every
 * source of notes (the agent's tag messages and changelog, convoyd's GitHub releases): a
 * marker (e.g. "Required changes", "ACTION REQUIRED") is the title of a heading or starts a
 * line; the matched lines go to requiredLines. Pure functions over Markdown text.
 */
import type { ReleaseNote } from './wire.js';

/** Markers used when the operator configured none. */
export const DEFAULT_RELEASE_NOTE_MARKERS: readonly string[] = ['ACTION REQUIRED', 'Required changes'];

/** Longest note text passed on; a longer note is cut (its required lines are found in the whole text first). */
export const MAX_NOTE_CHARS = 16 * 1024;

/** A Markdown ATX heading: its line index, level (1 for #) and title. */
export interface Heading {
  line: number;
  level: number;
  title: string;
}

/** A note of `version` from `source`, with the required lines the markers find in it. */
export function makeReleaseNote(version: string, source: string, text: string, markers: readonly string[]): ReleaseNote {
  const requiredLines = findRequiredLines(text, markers);
  const cut = text.length > MAX_NOTE_CHARS ? `${text.slice(0, MAX_NOTE_CHARS)}\n… (truncated)` : text;
  return { version, source, text: cut, requiresAction: requiredLines.length > 0, requiredLines };
}

/** ATX headings outside fenced code blocks. */
export function findHeadings(lines: string[]): Heading[] {
  const headings: Heading[] = [];
  let fence: string | undefined;
  lines.forEach((text, line) => {
    const f = /^ {0,3}(```|~~~)/.exec(text);
    if (f) fence = fence === undefined ? f[1] : fence === f[1] ? undefined : fence;
    if (fence !== undefined || f) return;
    const m = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*$/.exec(text);
    if (m?.[1]) headings.push({ line, level: m[1].length, title: (m[2] ?? '').replace(/\s+#+$/, '') });
  });
  return headings;
}

/** Index of the line after the section that `heading` starts. */
export function sectionEnd(headings: Heading[], heading: Heading, lineCount: number): number {
  return headings.find((h) => h.line > heading.line && h.level <= heading.level)?.line ?? lineCount;
}

/**
 * Lines that declare required changes: a heading whose title contains a marker together
 * with its section, and any line that starts with a marker (after list or quote marks and
 * emphasis). Case-insensitive. Returns the lines trimmed, blank ones left out.
 */
export function findRequiredLines(text: string, markers: readonly string[]): string[] {
  const wanted = markers.map((m) => m.trim().toLowerCase()).filter((m) => m !== '');
  if (wanted.length === 0) return [];
  const lines = text.split(/\r?\n/);
  const headings = findHeadings(lines);
  const picked = new Set<number>();
  for (const h of headings) {
    const title = h.title.toLowerCase();
    if (!wanted.some((m) => title.includes(m))) continue;
    for (let i = h.line; i < sectionEnd(headings, h, lines.length); i++) picked.add(i);
  }
  lines.forEach((line, i) => {
    const start = line.replace(/^[\s>*_+-]*(?:\d+[.)]\s+)?[*_]*/, '').toLowerCase();
    if (wanted.some((m) => start.startsWith(m))) picked.add(i);
  });
  return [...picked]
    .sort((a, b) => a - b)
    .map((i) => (lines[i] ?? '').trim())
    .filter((l) => l !== '');
}
