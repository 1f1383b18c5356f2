/**
 * The commands an update and a rollback run: the program of each (the first word of each
 * part of a shell command, or argv[0]) must be found, and the make targets must exist
 * (`make -n <target>`: make prints what it would run without running it, except recipe lines
 * that call $(MAKE) and $(shell …) in the Makefile itself).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCommand } from '../exec/command.js';
import { isBuiltin, runnableSteps } from '../plan/steps.js';
import type { AgentConfig, StepConfig } from '../types.js';
import { fail, ok, warn, type Finding } from './verdict.js';

const MAKE_DRY_RUN_MS = 15_000;
/** Words a POSIX shell runs itself: nothing to find on the PATH. */
const SHELL_WORDS = new Set([
  '.',
  ':',
  'cd',
  'command',
  'echo',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'printf',
  'read',
  'set',
  'shift',
  'source',
  'test',
  '[',
  'trap',
  'true',
  'ulimit',
  'umask',
  'unset',
  'wait',
  'if',
  'then',
  'else',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  '!',
  '{',
  '}',
  '(',
]);

/** The words of a shell command, split at ; & | && || and newlines, quotes kept together (enough to find programs). */
export function shellSegments(command: string): string[][] {
  const segments: string[][] = [[]];
  let word = '';
  let quote = '';
  const endWord = (): void => {
    if (word) segments.at(-1)!.push(word);
    word = '';
  };
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      else word += ch;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\' && i + 1 < command.length) word += command[++i];
    else if (/\s/.test(ch) && ch !== '\n') endWord();
    else if (ch === ';' || ch === '&' || ch === '|' || ch === '\n') {
      endWord();
      if (segments.at(-1)!.length) segments.push([]);
    } else word += ch;
  }
  endWord();
  return segments.filter((s) => s.length > 0);
}

/** The program a segment runs: its first word after VAR=value assignments ('' when there is none). */
export function programOf(words: readonly string[]): string {
  return words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
}

/** The programs a step's command runs (argv[0] of a list). */
function programsOf(command: string | string[]): string[] {
  if (Array.isArray(command)) return command[0] ? [command[0]] : [];
  return shellSegments(command).map(programOf).filter(Boolean);
}

/** Where `program` is found from `cwd` with `pathVar`, or undefined. */
export function findProgram(program: string, cwd: string, pathVar: string): string | undefined {
  const candidates = program.includes('/')
    ? [path.resolve(cwd, program)]
    : pathVar
        .split(':')
        .filter(Boolean)
        .map((dir) => path.join(dir, program));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

interface Commanded {
  name: string;
  /** The agent.yaml key that sets the command. */
  key: string;
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
}

/** Every command the agent may run: the steps (update, rollback, restore, maintenance) and a health command. */
function commandsOf(config: AgentConfig): Commanded[] {
  const steps: StepConfig[] = [...runnableSteps(config), ...config.extraSteps.filter((s) => s.enabled)];
  const out: Commanded[] = [];
  for (const s of steps) {
    if (isBuiltin(s) || !s.command) continue;
    out.push({ name: s.name, key: `steps.${s.name}.command`, command: s.command, cwd: s.cwd, env: s.env });
    for (const [what, extra] of [
      ['verify', s.verify],
      ['cleanup', s.cleanup],
    ] as const)
      if (extra) out.push({ name: `${s.name} ${what}`, key: `steps.${s.name}.${what}`, command: extra, cwd: s.cwd, env: s.env });
  }
  const health = config.health;
  if (health?.command !== undefined) out.push({ name: 'health', key: 'health.command', command: health.command, cwd: health.cwd, env: {} });
  return out;
}

/** One finding per command: every program it names is found. */
export function checkPrograms(config: AgentConfig, pathVar = process.env.PATH ?? ''): Finding[] {
  return commandsOf(config).map((c) => {
    const item = `command: ${c.name}`;
    const programs = programsOf(c.command).filter((p) => !SHELL_WORDS.has(p));
    const searched = c.env.PATH ?? pathVar;
    const missing = programs.filter((p) => !findProgram(p, c.cwd, searched));
    if (missing.length === 0) return ok(item, programs.length ? `${programs.join(', ')} found` : 'runs shell built-ins only');
    const where = missing.some((p) => p.includes('/')) ? `in ${c.cwd}` : 'on the PATH of this user';
    return fail(
      item,
      `${missing.join(', ')} not found ${where}`,
      `install ${missing.join(', ')} (on the PATH of the user running convoy-agent${c.env.PATH ? ", here the step's env.PATH" : ''}), or set ${c.key} in ${config.file} to a program that exists`,
    );
  });
}

/** The make invocation of a command: its options, variables and targets, or undefined when it does not run make first. */
export function makeInvocation(command: string | string[]): { args: string[]; targets: string[]; words: string[] } | undefined {
  const words = Array.isArray(command) ? command : (shellSegments(command)[0] ?? []);
  const i = words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  if (i < 0 || path.basename(words[i]!) !== 'make') return undefined;
  const rest = words.slice(i + 1);
  const args: string[] = [];
  const targets: string[] = [];
  for (let j = 0; j < rest.length; j++) {
    const w = rest[j]!;
    if (/^-[CfI]$/.test(w)) args.push(w, rest[++j] ?? '');
    else if (w.startsWith('-') || w.includes('=')) args.push(w);
    else targets.push(w);
  }
  return { args, targets, words: rest };
}

/** `make -n` for each step that runs make: its targets exist in the Makefile it uses. */
export async function checkMakeTargets(config: AgentConfig): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const c of commandsOf(config)) {
    const make = makeInvocation(c.command);
    if (!make) continue;
    const shown = `make -n ${make.words.join(' ')}`.trim();
    const item = `make target: ${c.name}`;
    const run = await runCommand({
      command: ['make', '-n', ...make.words],
      cwd: c.cwd,
      env: c.env,
      timeoutMs: MAKE_DRY_RUN_MS,
    });
    if (run.exitCode === 0) {
      findings.push(ok(item, `${shown} in ${c.cwd}: ${make.targets.length ? make.targets.join(', ') : 'the default goal'} exists`));
      continue;
    }
    const said =
      run.tail.find((l) => /No rule to make target|No targets|No such file/.test(l)) ??
      run.tail.at(-1) ??
      run.error ??
      `exit ${run.exitCode}`;
    const missingTarget = /No rule to make target/.test(said);
    findings.push(
      missingTarget || run.exitCode === 2
        ? fail(
            item,
            `${shown} in ${c.cwd}: ${said.trim()}`,
            `add the target to the Makefile in ${c.cwd}, or change ${c.key} in ${config.file}`,
          )
        : warn(item, `${shown} in ${c.cwd} exited ${run.exitCode}: ${said.trim()}`, 'run it by hand to see why the dry run fails'),
    );
  }
  return findings;
}
