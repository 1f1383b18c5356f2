/**
 * The bounds on step output an agent can make convoyd store (docs/security.md, "Bounds"). A
 * step's full output stays in the agent's own log on its host; convoyd keeps what operators
 * read with `convoy rollout logs`, within these numbers. Retention (age and total size) is
 * configured in coordinator.yaml and enforced by retention.ts.
 */
import type { RatePolicy } from '../../shared/rate-limit.js';

/** Lines and bytes kept per step run. */
export const MAX_LOG_LINES_PER_RUN = 5000;
export const MAX_LOG_BYTES_PER_RUN = 2 * 1024 * 1024;
/** Bytes kept per rollout, all hosts and steps together. */
export const MAX_LOG_BYTES_PER_ROLLOUT = 32 * 1024 * 1024;
/** Bytes of output accepted from one agent: a sustained rate, and a burst. */
export const AGENT_OUTPUT_RATE: RatePolicy = { perMinute: 60 * 1024 * 1024, burst: 16 * 1024 * 1024 };
/** Output for a step that finished this recently is still accepted (it was on its way). */
export const LATE_OUTPUT_MS = 30_000;

/** coordinator.yaml `retention:` resolved. */
export interface RetentionConfig {
  /** Output and events of rollouts finished longer ago are deleted. */
  maxAgeMs: number;
  /** Stored output in total; the oldest finished rollouts' output goes first. */
  maxLogBytes: number;
}

/** As coordinator.yaml writes the defaults, and resolved. */
export const DEFAULT_RETENTION = { maxAge: '90d', maxLogSize: '1GiB' } as const;
export const DEFAULT_RETENTION_CONFIG: RetentionConfig = { maxAgeMs: 90 * 86_400_000, maxLogBytes: 1024 ** 3 };

/** Why output lines were not stored: the reason label of convoy_step_output_dropped_lines_total. */
export const OUTPUT_DROP_REASONS = ['unknown-request', 'run-limit', 'rollout-limit', 'agent-rate', 'total-limit'] as const;
export type OutputDropReason = (typeof OUTPUT_DROP_REASONS)[number];

/** Counts what the gate drops and what is stored (the metrics of convoyd). */
export interface OutputCounters {
  outputDropped(reason: OutputDropReason, lines: number): void;
}
