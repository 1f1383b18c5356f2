/**
 * What `convoy rollout watch` shows, as pure functions of RolloutViews and `now`: the frame a
 * terminal redraws in place, and the plain lines printed (only on change) when not on a terminal.
 */
import { formatDuration } from '../../shared/durations.js';
import { ackSummary, colorState, nextCommands } from './rollout-text.js';
import { formatClock, formatTable, formatTimestamp, orDash, type Paint } from './output.js';
import { rolloutScope, type HostView, type RolloutView, type StepRunView } from './views.js';

function hostsInOrder(view: RolloutView): HostView[] {
  return [...view.hosts].sort((a, b) => a.order - b.order);
}

/** The phase a host is in: the phase of its latest step run. */
function hostPhase(host: HostView): string {
  return host.steps[host.steps.length - 1]?.phase ?? '';
}

/**
 * Time in the host's current step: growing while it runs, its final duration once it ended
 * (the coordinator keeps the last step as "current" between steps), "-" before any step.
 */
export function stepElapsed(host: HostView, now: number): string {
  if (!host.currentStep) return '-';
  const run = [...host.steps].reverse().find((r) => r.step === host.currentStep);
  if (run && run.outcome !== 'running') return formatDuration(run.durationMs || Math.max(0, run.finishedAtMs - run.startedAtMs));
  const started = run?.startedAtMs || host.stepStartedAtMs;
  return started ? formatDuration(Math.max(0, now - started)) : '-';
}

/** The header line: id, scope, target, state, phase and the acknowledgement state. */
export function watchHeader(view: RolloutView, p: Paint): string {
  return `rollout ${p.bold(view.id)}  ${rolloutScope(view)} → ${view.targetVersion}  ${colorState(view.state, p)}  phase ${orDash(view.phase)}  ack ${ackSummary(view)}`;
}

/** Why the rollout waits and the command that continues it; empty when it does not wait. */
export function waitingNotice(view: RolloutView): string[] {
  if (view.state === 'awaiting-ack') {
    const why = view.reason || 'the release notes require manual changes';
    return [`waiting for acknowledgement: ${why}.`, `Review: convoy rollout status ${view.id}   Continue: convoy rollout ack ${view.id}`];
  }
  if (view.state === 'paused') {
    const when = view.resumeAtMs ? ` It resumes by itself at ${formatTimestamp(view.resumeAtMs)}.` : '';
    return [`paused: ${view.reason || 'by request'}.${when}`, `Continue: convoy rollout resume ${view.id}`];
  }
  return [];
}

/** The frame a terminal shows: header, one row per host (auth marked *), then any notice. */
export function renderWatchFrame(view: RolloutView, now: number, p: Paint): string[] {
  const rows = hostsInOrder(view).map((h) => [
    `${h.role === 'auth' ? '*' : ' '} ${h.agentId}`,
    orDash(hostPhase(h)),
    orDash(h.currentStep),
    stepElapsed(h, now),
    colorState(h.state, p),
  ]);
  const lines = [watchHeader(view, p), ...formatTable(['  HOST', 'PHASE', 'STEP', 'ELAPSED', 'STATE'], rows)];
  const notice = waitingNotice(view);
  if (notice.length) lines.push(...notice.map((l) => p.yellow(l)));
  return lines;
}

function runKey(run: StepRunView): string {
  return `${run.requestId}|${run.step}|${run.attempt}`;
}

function runLine(host: HostView, run: StepRunView): string {
  const name = run.attempt > 1 ? `${run.step} (#${run.attempt})` : run.step;
  if (run.outcome === 'running') return `${host.agentId} ${host.state} ${name}`;
  const reason = run.reason && run.outcome !== 'succeeded' ? `: ${run.reason}` : '';
  return `${host.agentId} ${host.state} ${name} ${run.outcome} ${formatDuration(run.durationMs || run.finishedAtMs - run.startedAtMs)}${reason}`;
}

function hostChanges(prev: HostView | undefined, next: HostView): string[] {
  const before = new Map((prev?.steps ?? []).map((r) => [runKey(r), r.outcome]));
  const lines = next.steps.filter((r) => before.get(runKey(r)) !== r.outcome).map((r) => runLine(next, r));
  if (lines.length === 0 && prev && prev.state !== next.state) {
    lines.push(`${next.agentId} ${next.state}${next.reason && next.state === 'failed' ? `: ${next.reason}` : ''}`);
  }
  return lines;
}

/**
 * Plain lines for what changed between two views (`prev` undefined: the first view), each
 * stamped with the local time, e.g. "12:01:03 hoss-a updating build succeeded 3.2s".
 */
export function describeChanges(prev: RolloutView | undefined, next: RolloutView, now: number): string[] {
  const lines: string[] = [];
  if (!prev) lines.push(`rollout ${next.id} ${rolloutScope(next)} → ${next.targetVersion} ${next.state} phase ${orDash(next.phase)}`);
  else if (prev.state !== next.state || prev.phase !== next.phase)
    lines.push(`rollout ${next.id} ${next.state} phase ${orDash(next.phase)}`);
  const prevHosts = new Map((prev?.hosts ?? []).map((h) => [h.agentId, h]));
  for (const host of hostsInOrder(next)) lines.push(...hostChanges(prevHosts.get(host.agentId), host));
  if (!prev || prev.state !== next.state) lines.push(...waitingNotice(next));
  return lines.map((l) => `${formatClock(now)} ${l}`);
}

/** The closing lines once the rollout is terminal: outcome, and on failure what to run next. */
export function finalSummary(view: RolloutView): string[] {
  const took = view.finishedAtMs && view.createdAtMs ? ` (took ${formatDuration(view.finishedAtMs - view.createdAtMs)})` : '';
  if (view.state === 'succeeded') return [`rollout ${view.id} succeeded: ${rolloutScope(view)} is at ${view.targetVersion}${took}`];
  const where = view.failedHost ? ` on ${view.failedHost}${view.failedStep ? ` at step ${view.failedStep}` : ''}` : '';
  const lines = [`rollout ${view.id} ${view.state}${where}${view.reason ? `: ${view.reason}` : ''}${took}`];
  const next = nextCommands(view);
  if (next.length) lines.push(`Next: ${next.join('   ')}`);
  return lines;
}
