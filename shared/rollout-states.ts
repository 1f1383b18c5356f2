/**
 * Rollout states: the contract in DESIGN.md, one definition for the coordinator's model and
 * the CLI's views (the wire carries the state as a string).
 */
export type RolloutState =
  /** created, preflight not finished */
  | 'pending'
  /** release notes declare required changes; waits for `convoy rollout ack` */
  | 'awaiting-ack'
  /** steps are being dispatched (a rollback too: phase `rollback`) */
  | 'running'
  /** no new step starts until resumed; steps in flight finish */
  | 'paused'
  /** every host is at the target */
  | 'succeeded'
  /** a host failed; no further host is touched */
  | 'failed'
  /** an operator aborted it; the step in flight was cancelled */
  | 'aborted';

/** The states a rollout never leaves by itself (a rollback by hand runs in a failed or aborted one). */
export const TERMINAL_STATES: readonly RolloutState[] = ['succeeded', 'failed', 'aborted'];

/** True for a terminal state; takes the wire's string as well as a RolloutState. */
export function isTerminal(state: string): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** What an operator can do to a rollout: `convoy rollout <action> <id>`, sent through ActOnRollout. */
export const ROLLOUT_ACTIONS = ['ack', 'pause', 'resume', 'abort', 'rollback'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];
