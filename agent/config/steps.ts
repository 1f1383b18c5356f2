/**
 * Steps and procedures: every step a procedure names is resolved once (defaults, inherited
 * keys, output checks), and the procedures are checked as a whole (each step defined, the
 * rollback moves the work tree back, nothing runs twice, a step that needs the backup only
 * where there is one).
 */
import { resolvePath } from '../../shared/config-file.js';
import { compilePattern } from '../../shared/output-pattern.js';
import { DEFAULT_PLAN } from '../../shared/wire.js';
import type { StepConfig } from '../types.js';
import type { RawAgentFile, RawStep } from './schema.js';

/** Collects operator sentences while resolving; paths are shown as written plus where they point. */
export interface ProblemSink {
  readonly file: string;
  add(sentence: string): void;
  shown(written: string, resolved: string): string;
  isDirectory(p: string): boolean;
}

interface StepDefault {
  command?: string;
  timeoutMs: number;
  builtin: boolean;
  /** Default of `rerunnable`. */
  rerunnable: boolean;
}

const MINUTE = 60_000;
export const ROLLBACK_CHECKOUT = 'rollback-checkout';
const BUILTIN_DEFAULTS: Record<string, StepDefault> = {
  backup: { command: 'hossadm backup', timeoutMs: 30 * MINUTE, builtin: false, rerunnable: true },
  'release-notes': { timeoutMs: 5 * MINUTE, builtin: true, rerunnable: true },
  checkout: { timeoutMs: 5 * MINUTE, builtin: true, rerunnable: true },
  config: { command: 'make config', timeoutMs: 10 * MINUTE, builtin: false, rerunnable: true },
  build: { command: 'make build', timeoutMs: 120 * MINUTE, builtin: false, rerunnable: true },
  up: { command: 'make up DETACH=true', timeoutMs: 30 * MINUTE, builtin: false, rerunnable: true },
  [ROLLBACK_CHECKOUT]: { timeoutMs: 5 * MINUTE, builtin: true, rerunnable: true },
};
/** Steps with no default command: they exist only when a command is set. */
const NO_DEFAULT_COMMAND: Record<string, { timeoutMs: number; example: string }> = {
  restore: { timeoutMs: 30 * MINUTE, example: '\'hossadm restore "$CONVOY_BACKUP_ARCHIVE"\'' },
  'maintenance-on': { timeoutMs: 5 * MINUTE, example: '"make maintenance-on"' },
  'maintenance-off': { timeoutMs: 5 * MINUTE, example: '"make maintenance-off"' },
};
const CUSTOM_TIMEOUT_MS = 30 * MINUTE;
const BUILTIN_ONLY = new Set(['checkout', 'release-notes', 'health', ROLLBACK_CHECKOUT]);
/** Steps that move the work tree forward or back up: never part of a rollback. */
const NOT_IN_ROLLBACK = new Set(['checkout', 'release-notes', 'backup', 'backup-after']);

/** The resolved steps of an agent. */
export interface ResolvedSteps {
  update: StepConfig[];
  rollback: StepConfig[];
  extra: StepConfig[];
  restore?: StepConfig;
  maintenanceOn?: StepConfig;
  maintenanceOff?: StepConfig;
}

/** Resolves every step and both procedures; problems go to `problems`. */
export function resolveSteps(
  raw: RawAgentFile,
  serverDir: string,
  healthTimeoutMs: number,
  problems: ProblemSink,
  /** Steps a profile defined: unused ones are fine (the operator chose a procedure without them). */
  profileSteps: ReadonlySet<string> = new Set(),
): ResolvedSteps {
  const r = new StepResolver(raw, serverDir, healthTimeoutMs, problems);
  checkStepNames(raw, problems);
  const updateNames = raw.procedures.update ?? defaultUpdate(raw);
  const update = updateNames.map((n) => r.step(n, 'procedures.update')).filter((s): s is StepConfig => s !== undefined);
  const rollbackNames = raw.procedures.rollback ?? defaultRollback(raw, update);
  const rollback = rollbackNames.map((n) => r.step(n, 'procedures.rollback')).filter((s): s is StepConfig => s !== undefined && s.enabled);
  checkProcedures(raw, { update, rollback }, problems);
  const used = new Set([...update, ...rollback].map((s) => s.name));
  const extra = alongsideSteps([...update, ...rollback], r).filter((s) => !used.has(s.name));
  for (const s of extra) used.add(s.name);
  checkUnused(raw, new Set([...used, ...profileSteps]), problems);
  const opt = (name: string): StepConfig | undefined =>
    raw.steps[name]?.command !== undefined ? r.step(name, `steps.${name}`) : undefined;
  return { update, rollback, extra, restore: opt('restore'), maintenanceOn: opt('maintenance-on'), maintenanceOff: opt('maintenance-off') };
}

