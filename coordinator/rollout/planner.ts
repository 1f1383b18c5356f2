/**
 * The phase planner: which hosts a rollout touches, in which order, running which steps.
 * Pure: used by `convoy plan` (dry run) and when a rollout is created.
 */
import type { HostRole, HostRun, Rollout } from './model.js';

/** What the planner needs to know of one host. */
export interface PlannedHostInput {
  agentId: string;
  /** The agent's enabled steps, in plan order. */
  plan: string[];
  rerunnable: string[];
  stepTimeoutsMs?: Record<string, number>;
  hasRestore?: boolean;
  rollbackPlan?: string[];
  backupSteps?: string[];
}

export interface PlannedHost {
  agentId: string;
  role: HostRole;
  order: number;
  /** The pre-update backup, run in the backup-all phase ('' when the plan has none). */
  backupStep: string;
  /** Every other step, run in the host's own update. */
  updateSteps: string[];
  rerunnable: string[];
}

/** Orders hosts: the auth server first, then the members in configured order. */
export function planHosts(hosts: PlannedHostInput[], authHost: string): PlannedHost[] {
  const ordered = [...hosts.filter((h) => h.agentId === authHost), ...hosts.filter((h) => h.agentId !== authHost)];
  const single = hosts.length === 1 && !authHost;
  return ordered.map((h, i) => ({
    agentId: h.agentId,
    role: single ? 'single' : h.agentId === authHost ? 'auth' : 'member',
    order: i + 1,
    backupStep: h.plan.includes('backup') ? 'backup' : '',
    updateSteps: h.plan.filter((s) => s !== 'backup'),
    rerunnable: h.rerunnable,
  }));
}

/** The phases a rollout goes through. */
export function planPhases(authHost: string): string[] {
  return authHost ? ['preflight', 'backup-all', 'auth', 'members', 'done'] : ['preflight', 'backup-all', 'members', 'done'];
}

export interface NewRollout {
  id: string;
  cluster: string;
  target: string;
  initiator: string;
  now: number;
  ackPreapproved: boolean;
  maxParallel: number;
  authHost: string;
  allowDowngrade: boolean;
  autoRollback: boolean;
  healthDeadlineMs: number;
  hosts: PlannedHostInput[];
  schedule?: string;
  windowEndsAtMs?: number;
  /** The coordinator's release-notes source for the cluster ('' when none), and whether missing notes need an ack. */
  notesSource?: string;
  requireNotes?: boolean;
}

/** A new rollout in `pending`, phase `preflight`. */
export function createRollout(p: NewRollout): Rollout {
  const inputs = new Map(p.hosts.map((h) => [h.agentId, h]));
  const hosts: HostRun[] = planHosts(p.hosts, p.authHost).map((h) => ({
    agentId: h.agentId,
    role: h.role,
    order: h.order,
    state: 'pending',
    updateSteps: h.updateSteps,
    hasBackup: h.backupStep !== '',
    rerunnable: h.rerunnable,
    runs: [],
    fromVersion: '',
    previousCommit: '',
    preBackupId: '',
    reason: '',
    startedAtMs: 0,
    finishedAtMs: 0,
    stepTimeoutsMs: inputs.get(h.agentId)?.stepTimeoutsMs ?? {},
    hasRestore: inputs.get(h.agentId)?.hasRestore ?? false,
    rollbackPlan: inputs.get(h.agentId)?.rollbackPlan ?? [],
    backupSteps: inputs.get(h.agentId)?.backupSteps ?? [],
    preBackupVersion: '',
  }));
  return {
    id: p.id,
    cluster: p.cluster,
    target: p.target,
    state: 'pending',
    phase: 'preflight',
    reason: '',
    failedHost: '',
    failedStep: '',
    initiator: p.initiator,
    createdAtMs: p.now,
    updatedAtMs: p.now,
    finishedAtMs: 0,
    ackRequired: false,
    ackPreapproved: p.ackPreapproved,
    ackedBy: '',
    ackedAtMs: 0,
    maxParallel: Math.max(1, p.maxParallel),
    authHost: p.authHost,
    allowDowngrade: p.allowDowngrade,
    autoRollback: p.autoRollback,
    healthDeadlineMs: p.healthDeadlineMs,
    hosts,
    releaseNotes: [],
    notes: {
      versions: [],
      missing: [],
      lookedIn: [],
      remoteSource: p.notesSource ?? '',
      remote: p.notesSource ? 'unasked' : '',
      remoteError: '',
      requireNotes: p.requireNotes ?? false,
    },
    requiredChanges: [],
    resumeAtMs: 0,
    pauseKind: '',
    schedule: p.schedule ?? '',
    windowEndsAtMs: p.windowEndsAtMs ?? 0,
    progressAtMs: p.now,
  };
}
