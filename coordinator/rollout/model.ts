/**
 * The rollout as persisted and reasoned about. Plain data (JSON-serialisable): the engine
 * transforms it, the store saves it, the RPC layer turns it into views.
 */
import { isTerminal, type RolloutState } from '../../shared/rollout-states.js';
import type { ReleaseNote } from '../../shared/wire.js';

export { isTerminal, TERMINAL_STATES, type RolloutState } from '../../shared/rollout-states.js';

/** Phases of a rollout, in order; `rollback` only when a failed host is being moved back. */
export type Phase = 'preflight' | 'backup-all' | 'auth' | 'members' | 'rollback' | 'done';

/** Host states (the contract in DESIGN.md). */
export type HostState =
  /** nothing done yet */
  | 'pending'
  /** the pre-update backup runs */
  | 'backing-up'
  /** the pre-update backup is recorded */
  | 'backed-up'
  /** update steps run (release notes, checkout, config, build, up, backup-after) */
  | 'updating'
  /** the health step waits for the target version to serve */
  | 'waiting-healthy'
  /** every step succeeded */
  | 'updated'
  /** a step failed, timed out, was refused or cancelled */
  | 'failed'
  /** moved back to its previous version after a failure */
  | 'rolled-back'
  /** already at the target: nothing to do */
  | 'skipped';

/** auth: runs the shared auth service; member: updated after it; single: a host rollout. */
export type HostRole = 'auth' | 'member' | 'single';

/** How one attempt of a step ended, as the CLI shows it. */
export type RunOutcome = 'running' | 'succeeded' | 'failed' | 'timed-out' | 'cancelled' | 'refused' | 'interrupted' | 'disconnected';

/** One attempt of one step on one host. */
export interface StepRun {
  requestId: string;
  step: string;
  phase: Phase;
  attempt: number;
  outcome: RunOutcome;
  exitCode: number;
  reason: string;
  /** The coordinator's clock: when it sent the step, and when it received the result. */
  startedAtMs: number;
  finishedAtMs: number;
  outputTail: string[];
  /** The agent's clock, as it reported the step (display only: another process's time decides nothing). */
  agentStartedAtMs?: number;
  agentFinishedAtMs?: number;
}

/** What preflight learned about a host. */
export interface Inspection {
  requestId: string;
  done: boolean;
  installedVersion: string;
  commit: string;
  clean: boolean;
  dirtyDetail: string;
  targetExists: boolean;
  error: string;
  healthy: boolean;
  healthDetail: string;
  /** The version the service reports ('' when its health check reports none). */
  healthVersion: string;
  notes: ReleaseNote[];
  /** Every version on the way, ascending (absent from older agents). */
  notesVersions?: string[];
  /** Where the agent looked for notes. */
  notesLookedIn?: string[];
  /** Configuration drift: files that change on the way, changes the host needs by hand. */
  driftFiles?: string[];
  requiredChanges?: string[];
  driftError?: string;
}

/** What is known of the release notes on the way (docs/release-notes.md). */
export interface NotesStatus {
  /** Every version on the way on any host, ascending. */
  versions: string[];
  /** Versions no source had a note for: "none found", never "nothing required". */
  missing: string[];
  /** Where Convoy looked (the agents' sources, then the coordinator's). */
  lookedIn: string[];
  /** The coordinator's source (e.g. "GitHub releases of WyssCenter/hybrid-object-store"), '' when none is configured. */
  remoteSource: string;
  /** unasked -> asked -> done; '' when there is no remote source. */
  remote: '' | 'unasked' | 'asked' | 'done';
  /** Why the remote source could not be read (for some or all versions). */
  remoteError: string;
  /** The cluster wants an acknowledgement when a version on the way has no notes. */
  requireNotes: boolean;
}

