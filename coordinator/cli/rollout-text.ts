/** Words shared by the rollout commands: state colors, the acknowledgement line, next commands. */
import { formatTimestamp, type Paint } from './output.js';
import type { RolloutView } from './views.js';

/** Colors a rollout, host or step state by how it is going. */
export function colorState(state: string, p: Paint): string {
  if (['succeeded', 'updated', 'backed-up'].includes(state)) return p.green(state);
  if (['failed', 'aborted', 'timed-out', 'refused', 'interrupted', 'disconnected', 'cancelled'].includes(state)) return p.red(state);
  if (['awaiting-ack', 'paused', 'rolled-back', 'skipped'].includes(state)) return p.yellow(state);
  return state;
}

/** The acknowledgement line: not required, waiting (with the command), or who acknowledged. */
export function ackSummary(view: RolloutView): string {
  if (!view.ackRequired) return 'not required';
  if (view.ackedBy) return `acknowledged by ${view.ackedBy} at ${formatTimestamp(view.ackedAtMs)}`;
  return `required, waiting: convoy rollout ack ${view.id}`;
}

/** When a paused rollout resumes by itself: "at 2026-11-29 02:00:00, when the next maintenance window of schedule:weekly opens". */
export function resumeSummary(view: RolloutView): string {
  if (!view.resumeAtMs) return '';
  const of = view.initiator.startsWith('schedule:') ? ` of ${view.initiator}` : '';
  return `at ${formatTimestamp(view.resumeAtMs)}, when the next maintenance window${of} opens`;
}

/** What the operator can run next for a rollout in this state. */
export function nextCommands(view: RolloutView): string[] {
  const id = view.id;
  switch (view.state) {
    case 'awaiting-ack':
      return [`convoy rollout ack ${id}`, `convoy rollout abort ${id}`];
    case 'paused':
      return [`convoy rollout resume ${id}`, `convoy rollout abort ${id}`];
    case 'pending':
    case 'running':
      return [`convoy rollout watch ${id}`];
    case 'failed':
    case 'aborted': {
      const logs = view.failedHost
        ? `convoy rollout logs ${id} --host ${view.failedHost}${view.failedStep ? ` --step ${view.failedStep}` : ''}`
        : `convoy rollout logs ${id}`;
      return view.rollbackPossible ? [logs, `convoy rollout rollback ${id} --watch`] : [logs];
    }
    default:
      return [];
  }
}
