/** agent.yaml: what operators write (docs/configuration.md) -> the resolved AgentConfig code uses. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { durationSchema, loadYamlConfig, parseYamlConfig, resolvePath } from '../shared/config-file.js';
import { ConfigError } from '../shared/errors.js';
import { tlsFilesProblems } from '../shared/file-security.js';
import { isLoopbackHost } from '../shared/loopback.js';
import { DEFAULT_PLAN, type PlanStepName } from '../shared/wire.js';
import { versionSyntaxProblem } from '../shared/versions.js';
import type { AgentConfig, HealthCheckConfig, StepConfig } from './types.js';

const PROGRAM = 'convoy-agent';
const ID_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ADDRESS_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** setTimeout fires at once for anything longer than this, so longer durations are refused. */
const MAX_TIMER_MS = 2_147_483_647;

const positiveDuration = durationSchema.pipe(
  z.number().positive({ error: 'must be longer than 0' }).max(MAX_TIMER_MS, { error: 'must be at most 24d' }),
);

const scalarToString = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }).transform(String);

const envSchema = z.record(z.string(), scalarToString).superRefine((env, ctx) => {
  for (const key of Object.keys(env)) {
    if (!ENV_NAME_RE.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'is not an environment variable name (letters, digits and _, not starting with a digit)',
      });
    } else if (key.startsWith('CONVOY_')) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is reserved: Convoy sets the CONVOY_* variables itself (use another name)' });
    }
  }
});

const commandSchema = z.union(
  [z.string().min(1, 'must not be empty'), z.array(z.string().min(1)).min(1, 'must list at least one argv word')],
  {
    error: 'must be a command string (run by /bin/sh -c) or a list of argv words',
  },
);

const stepSchema = z.strictObject({
  command: commandSchema.optional(),
  timeout: positiveDuration.optional(),
  env: envSchema.optional(),
  cwd: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  rerunnable: z.boolean().optional(),
});
type RawStep = z.output<typeof stepSchema>;

/** Built-in steps run our own code, so a `command` there is a misunderstanding worth naming. */
function builtinStep(name: string, fix = 'remove the key') {
  return stepSchema.superRefine((s, ctx) => {
    if (s.command !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: `is not accepted: ${name} is a built-in step and runs no command (${fix}; use enabled: false to switch the step off)`,
      });
    }
  });
}

/** restore and maintenance-on/off have no default command: they exist only when one is set. */
function optionalStep(name: string, example: string) {
  return stepSchema.superRefine((s, ctx) => {
    if (s.command === undefined && s.enabled !== false) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: `is missing: ${name} has no default command (e.g. command: ${example}), or remove steps.${name}`,
      });
    }
  });
}

const stepsSchema = z.strictObject({
  backup: stepSchema.optional(),
  'release-notes': builtinStep('release-notes').optional(),
  checkout: builtinStep('checkout').optional(),
  config: stepSchema.optional(),
  build: stepSchema.optional(),
  up: stepSchema.optional(),
  health: builtinStep('health', 'to check health with a command, move it to health.command').optional(),
  'backup-after': stepSchema.optional(),
  restore: optionalStep('restore', '\'hossadm restore "$CONVOY_BACKUP_ARCHIVE"\'').optional(),
  'maintenance-on': optionalStep('maintenance-on', '"make maintenance-on"').optional(),
  'maintenance-off': optionalStep('maintenance-off', '"make maintenance-off"').optional(),
});

const urlSchema = z.string().refine((u) => {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}, 'is not a URL (expected http:// or https://)');

const addressSchema = z.string().refine((a) => {
  const m = ADDRESS_RE.exec(a);
  const port = Number(m?.[2]);
  return m !== null && port >= 1 && port <= 65535;
}, 'is not host:port (expected e.g. 127.0.0.1:7400 or convoy.example.com:7400)');

const tlsSchema = z.strictObject({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) });