/** The seed's procedure, with maintenance-on/off around it when they have a command. */
function defaultUpdate(raw: RawAgentFile): string[] {
  const has = (n: string): boolean => raw.steps[n]?.command !== undefined;
  return [...(has('maintenance-on') ? ['maintenance-on'] : []), ...DEFAULT_PLAN, ...(has('maintenance-off') ? ['maintenance-off'] : [])];
}

/**
 * The previous commit, rebuilt and started, then the pre-update backup restored (after `up`,
 * so a restore that waits for the service finds it starting), then health at the old version.
 */
function defaultRollback(raw: RawAgentFile, update: StepConfig[]): string[] {
  const enabled = new Set(update.filter((s) => s.enabled).map((s) => s.name));
  const rebuild = ['config', 'build', 'up'].filter((n) => enabled.has(n));
  const restore = raw.steps.restore?.command !== undefined && raw.steps.restore.enabled !== false ? ['restore'] : [];
  return [ROLLBACK_CHECKOUT, ...rebuild, ...restore, 'health'];
}

class StepResolver {
  private readonly cache = new Map<string, StepConfig | undefined>();
  constructor(
    private readonly raw: RawAgentFile,
    private readonly serverDir: string,
    private readonly healthTimeoutMs: number,
    readonly problems: ProblemSink,
  ) {}

  /** The step called `name`, resolved once; undefined (with a problem) when it is not defined. */
  step(name: string, where: string): StepConfig | undefined {
    if (!this.cache.has(name)) this.cache.set(name, this.resolve(name, where));
    return this.cache.get(name);
  }

  private resolve(name: string, where: string): StepConfig | undefined {
    const own = this.raw.steps[name];
    if (name === 'health') return this.make(name, own, { timeoutMs: this.healthTimeoutMs, builtin: true, rerunnable: true });
    // backup-after is "the same as backup" unless it says otherwise, key by key
    if (name === 'backup-after') return this.make(name, inherit(this.raw.steps.backup, own), defaultOf('backup'));
    const builtin = BUILTIN_DEFAULTS[name];
    if (builtin) return this.make(name, own, builtin);
    const optional = NO_DEFAULT_COMMAND[name];
    if (own?.command !== undefined) {
      return this.make(name, own, { timeoutMs: optional?.timeoutMs ?? CUSTOM_TIMEOUT_MS, builtin: false, rerunnable: false });
    }
    if (optional) {
      this.problems.add(
        `${where} lists ${name}, but steps.${name}.command is missing: ${name} has no default command (e.g. command: ${optional.example})`,
      );
    } else if (own) {
      this.problems.add(
        `steps.${name}.command is missing: a step of your own needs a command (built-in steps: ${Object.keys(BUILTIN_DEFAULTS).join(', ')}, health, backup-after)`,
      );
    } else {
      this.problems.add(
        `${where} lists "${name}", which is not a built-in step and is not defined under steps: (define steps.${name}.command, or check the spelling)`,
      );
    }
    return undefined;
  }

  private make(name: string, raw: RawStep | undefined, def: StepDefault): StepConfig {
    const cwd = raw?.cwd !== undefined ? resolvePath(this.problems.file, raw.cwd) : this.serverDir;
    if (raw?.cwd !== undefined && !this.problems.isDirectory(cwd)) {
      this.problems.add(
        `steps.${name}.cwd ${this.problems.shown(raw.cwd, cwd)} is not an existing directory (default: serverDir; relative paths start at the config file's directory)`,
      );
    }
    return {
      name,
      command: def.builtin ? undefined : (raw?.command ?? def.command),
      timeoutMs: raw?.timeout ?? def.timeoutMs,
      env: raw?.env ?? {},
      cwd,
      enabled: raw?.enabled ?? true,
      rerunnable: raw?.rerunnable ?? def.rerunnable,
      builtin: def.builtin,
      expectOutput: (raw?.expectOutput ?? []).map(compilePattern),
      rejectOutput: (raw?.rejectOutput ?? []).map(compilePattern),
      verify: raw?.verify,
      cleanup: raw?.cleanup,
      alongside: raw?.alongside
        ? { step: raw.alongside, after: raw.alongsideAfter !== undefined ? compilePattern(raw.alongsideAfter) : undefined }
        : undefined,
      requiresBackup: raw?.requiresBackup ?? name === 'restore',
    };
  }
}

function defaultOf(name: string): StepDefault {
  const d = BUILTIN_DEFAULTS[name];
  if (!d) throw new Error(`no default for step ${name}`);
  return d;
}

/** `own` keys win; keys it leaves unset come from `base`. */
function inherit(base: RawStep | undefined, own: RawStep | undefined): RawStep {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(own ?? {})) if (v !== undefined) merged[k] = v;
  return merged;
}

