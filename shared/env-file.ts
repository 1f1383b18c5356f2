/**
 * KEY=VALUE env files as Hoss's Makefile writes them (`~/.hoss/.env`), and the keys a
 * Makefile target writes into one: how Convoy finds "a new field was added to a config
 * file" before an update, since `make env` never adds a key to an existing file.
 */
import fs from 'node:fs';

/** The keys and values of an env file; undefined when it cannot be read. */
export function readEnvFile(file: string): Map<string, string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseEnvText(text);
}

export function parseEnvText(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) env.set(m[1], (m[2] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2'));
  }
  return env;
}

/**
 * The variables a Makefile target writes with `printf "KEY=…"` or `echo "KEY=…"` lines (the
 * way Hoss's `env` target fills `.env`), in order. Reads the recipe from the target's line to
 * the next rule; conditionals inside it are included (both branches may write keys).
 */
export function keysWrittenByTarget(makefile: string, target: string): string[] {
  const lines = makefile.split(/\r?\n/);
  const start = lines.findIndex((l) => new RegExp(`^${escapeRe(target)}\\s*:(?!=)`).test(l));
  if (start < 0) return [];
  const keys: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^[A-Za-z0-9_.-]+\s*:(?!=)/.test(line)) break;
    const m = /^\s*@?\s*(?:printf|echo(?:\s+-[a-z]+)?)\s+["']?([A-Z_][A-Z0-9_]*)=/.exec(line);
    if (m?.[1] && !keys.includes(m[1])) keys.push(m[1]);
  }
  return keys;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
