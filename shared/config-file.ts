import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseDuration } from './durations.js';
import { formatSize, parseSize } from './sizes.js';
import { redactConfigValue } from './redact.js';
import { printable } from './versions.js';

const DURATION_EXAMPLES = 'expected e.g. "500ms", "30s", "5m", "2h", "1h30m"';

/** A duration as operators write it ("30s"), resolved to milliseconds. A bare number has no unit and is refused. */
export const durationSchema = z
  .union([z.string(), z.number()], { error: `is not a duration (${DURATION_EXAMPLES})` })
  .transform((value, ctx) => {
    if (typeof value === 'number') {
      ctx.addIssue({ code: 'custom', message: `has no unit; write it with one, e.g. "${value}s" or "${value}ms"` });
      return z.NEVER;
    }
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `is not a duration (${DURATION_EXAMPLES})` });
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

/** Unknown keys named in one message; the rest are counted (20,000 of them made one 189 KB line). */
const MAX_KEYS_LISTED = 5;
/** Problems printed for one file; the rest are counted, since the first ones are the ones to fix. */
export const MAX_PROBLEMS = 20;

function unknownKeys(keys: string[]): string {
  const listed = keys.slice(0, MAX_KEYS_LISTED).map((k) => `"${printable(k, 40)}"`);
  const more = keys.length - listed.length;
  return `unknown key${keys.length > 1 ? 's' : ''} ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** At most MAX_PROBLEMS problems, and a last line counting the others. */
export function limitProblems(problems: string[]): string[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const more = problems.length - (MAX_PROBLEMS - 1);
  return [...problems.slice(0, MAX_PROBLEMS - 1), `… and ${more} more problems (fix the ones above first)`];
}

/** Turns zod issues into operator sentences: "<file>: <key> <value> <problem>". */
export function describeIssues(file: string, doc: unknown, issues: z.core.$ZodIssue[]): string[] {
  const name = path.basename(file);
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? ` in ${keyName(issue.path)}` : '';
      return `${name}: ${unknownKeys(issue.keys)}${where} (check the spelling; see docs/configuration.md for the keys)`;
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

/** Config files are hand-written and small; anything bigger is the wrong file (or a hostile one). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads a config file; a missing, unreadable or oversized one is a ConfigError saying how to pass the right path. */
export function readConfigText(file: string, program: string): string {
  const hint = `Pass the path of your config with --config, e.g. ${program} --config /etc/convoy/${program === 'convoyd' ? 'coordinator' : 'agent'}.yaml`;
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new ConfigError([`${file} is a directory, not a config file`], hint);
    if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError([tooBig(file, stat.size)], hint);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? 'error'})`;
    throw new ConfigError([`${file} ${why}`], hint);
  }
  // a file that grew between stat and read (a device, a pipe) is judged by what was read
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) throw new ConfigError([tooBig(file, bytes)], hint);
  return text;
}

function tooBig(file: string, bytes: number): string {
  return `${file} is ${bytes} bytes, more than a config file may be (${formatSize(MAX_CONFIG_BYTES)}); is it the right file?`;
}

/** Validates YAML text already read (exported for unit tests of the messages). */
export function parseYamlConfig<S extends z.ZodType>(file: string, text: string, schema: S, hint: string): z.output<S> {
  return validateConfigDocument(file, parseYamlDocument(file, text, hint), schema, hint);
}

/**
 * Aliases resolved while a document is read. A "billion laughs" document (aliases of aliases)
 * would otherwise expand to millions of nodes; the YAML library stops past this count.
 */
export const MAX_YAML_ALIASES = 100;

/** Parses YAML text into a plain mapping; errors name the file, the line and the column. */
export function parseYamlDocument(file: string, text: string, hint: string): Record<string, unknown> {
  const name = path.basename(file);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) throw new ConfigError([tooBig(name, bytes)], hint);
  let doc: unknown;
  try {
    // Keys are checked for uniqueness below: the library's own check compares every pair of
    // keys, and 20,000 keys took seconds.
    const lines = new YAML.LineCounter();
    const docs = YAML.parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines });
    if (docs.length > 1) throw new ConfigError([`${name}: holds ${docs.length} YAML documents; expected one`], hint);
    const yamlDoc = docs[0];
    if (yamlDoc && yamlDoc.errors.length > 0) {
      const e = yamlDoc.errors[0];
      const where = e?.linePos?.[0] ? ` line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
      throw new ConfigError([`${name}:${where} is not valid YAML: ${e?.message.split('\n')[0] ?? 'parse error'}`], hint);
    }
    const duplicate = yamlDoc && duplicateKey(yamlDoc, lines);
    if (duplicate) throw new ConfigError([`${name}:${duplicate}`], hint);
    doc = yamlDoc ? yamlDoc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) : null;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([unreadableYaml(name, err)], hint);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError([`${name}: expected a mapping of keys at the top level`], hint);
  }
  return doc as Record<string, unknown>;
}

/** " line L, column C is not valid YAML: key "k" appears twice in one mapping" for the first repeated key, or undefined. */
function duplicateKey(doc: YAML.Document, lines: YAML.LineCounter): string | undefined {
  let found: string | undefined;
  YAML.visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const offset = YAML.isNode(pair.key) ? pair.key.range?.[0] : undefined;
        const pos = offset === undefined ? undefined : lines.linePos(offset);
        found = `${pos ? ` line ${pos.line}, column ${pos.col}` : ''} is not valid YAML: key "${printable(key, 40)}" appears twice in one mapping`;
        return YAML.visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** What the YAML library threw (beyond syntax errors), as a sentence with the fix. */
function unreadableYaml(name: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias/i.test(message))
    return `${name}: its YAML aliases (*name) expand too far (more than ${MAX_YAML_ALIASES} resolved, as in a "billion laughs" document); write the values out instead of aliasing aliases`;
  if (err instanceof RangeError) return `${name}: is nested too deeply to read (${printable(message)}); flatten it`;
  return `${name}: cannot be read as YAML (${printable(message)})`;
}

/** Validates a parsed document against the schema; errors name the file, key, value and rule. */
export function validateConfigDocument<S extends z.ZodType>(file: string, doc: unknown, schema: S, hint: string): z.output<S> {
  const result = schema.safeParse(doc);
  if (!result.success) throw new ConfigError(limitProblems(describeIssues(file, doc, result.error.issues)), hint);
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
