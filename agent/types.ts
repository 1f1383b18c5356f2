/**
 * The resolved agent configuration (what code uses; every default applied) and the
 * interface between the agent's daemon (link, journal) and its plan (the steps).
 */
import type { BackoffPolicy } from '../shared/backoff.js';
import type { OutputPattern } from '../shared/output-pattern.js';
import type { CompatibilityRule } from '../shared/versions.js';
import type { BackupRecord, HealthState, InspectResult, RepoState, StepRequest, StepResult } from '../shared/wire.js';

/** One step of the plan, resolved. */
export interface StepConfig {
  name: string;
  /** Shell string (run with /bin/sh -c) or argv list; undefined for built-in steps. */
  command?: string | string[];
  timeoutMs: number;
  env: Record<string, string>;
  /** Absolute working directory (default serverDir). */
  cwd: string;
  enabled: boolean;
  /** May be re-run after the agent was interrupted while running it. */
  rerunnable: boolean;
  /** checkout, release-notes, health and rollback-checkout are built in. */
  builtin: boolean;
  /** Output that must appear for the step to succeed (exit code 0 is not enough). */
  expectOutput: OutputPattern[];
  /** Output that makes the step fail even when it exits 0 (the tool's own words become the reason). */
  rejectOutput: OutputPattern[];
  /** Run after the command exited 0 and passed the output checks; must exit 0 too. */
  verify?: string | string[];
  /** Run before the step is run again after an interruption (e.g. remove a half-written backup). */
  cleanup?: string | string[];
  /** Another step's command, started while this one runs (once `after` appears in its output) and awaited after it. */
  alongside?: { step: string; after?: OutputPattern };
  /** Needs the pre-update backup: gets CONVOY_BACKUP_ARCHIVE, and the archive is verified before anything runs. */
  requiresBackup: boolean;
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** The resolved `health:` section: what to check (a URL or a command), how often and how long. */
export type HealthCheckConfig = HealthTiming & (HealthUrlCheck | HealthCommandCheck);

/** Polling and deadlines, the same for both kinds of check. */
export interface HealthTiming {
  /** JSON field (dot path) that must equal the target version. */
  versionField?: string;
  /** More URLs that must answer 2xx too (Hoss: the auth service's ping on the auth server). */
  alsoUrls?: string[];
  intervalMs: number;
  deadlineMs: number;
  monitorIntervalMs: number;
  /** One HTTP request, or one run of the command. */
  requestTimeoutMs: number;
}

/** Healthy when a GET answers 2xx. */
export interface HealthUrlCheck {
  url: string;
  command?: never;
}

/** Healthy when the command exits 0 within the request timeout. */
export interface HealthCommandCheck {
  /** Shell string (run with /bin/sh -c) or argv list. */
  command: string | string[];
  url?: never;
  /** Absolute working directory (serverDir). */
  cwd: string;
  /** The CONVOY_* variables known outside a step (agent id, directories). */
  env: Record<string, string>;
}

/** What convoy-agent runs with, after validation. */
export interface AgentConfig {
  /** Absolute path of the config file (named in errors). */
  file: string;
  id: string;
  coordinator: {
    address: string;
    insecure: boolean;
    tls?: TlsFiles;
    heartbeatIntervalMs: number;
    backoff: BackoffPolicy;
  };
  labels: Record<string, string>;
  repo: string;
  serverDir: string;
  stateDir: string;
  trackedBranch?: string;
  fetch: boolean;
  releaseNotes: { changelog: string; markers: string[] };
  health?: HealthCheckConfig;
  /** keepPerMinor: archives kept per major.minor after each backup step (0: all, never pruned). */
  backup: { archiveGlob: string; compatibility: CompatibilityRule; keepPerMinor: number };
  /** The profile the defaults came from ('' when none). */
  profile: string;
  /** The update procedure in order (backup … backup-after by default), disabled steps included. */
  steps: StepConfig[];
  /** The rollback procedure in order (rollback-checkout first by default). */
  rollback: StepConfig[];
  /** Steps that only run alongside another (e.g. Hoss's `up` during `restore`, when not in a procedure). */
  extraSteps: StepConfig[];
  /** Optional steps outside the main order. */
  restore?: StepConfig;
  maintenanceOn?: StepConfig;
  maintenanceOff?: StepConfig;
  /** What `convoy plan` reports as configuration drift between the installed and the target version. */
  drift: DriftConfig;
}

/** Configuration drift: files that change between versions, and keys an env file lacks. */
export interface DriftConfig {
  /** git pathspecs (globs relative to repo) of configuration files: templates, compose files. */
  files: string[];
  /** The host's env file (absolute), e.g. ~/.hoss/.env. */
  envFile?: string;
  /** Where the keys an env file should have are written: a Makefile (relative to repo) and its target. */
  envKeysFrom?: { file: string; target: string };
}

/** Everything a running step may report while it runs. */
export interface StepHooks {
  signal: AbortSignal;
  /** Output lines as they arrive (stdout and stderr interleaved). */
  onOutput(lines: string[]): void;
  /** Called with the process group id as soon as a command starts (journalled for cleanup). */
  onProcessGroup(pgid: number): void;
  /** Called when that process group's leader exited (its id is forgotten: ids get reused). */
  onProcessGroupEnded?(pgid: number): void;
}

/** The agent's plan: validates and runs steps, inspects targets, reports state. */
export interface Plan {
  /** Enabled step names in order, as reported in Hello. */
  stepNames(): string[];
  /** The rollback procedure's step names, in order (Hello.rollbackPlan). */
  rollbackStepNames(): string[];
  /** Steps that need the pre-update backup (Hello.backupSteps). */
  backupStepNames(): string[];
  rerunnableSteps(): string[];
  /**
   * Checks a request against the agent's own plan and repository before anything runs:
   * agent id, step name, version syntax, version exists (tag or tracked branch), clean tree.
   * Returns the refusal reason, or undefined when the request may run.
   */
  validate(request: StepRequest): Promise<string | undefined>;
  /** Runs one validated step. Never throws: failures are results. */
  run(request: StepRequest, hooks: StepHooks): Promise<StepResult>;
  /** Read-only: fetch, check the target, collect release notes, report repo and health. */
  inspect(requestId: string, targetVersion: string, opts?: { includeDiff?: boolean }): Promise<InspectResult>;
  repoState(): Promise<RepoState>;
  /** One health probe (no waiting). */
  probeHealth(): Promise<HealthState>;
  backups(): BackupRecord[];
  /** Applies backup.keep after a backup step of the rollout; the catalogue follows the files. */
  pruneBackups(rolloutId: string): Promise<{ deleted: BackupRecord[]; vanished: BackupRecord[] }>;
  /** Drops catalogue records whose archive is gone; returns how many. */
  forgetVanishedBackups(): Promise<number>;
}