/** The shape of agent.yaml as operators write it. */
export const agentFileSchema = z.strictObject({
  id: z
    .string()
    .regex(
      ID_RE,
      'is not a valid agent id (expected [a-z0-9][a-z0-9._-]{0,62}: lower-case letters, digits, . _ -, starting with a letter or digit)',
    ),
  coordinator: z.strictObject({
    address: addressSchema,
    insecure: z.boolean().default(false),
    tls: tlsSchema.optional(),
    heartbeatInterval: positiveDuration.prefault('5s'),
    backoff: z.strictObject({ initial: positiveDuration.prefault('500ms'), max: positiveDuration.prefault('30s') }).prefault({}),
  }),
  labels: z.record(z.string(), scalarToString).default({}),
  repo: z.string().min(1),
  serverDir: z.string().min(1).optional(),
  stateDir: z.string().min(1),
  trackedBranch: z
    .string()
    .refine((b) => versionSyntaxProblem(b) === undefined, 'is not a valid branch name (letters, digits and . _ + - /, not starting with -)')
    .optional(),
  fetch: z.boolean().default(true),
  releaseNotes: z
    .strictObject({
      changelog: z.string().min(1).default('CHANGELOG.md'),
      markers: z.array(z.string().min(1)).default(['ACTION REQUIRED', 'Required changes']),
    })
    .prefault({}),
  health: z
    .strictObject({
      url: urlSchema.optional(),
      command: commandSchema.optional(),
      versionField: z
        .string()
        .regex(/^[^.]+(\.[^.]+)*$/, 'is not a dot path (e.g. version or build.version)')
        .optional(),
      interval: positiveDuration.prefault('1s'),
      deadline: positiveDuration.prefault('2m'),
      monitorInterval: positiveDuration.prefault('10s'),
      requestTimeout: positiveDuration.prefault('5s'),
    })
    .optional(),
  backup: z
    .strictObject({
      archiveGlob: z.string().min(1).default('backups/*.tar.gz'),
      compatibility: z
        .enum(['same-major-minor', 'same-major', 'exact', 'any'], {
          error: 'is not a compatibility rule (expected same-major-minor, same-major, exact or any)',
        })
        .default('same-major-minor'),
    })
    .prefault({}),
  steps: stepsSchema.default({}),
});
type RawAgentFile = z.output<typeof agentFileSchema>;

interface StepDefault {
  command?: string;
  timeoutMs: number;
  builtin: boolean;
}

const MINUTE = 60_000;
const STEP_DEFAULTS: Record<Exclude<PlanStepName, 'health' | 'backup-after'>, StepDefault> = {
  backup: { command: 'hossadm backup', timeoutMs: 30 * MINUTE, builtin: false },
  'release-notes': { timeoutMs: 5 * MINUTE, builtin: true },
  checkout: { timeoutMs: 5 * MINUTE, builtin: true },
  config: { command: 'make config', timeoutMs: 10 * MINUTE, builtin: false },
  build: { command: 'make build', timeoutMs: 120 * MINUTE, builtin: false },
  up: { command: 'make up DETACH=true', timeoutMs: 30 * MINUTE, builtin: false },
};
const OPTIONAL_TIMEOUT_MS = { restore: 30 * MINUTE, 'maintenance-on': 5 * MINUTE, 'maintenance-off': 5 * MINUTE };

/** Collects operator sentences while resolving; paths are shown as written plus where they point. */
class Problems {
  readonly list: string[] = [];
  constructor(readonly file: string) {}
  add(sentence: string): void {
    this.list.push(`${path.basename(this.file)}: ${sentence}`);
  }
  /** `"hoss" (resolved to /etc/convoy/hoss)` for relative paths, `"/opt/hoss"` for absolute ones. */
  shown(written: string, resolved: string): string {
    return written === resolved ? `"${written}"` : `"${written}" (resolved to ${resolved})`;
  }
}

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function resolveStep(name: string, raw: RawStep | undefined, def: StepDefault, serverDir: string, problems: Problems): StepConfig {
  const cwd = raw?.cwd !== undefined ? resolvePath(problems.file, raw.cwd) : serverDir;
  if (raw?.cwd !== undefined && !statOf(cwd)?.isDirectory()) {
    problems.add(
      `steps.${name}.cwd ${problems.shown(raw.cwd, cwd)} is not an existing directory (default: serverDir; relative paths start at the config file's directory)`,
    );
  }
  return {
    name,
    command: def.builtin ? undefined : (raw?.command ?? def.command),
    timeoutMs: raw?.timeout ?? def.timeoutMs,
    env: raw?.env ?? {},
    cwd,
    enabled: raw?.enabled ?? true,
    rerunnable: raw?.rerunnable ?? true,
    builtin: def.builtin,
  };
}

/** `own` keys win; keys it leaves unset come from `base`. */
function inherit(base: RawStep | undefined, own: RawStep | undefined): RawStep {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(own ?? {})) if (v !== undefined) merged[k] = v;
  return merged;
}

