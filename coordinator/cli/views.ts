/**
 * TypeScript shapes of the ControlService messages (proto/convoy/v1/control.proto) as
 * @grpc/proto-loader delivers them: camelCase fields, int64 as number, defaults filled in.
 * The CLI only reads these; keep them in step with the proto.
 */
import type { BackupRecord, Drift, HealthState, ReleaseNote, ReleaseNotes, RepoState } from '../../shared/wire.js';

/** Rollout states (DESIGN.md); the last three are terminal. */
export type RolloutState = 'pending' | 'awaiting-ack' | 'running' | 'paused' | 'succeeded' | 'failed' | 'aborted';

/** The actions `convoy rollout <action> <id>` sends through ActOnRollout. */
export const ROLLOUT_ACTIONS = ['ack', 'pause', 'resume', 'abort', 'rollback'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

/** One agent as the coordinator's fleet registry sees it. */
export interface AgentView {
  id: string;
  connected: boolean;
  labels: Record<string, string>;
  serverDir: string;
  repo?: RepoState | null;
  health?: HealthState | null;
  plan: string[];
  lastSeenMs: number;
  cluster: string;
  role: string;
  backupCount: number;
  hostname: string;
  agentVersion: string;
  connectedSinceMs: number;
  /** The version the work tree is at, and the one the service reports ('' when unknown). */
  checkedOutVersion: string;
  servedVersion: string;
  /** healthy | unhealthy | unknown (disconnected) | none (no health check) */
  healthState: string;
  /** When convoyd last received a health report (its own clock). */
  healthReportedAtMs: number;
}

/** One host of a plan: what a rollout would do there, or why it would fail preflight. */
export interface PlanHost {
  agentId: string;
  role: string;
  order: number;
  installedVersion: string;
  targetVersion: string;
  steps: string[];
  releaseNotes?: ReleaseNotes | null;
  problem: string;
  connected: boolean;
  healthy: boolean;
  /** update | skip | refused: what `rollout start` would do with this host. */
  verdict: string;
  verdictReason: string;
  drift?: Drift | null;
  servedVersion: string;
}

/** The answer to Plan: hosts in order, and the problems that would stop a rollout. */
export interface PlanResponse {
  cluster: string;
  targetVersion: string;
  hosts: PlanHost[];
  requiresAction: boolean;
  problems: string[];
  phases: string[];
  ackReasons: string[];
  notesMissing: string[];
  notesLookedIn: string[];
  releaseNotes: ReleaseNote[];
  requiredChanges: string[];
  notesError: string;
  versions: string[];
}

/** One run of one step on one host. */
export interface StepRunView {
  step: string;
  attempt: number;
  outcome: string;
  exitCode: number;
  reason: string;
  startedAtMs: number;
  finishedAtMs: number;
  durationMs: number;
  outputTail: string[];
  requestId: string;
  phase: string;
  agentStartedAtMs?: number;
  agentFinishedAtMs?: number;
}

/** One host of a rollout. */
export interface HostView {
  agentId: string;
  role: string;
  order: number;
  state: string;
  currentStep: string;
  stepStartedAtMs: number;
  fromVersion: string;
  reason: string;
  steps: StepRunView[];
  previousCommit: string;
  preBackupId: string;
  hostStartedAtMs: number;
  hostFinishedAtMs: number;
}

/** A rollout with its hosts, as GetRollout and WatchRollout return it. */
export interface RolloutView {
  id: string;
  cluster: string;
  targetVersion: string;
  state: string;
  phase: string;
  reason: string;
  failedHost: string;
  failedStep: string;
  initiator: string;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number;
  ackRequired: boolean;
  ackedBy: string;
  ackedAtMs: number;
  hosts: HostView[];
  maxParallel: number;
  releaseNotes: ReleaseNote[];
  authHost: string;
  resumeAtMs: number;
  notesMissing: string[];
  notesLookedIn: string[];
  requiredChanges: string[];
  notesError: string;
  /** `convoy rollout rollback` would start now (failed or aborted rollouts), and why not. */
  rollbackPossible: boolean;
  rollbackBlocked: string;
}

/** One line of step output. */
export interface LogLine {
  rolloutId: string;
  agentId: string;
  step: string;
  atMs: number;
  line: string;
  seq: number;
}

/** One entry of the coordinator's event journal. */
export interface EventView {
  seq: number;
  atMs: number;
  rolloutId: string;
  agentId: string;
  step: string;
  actor: string;
  kind: string;
  message: string;
}

/** One archive of an agent's backup catalogue. */
export interface BackupView {
  backup?: BackupRecord | null;
  restorable: boolean;
  exists: boolean;
}

export interface ListBackupsResponse {
  agentId: string;
  installedVersion: string;
  backups: BackupView[];
}

export interface PlanRequest {
  cluster: string;
  host: string;
  targetVersion: string;
  includeDiff?: boolean;
}

export interface StartRolloutRequest {
  cluster: string;
  host: string;
  targetVersion: string;
  ackReleaseNotes: boolean;
}

export interface RolloutLogsRequest {
  id: string;
  follow: boolean;
  host: string;
  step: string;
}

/** One maintenance window: its start and end as instants and as the schedule's timezone shows them. */
export interface ScheduleWindowView {
  startMs: number;
  endMs: number;
  startLocal: string;
  endLocal: string;
}

/** A maintenance-window schedule (ListSchedules, RunSchedule, SetScheduleEnabled). */
export interface ScheduleView {
  name: string;
  cluster: string;
  cron: string;
  timezone: string;
  windowMs: number;
  target: string;
  enabled: boolean;
  ackReleaseNotes: boolean;
  nextWindows: ScheduleWindowView[];
  resolvedTarget: string;
  resolveProblem: string;
  lastOutcome: string;
  lastRunAtMs: number;
  lastRolloutId: string;
  windowOpen: boolean;
  windowEndMs: number;
}

/** True for the states a rollout never leaves. */
export function isTerminal(state: string): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'aborted';
}

/** The exit code a finished (or unfinished) rollout maps to: 1 when it failed or was aborted. */
export function exitCodeOfRollout(view: Pick<RolloutView, 'state'>): number {
  return view.state === 'failed' || view.state === 'aborted' ? 1 : 0;
}

/** "cluster demo" or "host hoss-a" (single-host rollouts have no cluster). */
export function rolloutScope(view: Pick<RolloutView, 'cluster' | 'hosts'>): string {
  if (view.cluster) return `cluster ${view.cluster}`;
  const host = view.hosts[0]?.agentId;
  return host ? `host ${host}` : '-';
}
