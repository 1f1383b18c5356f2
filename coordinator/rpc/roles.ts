/**
 * Which ControlService method needs which role. viewer: read commands; operator: also every
 * command that changes something. A method missing here needs the operator role (see
 * requiredRole), so a new write RPC is never open to viewers by accident; a unit test checks
 * that every method of control.proto is listed.
 */

/** What an operator certificate may do, from coordinator.yaml `operators[].role`. */
export type ControlRole = 'viewer' | 'operator';

/** Keyed by the handler names (camelCase, as controlServiceHandlers returns them). */
export const CONTROL_METHOD_ROLES: Readonly<Record<string, ControlRole>> = {
  listAgents: 'viewer',
  plan: 'viewer',
  getRollout: 'viewer',
  listRollouts: 'viewer',
  watchRollout: 'viewer',
  rolloutLogs: 'viewer',
  listEvents: 'viewer',
  listBackups: 'viewer',
  listSchedules: 'viewer',
  startRollout: 'operator',
  actOnRollout: 'operator',
  runSchedule: 'operator',
  setScheduleEnabled: 'operator',
  saveSnapshot: 'operator',
};

/** The CLI command behind a method, for refusal messages operators recognise. */
export const CONTROL_METHOD_COMMANDS: Readonly<Record<string, string>> = {
  startRollout: 'convoy rollout start',
  actOnRollout: 'convoy rollout ack|pause|resume|abort|rollback',
  runSchedule: 'convoy schedules run',
  setScheduleEnabled: 'convoy schedules enable|disable',
  saveSnapshot: 'convoy admin snapshot save',
};

export function requiredRole(method: string): ControlRole {
  return CONTROL_METHOD_ROLES[method] ?? 'operator';
}

/** True when `role` may call a method that requires `needed`. */
export function roleAllows(role: ControlRole, needed: ControlRole): boolean {
  return role === 'operator' || needed === 'viewer';
}
