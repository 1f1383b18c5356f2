/** agent.yaml: what operators write (docs/configuration.md) -> the resolved AgentConfig code uses. */
import fs from 'node:fs';
import path from 'node:path';
import { configHint, homeProblem, parseYamlDocument, readConfigText, resolvePath, validateConfigDocument } from '../shared/config-file.js';
import { ConfigError } from '../shared/errors.js';
import { tlsFilesProblems } from '../shared/file-security.js';
import { isLoopbackHost } from '../shared/loopback.js';
import { writeFileAtomicSync } from '../shared/atomic-write.js';
import { coordinatorLimitProblems } from './config/coordinator-limits.js';
import { applyProfile, PROFILE_FACTS_FILE, type AppliedProfile } from './config/profiles.js';
import type { ProfileFacts } from './config/hoss-profile.js';
import { agentFileSchema, type RawAgentFile } from './config/schema.js';
import { resolveSteps, type ProblemSink } from './config/steps.js';
import type { AgentConfig, DriftConfig, HealthCheckConfig } from './types.js';

export { agentFileSchema } from './config/schema.js';

const PROGRAM = 'convoy-agent';
const MINUTE = 60_000;

/** Collects operator sentences while resolving; paths are shown as written plus where they point. */
class Problems implements ProblemSink {
  readonly list: string[] = [];
  constructor(readonly file: string) {}
  add(sentence: string): void {
    this.list.push(`${path.basename(this.file)}: ${sentence}`);
  }
  /** `"hoss" (resolved to /etc/convoy/hoss)` for relative paths, `"/opt/hoss"` for absolute ones. */
  shown(written: string, resolved: string): string {
    return written === resolved ? `"${written}"` : `"${written}" (resolved to ${resolved})`;
  }
  isDirectory(p: string): boolean {
    return statOf(p)?.isDirectory() === true;
  }
}

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
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
  const { url, command, versionField, alsoUrls, interval, deadline, monitorInterval, requestTimeout } = raw.health;
  const timing = {
    versionField,
    alsoUrls,
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

/** Paths written with `~user` cannot be resolved: say so with the fix, key by key. */
function checkHomePaths(raw: RawAgentFile, problems: Problems): void {
  const paths: [string, string | undefined][] = [
    ['repo', raw.repo],
    ['serverDir', raw.serverDir],
    ['stateDir', raw.stateDir],
    ['coordinator.tls.ca', raw.coordinator.tls?.ca],
    ['coordinator.tls.cert', raw.coordinator.tls?.cert],
    ['coordinator.tls.key', raw.coordinator.tls?.key],
    ['drift.envFile', raw.drift.envFile],
    ['backup.archiveGlob', raw.backup.archiveGlob],
  ];
  for (const [key, value] of paths) {
    const problem = value === undefined ? undefined : homeProblem(value);
    if (problem) problems.add(`${key} "${value}" ${problem}`);
  }
}

/** Drift settings resolved: file globs and the Makefile stay relative to repo, the env file becomes absolute. */
function resolveDrift(raw: RawAgentFile, repo: string, problems: Problems): DriftConfig {
  const { files, envFile, envKeysFrom } = raw.drift;
  for (const f of [...files, ...(envKeysFrom ? [envKeysFrom.file] : [])]) {
    if (path.isAbsolute(f) || f.split('/').includes('..')) {
      problems.add(`drift: "${f}" must be a path inside repo, relative to it (e.g. server/**/*.tmpl)`);
    }
  }
  if (envKeysFrom && !envFile) problems.add('drift.envKeysFrom is set but drift.envFile is not (name the env file whose keys to check)');
  return { files, envFile: envFile !== undefined ? resolvePath(problems.file, envFile) : undefined, envKeysFrom };
}

/** backup.archiveGlob: `~` expanded; a relative glob stays relative to serverDir. */
function resolveArchiveGlob(glob: string): string {
  return glob.startsWith('~') ? resolvePath('/', glob) : glob;
}

/** Applies defaults, resolves paths and checks what a schema cannot (files, cross-key rules). */
export function resolveAgentConfig(file: string, raw: RawAgentFile, profile = '', profileSteps: string[] = []): AgentConfig {
  const abs = path.resolve(file);
  const problems = new Problems(abs);
  const c = raw.coordinator;
  if (c.backoff.initial > c.backoff.max) {
    problems.add(
      'coordinator.backoff.initial is longer than coordinator.backoff.max; make initial the shorter one (e.g. { initial: 500ms, max: 30s })',
    );
  }
  checkHomePaths(raw, problems);
  const tls = checkTransport(raw, problems);
  const { repo, serverDir } = checkDirectories(raw, problems);
  const changelog = checkChangelog(raw, repo, problems);
  const health = resolveHealth(raw, { repo, serverDir }, problems);
  const healthTimeoutMs = health ? health.deadlineMs + health.requestTimeoutMs : 2 * MINUTE;
  const steps = resolveSteps(raw, serverDir, healthTimeoutMs, problems, new Set(profileSteps));
  const drift = resolveDrift(raw, repo, problems);
  const config: AgentConfig = {
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
    stateDir: resolvePath(abs, raw.stateDir),
    trackedBranch: raw.trackedBranch,
    fetch: raw.fetch,
    releaseNotes: { changelog, markers: raw.releaseNotes.markers },
    health,
    backup: {
      archiveGlob: resolveArchiveGlob(raw.backup.archiveGlob),
      compatibility: raw.backup.compatibility,
      keepPerMinor: raw.backup.keep.perMinor === 'all' ? 0 : raw.backup.keep.perMinor,
    },
    profile,
    steps: steps.update,
    rollback: steps.rollback,
    extraSteps: steps.extra,
    restore: steps.restore,
    maintenanceOn: steps.maintenanceOn,
    maintenanceOff: steps.maintenanceOff,
    drift,
  };
  for (const p of coordinatorLimitProblems(config)) problems.add(p);
  // Only touch the disk once everything else is right, so a broken file leaves nothing behind.
  if (problems.list.length === 0) prepareStateDir(raw.stateDir, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list, `Edit ${abs} and restart ${PROGRAM}.`);
  return config;
}

/** The document agent.yaml stands for once its profile is applied (what --show-config prints). */
export function expandAgentDocument(file: string, text: string): AppliedProfile {
  const abs = path.resolve(file);
  const hint = configHint(abs, PROGRAM);
  const written = parseYamlDocument(abs, text, hint);
  const problems = new Problems(abs);
  const applied = applyProfile(abs, written, (p) => problems.add(p));
  if (problems.list.length > 0) throw new ConfigError(problems.list, hint);
  return applied;
}

/** Validates agent.yaml text already read (unit tests check the messages with it). */
export function parseAgentConfig(file: string, text: string): AgentConfig {
  return parseWithFacts(file, text).config;
}

function parseWithFacts(file: string, text: string): { config: AgentConfig; facts?: ProfileFacts } {
  const abs = path.resolve(file);
  const { doc, profile, facts, profileSteps } = expandAgentDocument(abs, text);
  const raw = validateConfigDocument(abs, doc, agentFileSchema, configHint(abs, PROGRAM));
  return { config: resolveAgentConfig(abs, raw, profile, profileSteps), facts };
}

/** Loads and validates agent.yaml; throws ConfigError naming file, key, value and fix. */
export function loadAgentConfig(file: string): AgentConfig {
  const abs = path.resolve(file);
  const { config, facts } = parseWithFacts(abs, readConfigText(abs, PROGRAM));
  if (facts) recordProfileFacts(config.stateDir, facts);
  return config;
}

/** Keeps what the profile read from the host for a restart during a restore (when .env is gone). */
function recordProfileFacts(stateDir: string, facts: ProfileFacts): void {
  try {
    writeFileAtomicSync(path.join(stateDir, PROFILE_FACTS_FILE), JSON.stringify(facts, null, 2) + '\n');
  } catch {
    // not fatal: the facts are read from the host again at the next start
  }
}
