/**
 * The ControlService messages (proto/convoy/v1/control.proto) under the names the CLI imports:
 * the `__Output` flavours generated from proto/ (npm run proto:types), i.e. what the CLI
 * receives, every non-oneof field present. coordinator/rpc/views.ts builds them on the other
 * side, checked against the same types. The helpers below read them.
 */
import type { RolloutView__Output as RolloutView } from '../../shared/generated/convoy/v1/RolloutView.js';

export type { AgentView__Output as AgentView } from '../../shared/generated/convoy/v1/AgentView.js';
export type { BackupView__Output as BackupView } from '../../shared/generated/convoy/v1/BackupView.js';
export type { EventView__Output as EventView } from '../../shared/generated/convoy/v1/EventView.js';
export type { HostView__Output as HostView } from '../../shared/generated/convoy/v1/HostView.js';
export type { ListBackupsResponse__Output as ListBackupsResponse } from '../../shared/generated/convoy/v1/ListBackupsResponse.js';
export type { LogLine__Output as LogLine } from '../../shared/generated/convoy/v1/LogLine.js';
export type { PlanHost__Output as PlanHost } from '../../shared/generated/convoy/v1/PlanHost.js';
export type { PlanRequest__Output as PlanRequest } from '../../shared/generated/convoy/v1/PlanRequest.js';
export type { PlanResponse__Output as PlanResponse } from '../../shared/generated/convoy/v1/PlanResponse.js';
export type { RolloutLogsRequest__Output as RolloutLogsRequest } from '../../shared/generated/convoy/v1/RolloutLogsRequest.js';
export type { RolloutView };
export type { ScheduleView__Output as ScheduleView } from '../../shared/generated/convoy/v1/ScheduleView.js';
export type { ScheduleWindowView__Output as ScheduleWindowView } from '../../shared/generated/convoy/v1/ScheduleWindowView.js';
export type { SnapshotView__Output as SnapshotView } from '../../shared/generated/convoy/v1/SnapshotView.js';
export type { CertificateView__Output as CertificateView } from '../../shared/generated/convoy/v1/CertificateView.js';
export type { StartRolloutRequest__Output as StartRolloutRequest } from '../../shared/generated/convoy/v1/StartRolloutRequest.js';
export type { StepRunView__Output as StepRunView } from '../../shared/generated/convoy/v1/StepRunView.js';

export { isTerminal, ROLLOUT_ACTIONS, type RolloutAction, type RolloutState } from '../../shared/rollout-states.js';

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