/** One host of a rollout. */
export interface HostRun {
  agentId: string;
  role: HostRole;
  order: number;
  state: HostState;
  /** Update steps after the pre-update backup, in plan order. */
  updateSteps: string[];
  /** Whether the plan has a backup step (run in backup-all). */
  hasBackup: boolean;
  rerunnable: string[];
  runs: StepRun[];
  fromVersion: string;
  previousCommit: string;
  preBackupId: string;
  reason: string;
  startedAtMs: number;
  finishedAtMs: number;
  inspection?: Inspection;
  /** Step timeouts the agent reported (ms), to tell a lost agent from a slow step. */
  stepTimeoutsMs: Record<string, number>;
  /** Whether the agent has a restore command (rollback restores the pre-update backup). */
  hasRestore: boolean;
  /** The agent's rollback procedure at the rollout's start ([] or absent: the default of older agents). */
  rollbackPlan?: string[];
  /** Steps of it that need the pre-update backup (sent with its id). */
  backupSteps?: string[];
  /** Version of the pre-update backup. */
  preBackupVersion: string;
  /** A rollback of this host: requested, running or finished. */
  rollback?: HostRollback;
}

/** Moving a failed host back to the version it ran before the rollout. */
export interface HostRollback {
  /** Why the host is rolled back (the failure that triggered it). */
  reason: string;
  requestedBy: string;
  /** Steps in order: rollback-checkout, config, build, up, [restore], health. */
  steps: string[];
  done: boolean;
  /** Set when a rollback step failed: the host stays failed with both reasons. */
  failure: string;
}

/** A rollout of a cluster (or of one host) to a target version. */
export interface Rollout {
  id: string;
  cluster: string;
  target: string;
  state: RolloutState;
  phase: Phase;
  reason: string;
  failedHost: string;
  failedStep: string;
  initiator: string;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number;
  ackRequired: boolean;
  /** started with --ack-release-notes (or a schedule that auto-acknowledges) */
  ackPreapproved: boolean;
  ackedBy: string;
  ackedAtMs: number;
  maxParallel: number;
  authHost: string;
  allowDowngrade: boolean;
  autoRollback: boolean;
  healthDeadlineMs: number;
  hosts: HostRun[];
  releaseNotes: ReleaseNote[];
  /** Absent in rollouts stored before it existed. */
  notes?: NotesStatus;
  /** Changes hosts need by hand before the update (a key an env file lacks…): they require an acknowledgement. */
  requiredChanges?: string[];
  /** When the rollout will resume by itself (maintenance windows), 0 if not scheduled. */
  resumeAtMs: number;
  /** Why it is paused: an operator, the auth gate, the maintenance window or firing alerts. */
  pauseKind: PauseKind;
  /**
   * An operator's pause takes effect at the next safe point: hosts in flight finish their update
   * and health gate. With `pause --now` (true) nothing new is dispatched at all.
   */
  pauseNow?: boolean;
  /** Since when the auth gate waits for the auth server (0: it does not). */
  authWaitSinceMs?: number;
  /** How often it reached a final state (a rollback by hand reopens a failed rollout; metrics count the first). */
  timesEnded?: number;
  /** The final state a rollback returns the rollout to once it has ended (failed, or aborted). */
  rollbackEndState?: 'failed' | 'aborted';
  /** The schedule that started it ('' for a rollout started by hand). */
  schedule: string;
  /** End of the maintenance window it runs in (0: no window). No host starts at or after it. */
  windowEndsAtMs: number;
  /** Last time a step, host or phase made progress (for "rollout stuck" alerts). */
  progressAtMs: number;
}

/** Why a rollout is paused; '' when it is not. alerts pauses resume by themselves. */
export type PauseKind = '' | 'operator' | 'auth' | 'window' | 'alerts';

/** Deterministic request id: replaying a dispatch after a crash is recognised by the agent. */
export function requestIdFor(rolloutId: string, agentId: string, step: string, attempt: number, rollback = false): string {
  return `${rolloutId}.${agentId}.${rollback ? 'rollback-' : ''}${step.replace(/^rollback-/, '')}.${attempt}`;
}

/** True while a rollout still has work: not finished, or a rollback step still in flight after an abort. */
export function needsWork(r: Rollout): boolean {
  return !isTerminal(r.state) || r.hosts.some((h) => h.rollback && !h.rollback.done);
}
