/**
 * Domain -> wire views for the CLI. Each builder returns the message type generated from
 * control.proto (the one the CLI reads), so a field added there fails tsc here until it is set,
 * and a field the proto lacks is an excess property.
 */
import type { AgentView, EventView, HostView, LogLine, PlanHost, PlanResponse, RolloutView, StepRunView } from '../cli/views.js';
import { isHealthy } from '../../shared/health.js';
import type { AgentRecord, Fleet } from '../fleet/registry.js';
import type { HostRun, Rollout, StepRun } from '../rollout/model.js';
import { notesOf } from '../rollout/notes.js';
import { planPhases } from '../rollout/planner.js';
import type { RolloutPreview } from '../rollout/preview.js';
import type { ClusterConfig } from '../config.js';
import type { EventRecord, StoredLogLine } from '../store/store.js';

export function stepRunView(run: StepRun): StepRunView {
  const end = run.finishedAtMs || 0;
  return {
    step: run.step,
    attempt: run.attempt,
    outcome: run.outcome,
    exitCode: run.exitCode,
    reason: run.reason,
    startedAtMs: run.startedAtMs,
    finishedAtMs: run.finishedAtMs,
    durationMs: end ? Math.max(0, end - run.startedAtMs) : 0,
    outputTail: run.outputTail,
    requestId: run.requestId,
    phase: run.phase,
    agentStartedAtMs: run.agentStartedAtMs ?? 0,
    agentFinishedAtMs: run.agentFinishedAtMs ?? 0,
  };
}

function hostView(h: HostRun): HostView {
  const current = [...h.runs].reverse().find((r) => r.outcome === 'running') ?? h.runs[h.runs.length - 1];
  return {
    agentId: h.agentId,
    role: h.role,
    order: h.order,
    state: h.state,
    currentStep: current?.step ?? '',
    stepStartedAtMs: current?.startedAtMs ?? 0,
    fromVersion: h.fromVersion,
    reason: h.reason,
    steps: h.runs.map(stepRunView),
    previousCommit: h.previousCommit,
    preBackupId: h.preBackupId,
    hostStartedAtMs: h.startedAtMs,
    hostFinishedAtMs: h.finishedAtMs,
  };
}

export function rolloutView(r: Rollout, rollback: { possible: boolean; blocked: string } = { possible: false, blocked: '' }): RolloutView {
  return {
    id: r.id,
    cluster: r.cluster,
    targetVersion: r.target,
    state: r.state,
    phase: r.phase,
    reason: r.reason,
    failedHost: r.failedHost,
    failedStep: r.failedStep,
    initiator: r.initiator,
    createdAtMs: r.createdAtMs,
    updatedAtMs: r.updatedAtMs,
    finishedAtMs: r.finishedAtMs,
    ackRequired: r.ackRequired,
    ackedBy: r.ackedBy,
    ackedAtMs: r.ackedAtMs,
    hosts: r.hosts.map(hostView),
    maxParallel: r.maxParallel,
    releaseNotes: r.releaseNotes,
    authHost: r.authHost,
    resumeAtMs: r.resumeAtMs,
    notesMissing: notesOf(r).missing,
    notesLookedIn: notesOf(r).lookedIn,
    requiredChanges: r.requiredChanges ?? [],
    notesError: notesOf(r).remoteError,
    rollbackPossible: rollback.possible,
    rollbackBlocked: rollback.blocked,
  };
}

/** `convoy plan`: each host's verdict, the notes and drift, and what would hold the rollout. */
export function planView(p: RolloutPreview, opts: { fleet: Fleet; includeDiff: boolean }): PlanResponse {
  const r = p.rollout;
  const hosts = r.hosts.map((h): PlanHost => {
    const v = p.hosts.find((x) => x.agentId === h.agentId);
    const rec = opts.fleet.get(h.agentId);
    const health = v?.inspection?.health;
    const drift = v?.drift ? { ...v.drift, diffLines: opts.includeDiff ? v.drift.diffLines : [] } : null;
    return {
      agentId: h.agentId,
      role: h.role,
      order: h.order,
      installedVersion: v?.inspection?.repo?.installedVersion ?? rec?.repo?.installedVersion ?? '',
      targetVersion: r.target,
      steps: v?.verdict === 'update' ? [...(h.hasBackup ? ['backup'] : []), ...h.updateSteps] : [],
      releaseNotes: v?.inspection?.releaseNotes ?? null,
      problem: v?.verdict === 'refused' ? v.reason : '',
      connected: rec?.connected ?? false,
      healthy: isHealthy(health),
      verdict: v?.verdict ?? 'refused',
      verdictReason: v?.reason ?? '',
      drift,
      servedVersion: health?.version ?? '',
    };
  });
  const notes = notesOf(r);
  return {
    cluster: r.cluster,
    targetVersion: r.target,
    hosts,
    requiresAction: p.ackReasons.length > 0,
    problems: hosts.filter((h) => h.problem).map((h) => `${h.agentId}: ${h.problem}`),
    phases: planPhases(r.authHost),
    ackReasons: p.ackReasons,
    notesMissing: notes.missing,
    notesLookedIn: notes.lookedIn,
    releaseNotes: r.releaseNotes,
    requiredChanges: r.requiredChanges ?? [],
    notesError: notes.remoteError,
    versions: notes.versions,
  };
}

export function agentView(a: AgentRecord, cluster: ClusterConfig | undefined, healthState: string): AgentView {
  return {
    id: a.id,
    connected: a.connected,
    labels: a.labels,
    serverDir: a.serverDir,
    repo: a.repo ?? null,
    health: a.health ?? null,
    plan: a.plan,
    lastSeenMs: a.lastSeenMs,
    cluster: cluster?.name ?? '',
    role: cluster ? (cluster.authServer === a.id ? 'auth' : 'member') : '',
    backupCount: a.backups.length,
    hostname: a.hostname,
    agentVersion: a.agentVersion,
    connectedSinceMs: a.connected ? a.connectedSinceMs : 0,
    checkedOutVersion: a.repo?.installedVersion ?? '',
    servedVersion: a.connected ? (a.health?.version ?? '') : '',
    healthState,
    healthReportedAtMs: a.healthReportedAtMs ?? 0,
    protocolVersion: a.protocolVersion ?? 1,
    certificate: a.certificate ?? null,
  };
}

export function eventView(e: EventRecord): EventView {
  return {
    seq: e.seq ?? 0,
    atMs: e.atMs,
    rolloutId: e.rolloutId,
    agentId: e.agentId,
    step: e.step,
    actor: e.actor,
    kind: e.kind,
    message: e.message,
  };
}

export function logLineView(l: StoredLogLine): LogLine {
  return { rolloutId: l.rolloutId, agentId: l.agentId, step: l.step, atMs: l.atMs, line: l.line, seq: l.seq };
}
