/**
 * TypeScript shapes of the convoy.v1 messages as @grpc/proto-loader delivers them
 * (camelCase fields, enums as strings, int64 as number, defaults filled in).
 * Keep in step with proto/convoy/v1/*.proto.
 */

export type StepOutcome = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED' | 'REFUSED' | 'INTERRUPTED';

export interface RepoState {
  installedVersion: string;
  commit: string;
  clean: boolean;
  tags: string[];
  branch: string;
  trackedBranch: string;
  dirtyDetail: string;
}

export interface HealthState {
  healthy: boolean;
  version: string;
  detail: string;
  checkedAtMs: number;
  configured: boolean;
}

export interface BackupRecord {
  id: string;
  path: string;
  version: string;
  sizeBytes: number;
  sha256: string;
  createdAtMs: number;
  step: string;
  rolloutId: string;
}

export interface ReleaseNote {
  version: string;
  source: string;
  text: string;
  requiresAction: boolean;
  requiredLines: string[];
}

export interface ReleaseNotes {
  fromVersion: string;
  toVersion: string;
  notes: ReleaseNote[];
  requiresAction: boolean;
  /** Every version on the way, ascending ([] from older agents). */
  versions?: string[];
  /** Where the agent looked ("annotated tag messages", "CHANGELOG.md at 0.2.13 (not present)"). */
  lookedIn?: string[];
}

/** Configuration drift between the installed and the target version. */
export interface Drift {
  files: string[];
  /** The unified diff, line by line (each line is shown alone, so none can hide another). */
  diffLines: string[];
  requiredChanges: string[];
  error: string;
  diffTruncated: boolean;
}

export interface InFlight {
  requestId: string;
  rolloutId: string;
  step: string;
  targetVersion: string;
  startedAtMs: number;
}

export interface Hello {
  agentId: string;
  labels: Record<string, string>;
  serverDir: string;
  agentVersion: string;
  repo: RepoState;
  health: HealthState;
  plan: string[];
  rerunnableSteps: string[];
  backups: BackupRecord[];
  undelivered: StepResult[];
  inFlight?: InFlight | null;
  hostname: string;
  hasRestore: boolean;
  /** Each enabled step's timeout in ms, so the coordinator can tell a lost agent from a slow step. */
  stepTimeoutsMs: Record<string, number>;
  /** The agent's rule for which backups restore into which version ('' from older agents). */
  backupCompatibility?: string;
  /** The rollback procedure in order ([] from older agents: the coordinator uses the old default). */
  rollbackPlan?: string[];
  /** Steps that need the pre-update backup. */
  backupSteps?: string[];
  profile?: string;
}

export interface Heartbeat {
  sentAtMs: number;
  health?: HealthState | null;
  inFlight?: InFlight | null;
}

export interface StepOutput {
  requestId: string;
  rolloutId: string;
  step: string;
  lines: string[];
  atMs: number;
}

export interface StepResult {
  requestId: string;
  rolloutId: string;
  step: string;
  outcome: StepOutcome;
  exitCode: number;
  reason: string;
  outputTail: string[];
  startedAtMs: number;
  finishedAtMs: number;
  previousCommit: string;
  backup?: BackupRecord | null;
  releaseNotes?: ReleaseNotes | null;
  repo?: RepoState | null;
  health?: HealthState | null;
  attempt: number;
}

export interface InspectResult {
  requestId: string;
  targetVersion: string;
  targetExists: boolean;
  error: string;
  repo?: RepoState | null;
  health?: HealthState | null;
  releaseNotes?: ReleaseNotes | null;
  plan: string[];
  drift?: Drift | null;
}

/** Agent -> coordinator; exactly one field set (`msg` names it on receipt). */
export interface AgentMessage {
  msg?: 'hello' | 'heartbeat' | 'health' | 'output' | 'result' | 'inspectResult' | 'repo';
  hello?: Hello;
  heartbeat?: Heartbeat;
  health?: { health: HealthState };
  output?: StepOutput;
  result?: StepResult;
  inspectResult?: InspectResult;
  repo?: { repo: RepoState; backups: BackupRecord[] };
}

export interface StepRequest {
  requestId: string;
  rolloutId: string;
  agentId: string;
  step: string;
  targetVersion: string;
  fromVersion: string;
  backupId: string;
  restoreCommit: string;
  attempt: number;
  /** Health step: the cluster's deadline in ms (0 = the agent's configured deadline). */
  healthDeadlineMs: number;
}

/** Coordinator -> agent; exactly one field set. */
export interface CoordinatorMessage {
  msg?: 'welcome' | 'runStep' | 'cancel' | 'ack' | 'inspect' | 'refusal';
  welcome?: { coordinatorVersion: string; heartbeatIntervalMs: number; ackedRequestIds: string[] };
  runStep?: StepRequest;
  cancel?: { requestId: string; reason: string };
  ack?: { requestId: string };
  inspect?: { requestId: string; targetVersion: string; includeDiff?: boolean };
  refusal?: { code: string; message: string };
}

/** Built-in step names of the default plan, in order. */
export const DEFAULT_PLAN = ['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after'] as const;
export type PlanStepName = (typeof DEFAULT_PLAN)[number];
