/**
 * Parsers for the CLI's arguments, by the rules convoyd applies (shared/names.ts,
 * shared/versions.ts). A bad value is refused before any connection, with exit 2 and a message
 * that names the flag or argument the user typed (`--to`), never the wire field behind it
 * (`target_version`), and ends with the command that shows valid values.
 */
import { NAME_RE, NAME_RULE, ROLLOUT_ID_RE, STEP_RE } from '../../shared/names.js';
import { hasControlCharacters } from '../../shared/terminal-text.js';
import { printable, versionSyntaxProblem } from '../../shared/versions.js';
import { usageError } from './errors.js';

/** The longest --reason convoyd records (ActOnRollout's reason field). */
export const REASON_MAX = 1000;

/** A commander argument parser: returns the value or throws a usage error (exit 2). */
export type ArgParser = (value: string) => string;

/** How a refused value is introduced: `--host "X"` for a flag, `"X"` for a positional argument. */
function shown(flag: string | undefined, value: string): string {
  return `${flag ? `${flag} ` : ''}"${printable(value, 60)}"`;
}

const LIST: Record<'cluster' | 'agent' | 'schedule', string> = {
  cluster: 'convoy agents',
  agent: 'convoy agents',
  schedule: 'convoy schedules',
};

/** A cluster, agent or schedule name, given with `flag` (none for a positional argument). */
export function nameArg(kind: keyof typeof LIST, flag?: string): ArgParser {
  return (value) => {
    if (!NAME_RE.test(value))
      throw usageError(`${shown(flag, value)} is not a valid ${kind} name (${NAME_RULE}). Run \`${LIST[kind]}\` to list them.`);
    return value;
  };
}

/** A rollout id (r-12). */
export function rolloutIdArg(flag?: string): ArgParser {
  return (value) => {
    if (!ROLLOUT_ID_RE.test(value))
      throw usageError(`${shown(flag, value)} is not a rollout id (e.g. r-12). Run \`convoy rollout list\` to see them.`);
    return value;
  };
}

/** A step name (build, backup-after). */
export function stepArg(flag: string): ArgParser {
  return (value) => {
    if (!STEP_RE.test(value))
      throw usageError(
        `${shown(flag, value)} is not a step name (e.g. build, backup-after). Run \`convoy rollout status <id>\` to see the steps.`,
      );
    return value;
  };
}

/** A target version: a tag or the tracked branch (the rule agents check refs with). */
export function versionArg(flag: string): ArgParser {
  return (value) => {
    const problem = versionSyntaxProblem(value);
    if (problem) throw usageError(`${flag}: ${problem}. Give a tag or the tracked branch, e.g. ${flag} v0.3.0`);
    return value;
  };
}

/** Free text recorded by the coordinator (a reason): one line, at most `max` characters. */
export function textArg(flag: string, max: number): ArgParser {
  return (value) => {
    if (value.length > max) throw usageError(`${flag} is ${value.length} characters long (at most ${max}). Shorten it.`);
    if (hasControlCharacters(value)) throw usageError(`${shown(flag, value)} holds control characters (a newline?). Write it on one line.`);
    return value;
  };
}