/** Names that cannot be steps of one's own, and keys that make no sense on built-in steps. */
function checkStepNames(raw: RawAgentFile, problems: ProblemSink): void {
  for (const [name, s] of Object.entries(raw.steps)) {
    if (name.startsWith('rollback-') && name !== ROLLBACK_CHECKOUT) {
      problems.add(`steps.${name}: names starting with "rollback-" are reserved for Convoy (choose another name)`);
    }
    if (BUILTIN_ONLY.has(name)) {
      const fix = name === 'health' ? 'to check health with a command, move it to health.command' : 'remove the key';
      for (const key of ['command', 'verify', 'cleanup', 'alongside', 'expectOutput', 'rejectOutput'] as const) {
        const value = s[key];
        if (value !== undefined) {
          const shown = typeof value === 'string' ? ` "${value}"` : ` ${JSON.stringify(value)}`;
          problems.add(
            `steps.${name}.${key}${shown} is not accepted: ${name} is a built-in step and runs no command (${fix}; use enabled: false to switch the step off)`,
          );
        }
      }
    }
    if (s.alongsideAfter !== undefined && s.alongside === undefined) {
      problems.add(`steps.${name}.alongsideAfter is set but steps.${name}.alongside is not (name the step to start alongside)`);
    }
  }
}

function checkProcedures(raw: RawAgentFile, p: { update: StepConfig[]; rollback: StepConfig[] }, problems: ProblemSink): void {
  for (const [key, steps] of [
    ['procedures.update', p.update],
    ['procedures.rollback', p.rollback],
  ] as const) {
    const seen = new Set<string>();
    for (const s of steps) {
      if (seen.has(s.name)) problems.add(`${key} lists ${s.name} twice (a procedure runs each step once)`);
      seen.add(s.name);
      const along = s.alongside?.step;
      if (along && steps.some((o) => o.name === along)) {
        problems.add(`${key} lists ${along}, which steps.${s.name} already starts alongside; remove one of the two`);
      }
    }
  }
  for (const s of p.update) {
    if (s.name === ROLLBACK_CHECKOUT) problems.add(`procedures.update lists ${ROLLBACK_CHECKOUT}, which only a rollback runs`);
    else if (s.requiresBackup)
      problems.add(
        `procedures.update lists ${s.name}, which needs the pre-update backup (requiresBackup); only procedures.rollback may run it`,
      );
  }
  for (const s of p.rollback) {
    if (NOT_IN_ROLLBACK.has(s.name))
      problems.add(
        `procedures.rollback lists ${s.name}, which a rollback must not run (it moves the server forward or takes a new backup)`,
      );
  }
  if (raw.procedures.rollback && !p.rollback.some((s) => s.name === ROLLBACK_CHECKOUT)) {
    problems.add(`procedures.rollback must include ${ROLLBACK_CHECKOUT} (a rollback moves the work tree back to where the update started)`);
  }
}

/** The steps started alongside others, resolved (each must be a command step other than itself). */
function alongsideSteps(steps: StepConfig[], r: StepResolver): StepConfig[] {
  const out: StepConfig[] = [];
  for (const s of steps) {
    if (!s.alongside) continue;
    const where = `steps.${s.name}.alongside`;
    if (s.alongside.step === s.name) {
      r.problems.add(`${where} names the step itself; name another step (e.g. up)`);
      continue;
    }
    const other = r.step(s.alongside.step, where);
    if (other?.builtin) r.problems.add(`${where} names ${other.name}, a built-in step; only a step with a command can run alongside`);
    else if (other) out.push(other);
  }
  return out;
}

function checkUnused(raw: RawAgentFile, used: Set<string>, problems: ProblemSink): void {
  for (const [name, step] of Object.entries(raw.steps)) {
    if (used.has(name) || name in BUILTIN_DEFAULTS || name === 'health' || name === 'backup-after') continue;
    const optional = NO_DEFAULT_COMMAND[name];
    if (optional && step.command === undefined && step.enabled !== false) {
      problems.add(
        `steps.${name}.command is missing: ${name} has no default command (e.g. command: ${optional.example}), or remove steps.${name}`,
      );
    } else if (step.command === undefined && !optional) {
      problems.add(
        `steps.${name} is not a built-in step (${[...Object.keys(BUILTIN_DEFAULTS), 'health', 'backup-after'].join(', ')}) and has no command: check the spelling, or give it a command and add it to procedures.update or procedures.rollback`,
      );
    } else if (step.enabled !== false && !optional) {
      problems.add(
        `steps.${name} is defined but no procedure runs it (add it to procedures.update or procedures.rollback, or name it in another step's alongside)`,
      );
    } else if (step.enabled !== false && optional && name === 'restore') {
      problems.add(
        `steps.restore is defined but procedures.rollback does not run it (add restore to procedures.rollback, or remove steps.restore)`,
      );
    }
  }
}