function resolveSteps(raw: RawAgentFile, serverDir: string, healthTimeoutMs: number, problems: Problems): StepConfig[] {
  const steps = raw.steps;
  return DEFAULT_PLAN.map((name) => {
    if (name === 'health') return resolveStep(name, steps.health, { timeoutMs: healthTimeoutMs, builtin: true }, serverDir, problems);
    // backup-after is "the same as backup" unless it says otherwise, key by key.
    if (name === 'backup-after')
      return resolveStep(name, inherit(steps.backup, steps['backup-after']), STEP_DEFAULTS.backup, serverDir, problems);
    return resolveStep(name, steps[name], STEP_DEFAULTS[name], serverDir, problems);
  });
}

function resolveOptionalStep(
  name: keyof typeof OPTIONAL_TIMEOUT_MS,
  raw: RawStep | undefined,
  serverDir: string,
  problems: Problems,
): StepConfig | undefined {
  if (raw?.command === undefined) return undefined;
  const step = resolveStep(name, raw, { timeoutMs: OPTIONAL_TIMEOUT_MS[name], builtin: false }, serverDir, problems);
  return { ...step, rerunnable: raw.rerunnable ?? false };
}

/** The host part of host:port (brackets kept for IPv6). */
export function addressHost(address: string): string {
  return address.slice(0, address.lastIndexOf(':'));
}

function checkTransport(raw: RawAgentFile, problems: Problems): AgentConfig['coordinator']['tls'] {
  const { address, insecure, tls } = raw.coordinator;
  if (insecure && !isLoopbackHost(addressHost(address))) {
    problems.add(
      `coordinator.insecure is true but coordinator.address "${address}" is not a loopback address; plaintext gRPC is only accepted on 127.0.0.0/8, ::1 or localhost. Configure coordinator.tls: { ca, cert, key } and remove insecure: true`,
    );
  }
  if (insecure && tls)
    problems.add('coordinator.insecure is true and coordinator.tls is set; choose one (remove insecure: true to use TLS)');
  if (!insecure && !tls) {
    problems.add(
      `coordinator.tls is missing: the agent reaches coordinator.address "${address}" over TLS unless insecure: true (loopback only). Set coordinator.tls: { ca, cert, key } (PEM files)`,
    );
  }
  if (!tls) return undefined;
  const files = {
    ca: resolvePath(problems.file, tls.ca),
    cert: resolvePath(problems.file, tls.cert),
    key: resolvePath(problems.file, tls.key),
  };
  for (const key of ['ca', 'cert', 'key'] as const) {
    if (!statOf(files[key])?.isFile())
      problems.add(`coordinator.tls.${key} ${problems.shown(tls[key], files[key])} does not exist (expected a PEM file)`);
  }
  for (const p of tlsFilesProblems(files, 'coordinator.tls')) problems.add(p);
  return files;
}

function checkDirectories(raw: RawAgentFile, problems: Problems): { repo: string; serverDir: string } {
  const repo = resolvePath(problems.file, raw.repo);
  const serverDir = raw.serverDir !== undefined ? resolvePath(problems.file, raw.serverDir) : repo;
  if (!statOf(repo)?.isDirectory()) {
    problems.add(`repo ${problems.shown(raw.repo, repo)} does not exist (expected the root of the server's git work tree)`);
  } else if (!statOf(path.join(repo, '.git'))) {
    problems.add(
      `repo ${problems.shown(raw.repo, repo)} is not a git work tree (no .git inside; expected the directory the server was cloned into)`,
    );
  }
  if (raw.serverDir !== undefined && !statOf(serverDir)?.isDirectory()) {
    problems.add(
      `serverDir ${problems.shown(raw.serverDir, serverDir)} does not exist (expected the directory where make runs; default: repo)`,
    );
  }
  return { repo, serverDir };
}

/** The changelog path relative to the repo (it is read at tags with git, so it must be inside). */
function checkChangelog(raw: RawAgentFile, repo: string, problems: Problems): string {
  const written = raw.releaseNotes.changelog;
  const relative = path.relative(repo, path.resolve(repo, written));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    problems.add(`releaseNotes.changelog "${written}" is not a file inside repo (expected a path relative to repo, e.g. CHANGELOG.md)`);
  }
  return relative.split(path.sep).join('/');
}

/** Creates stateDir (0700) when missing; refuses one other users may write (they could forge the journal). */
function prepareStateDir(written: string, problems: Problems): string {
  const dir = resolvePath(problems.file, written);
  const shown = problems.shown(written, dir);
  let st = statOf(dir);
  if (!st) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = fs.statSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.add(`stateDir ${shown} cannot be created (${code}); create it with mode 0700, owned by the user running ${PROGRAM}`);
      return dir;
    }
  }
  if (!st.isDirectory()) {
    problems.add(`stateDir ${shown} is not a directory`);
  } else if ((st.mode & 0o002) !== 0) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    problems.add(
      `stateDir ${shown} is world-writable (mode ${mode}); other users could forge the journal. Run chmod 700 ${dir} or choose another directory`,
    );
  }
  return dir;
}

