import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseDuration } from './durations.js';
import { parseSize } from './sizes.js';
import { redactConfigValue } from './redact.js';
import { printable } from './versions.js';

/** A duration as operators write it ("30s"), resolved to milliseconds. */
export const durationSchema = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is not a duration (expected e.g. "500ms", "30s", "5m", "2h", "1h30m")' });
    return z.NEVER;
  }
  return ms;
});

/** A size as operators write it ("512MiB"), resolved to bytes. */
export const sizeSchema = z.string().transform((text, ctx) => {
  const bytes = parseSize(text);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is not a size (expected e.g. "512MiB", "1GiB", "64KiB")' });
    return z.NEVER;
  }
  return bytes;
});

/** Formats the value found at `keyPath` of `doc` for an error message; secrets redacted (shared/redact.ts). */
function valueAt(doc: unknown, keyPath: PropertyKey[]): string {
  let found: unknown = doc;
  for (const k of keyPath) {
    if (found === null || typeof found !== 'object') return '';
    found = (found as Record<PropertyKey, unknown>)[k];
  }
  if (found === undefined) return '';
  const last = [...keyPath].reverse().find((k): k is string => typeof k === 'string');
  const cur = redactConfigValue(last, found);
  if (typeof cur === 'string') return ` "${printable(cur)}"`;
  if (typeof cur === 'object') return ` ${printable(JSON.stringify(cur), 60)}`;
  return ` ${JSON.stringify(cur)}`;
}

function keyName(keyPath: PropertyKey[]): string {
  return keyPath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(top level)';
}

/** Turns zod issues into operator sentences: "<file>: <key> <value> <problem>". */
export function describeIssues(file: string, doc: unknown, issues: z.core.$ZodIssue[]): string[] {
  const name = path.basename(file);
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? ` in ${keyName(issue.path)}` : '';
      return `${name}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where} (check the spelling; see docs/configuration.md for the keys)`;
    }
    const value = valueAt(doc, issue.path);
    if (issue.code === 'invalid_type' && value === '') {
      return `${name}: ${keyName(issue.path)} is missing (${issue.message.replace(/^Invalid input: /, '')})`;
    }
    return `${name}: ${keyName(issue.path)}${value} ${issue.message.replace(/^Invalid input: /, '')}`;
  });
}

/**
 * Reads and validates a YAML config file. Errors name the file, key, value and the fix;
 * `program` is named in the hint ("Edit the file and restart convoyd").
 */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S, program: string): z.output<S> {
  return parseYamlConfig(file, readConfigText(file, program), schema, configHint(file, program));
}

/** The hint every config error ends with. */
export function configHint(file: string, program: string): string {
  return `Edit ${file} and restart ${program}.`;
}

/** Reads a config file; a missing or unreadable one is a ConfigError saying how to pass the right path. */
export function readConfigText(file: string, program: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? 'error'})`;
    throw new ConfigError(
      [`${file} ${why}`],
      `Pass the path of your config with --config, e.g. ${program} --config /etc/convoy/${program === 'convoyd' ? 'coordinator' : 'agent'}.yaml`,
    );
  }
}

/** Validates YAML text already read (exported for unit tests of the messages). */
export function parseYamlConfig<S extends z.ZodType>(file: string, text: string, schema: S, hint: string): z.output<S> {
  return validateConfigDocument(file, parseYamlDocument(file, text, hint), schema, hint);
}

/** Parses YAML text into a plain mapping; errors name the file, the line and the column. */
export function parseYamlDocument(file: string, text: string, hint: string): Record<string, unknown> {
  const docs = YAML.parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (docs.length > 1) throw new ConfigError([`${path.basename(file)}: holds ${docs.length} YAML documents; expected one`], hint);
  const yamlDoc = docs[0];
  if (yamlDoc && yamlDoc.errors.length > 0) {
    const e = yamlDoc.errors[0];
    const where = e?.linePos?.[0] ? ` line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new ConfigError([`${path.basename(file)}:${where} is not valid YAML: ${e?.message.split('\n')[0] ?? 'parse error'}`], hint);
  }
  const doc: unknown = yamlDoc ? yamlDoc.toJS({ maxAliasCount: 100 }) : null;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError([`${path.basename(file)}: expected a mapping of keys at the top level`], hint);
  }
  return doc as Record<string, unknown>;
}

/** Validates a parsed document against the schema; errors name the file, key, value and rule. */
export function validateConfigDocument<S extends z.ZodType>(file: string, doc: unknown, schema: S, hint: string): z.output<S> {
  const result = schema.safeParse(doc);
  if (!result.success) throw new ConfigError(describeIssues(file, doc, result.error.issues), hint);
  return result.data;
}

/**
 * An absolute path. `~` and `~/…` are the home directory of the user running the program
 * (the one whose `~/.hoss` a Hoss server uses); relative paths are resolved against the
 * config file's directory. `~user/…` is refused by expandHome's callers with the fix.
 */
export function resolvePath(configFile: string, p: string): string {
  const expanded = expandHome(p);
  return path.isAbsolute(expanded) ? path.normalize(expanded) : path.resolve(path.dirname(path.resolve(configFile)), expanded);
}

/** `~` and `~/x` -> the home directory; anything else unchanged (including `~user/x`, see homeProblem). */
export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/** Why a path written in a config cannot be resolved (`~user/…`), or undefined. */
export function homeProblem(p: string): string | undefined {
  if (/^~[^/]/.test(p))
    return `uses ~user, which Convoy does not expand: write the absolute path (e.g. /home/${p.slice(1).split('/')[0]}/…) or ~/… for the home directory of the user running Convoy`;
  return undefined;
}