const HEALTH_EXAMPLE = 'url: http://127.0.0.1:8080/healthz or command: "hossadm status --json"';

/** What the health check runs: exactly one of a URL and a command. */
function resolveHealth(raw: RawAgentFile, dirs: { repo: string; serverDir: string }, problems: Problems): HealthCheckConfig | undefined {
  if (!raw.health) return undefined;
  const { url, command, versionField, interval, deadline, monitorInterval, requestTimeout } = raw.health;
  const timing = {
    versionField,
    intervalMs: interval,
    deadlineMs: deadline,
    monitorIntervalMs: monitorInterval,
    requestTimeoutMs: requestTimeout,
  };
  if (url !== undefined && command !== undefined) {
    problems.add(
      `health.url "${url}" and health.command ${JSON.stringify(command)} are both set; a health check is either a URL or a command. Remove one of the two keys`,
    );
  }
  if (command !== undefined) {
    const env = { CONVOY_AGENT_ID: raw.id, CONVOY_SERVER_DIR: dirs.serverDir, CONVOY_REPO: dirs.repo };
    return { command, cwd: dirs.serverDir, env, ...timing };
  }
  if (url !== undefined) return { url, ...timing };
  problems.add(`health has neither url nor command; set one (e.g. ${HEALTH_EXAMPLE}), or remove health: to skip the health check`);
  return undefined;
}

/** Applies defaults, resolves paths and checks what a schema cannot (files, cross-key rules). */
export function resolveAgentConfig(file: string, raw: RawAgentFile): AgentConfig {
  const abs = path.resolve(file);
  const problems = new Problems(abs);
  const c = raw.coordinator;
  if (c.backoff.initial > c.backoff.max) {
    problems.add(
      'coordinator.backoff.initial is longer than coordinator.backoff.max; make initial the shorter one (e.g. { initial: 500ms, max: 30s })',
    );
  }
  const tls = checkTransport(raw, problems);
  const { repo, serverDir } = checkDirectories(raw, problems);
  const changelog = checkChangelog(raw, repo, problems);
  const health = resolveHealth(raw, { repo, serverDir }, problems);
  const healthTimeoutMs = health ? health.deadlineMs + health.requestTimeoutMs : 2 * MINUTE;
  const steps = resolveSteps(raw, serverDir, healthTimeoutMs, problems);
  const restore = resolveOptionalStep('restore', raw.steps.restore, serverDir, problems);
  const maintenanceOn = resolveOptionalStep('maintenance-on', raw.steps['maintenance-on'], serverDir, problems);
  const maintenanceOff = resolveOptionalStep('maintenance-off', raw.steps['maintenance-off'], serverDir, problems);
  // Only touch the disk once everything else is right, so a broken file leaves nothing behind.
  const stateDir = problems.list.length === 0 ? prepareStateDir(raw.stateDir, problems) : resolvePath(abs, raw.stateDir);
  if (problems.list.length > 0) throw new ConfigError(problems.list, `Edit ${abs} and restart ${PROGRAM}.`);
  return {
    file: abs,
    id: raw.id,
    coordinator: {
      address: c.address,
      insecure: c.insecure,
      tls,
      heartbeatIntervalMs: c.heartbeatInterval,
      backoff: { initialMs: c.backoff.initial, maxMs: c.backoff.max, multiplier: 2, jitter: 0.5 },
    },
    labels: raw.labels,
    repo,
    serverDir,
    stateDir,
    trackedBranch: raw.trackedBranch,
    fetch: raw.fetch,
    releaseNotes: { changelog, markers: raw.releaseNotes.markers },
    health,
    backup: { archiveGlob: raw.backup.archiveGlob, compatibility: raw.backup.compatibility },
    steps,
    restore,
    maintenanceOn,
    maintenanceOff,
  };
}

/** Validates agent.yaml text already read (unit tests check the messages with it). */
export function parseAgentConfig(file: string, text: string): AgentConfig {
  const abs = path.resolve(file);
  return resolveAgentConfig(abs, parseYamlConfig(abs, text, agentFileSchema, `Edit ${abs} and restart ${PROGRAM}.`));
}

/** Loads and validates agent.yaml; throws ConfigError naming file, key, value and fix. */
export function loadAgentConfig(file: string): AgentConfig {
  const abs = path.resolve(file);
  return resolveAgentConfig(abs, loadYamlConfig(abs, agentFileSchema, PROGRAM));
}
