/**
 * Every bound of a number or duration in coordinator.yaml, in one place: the schema
 * (config.ts, release-notes/config.ts) reads them, and docs/configuration.md lists them (a unit
 * test compares the two). Each range says what breaks outside it; the numbers are chosen so
 * that no value in range can stall a rollout or a timer.
 */
import type { DurationBound, SizeBound } from '../shared/bounded-values.js';
import { writeDuration } from '../shared/durations.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long an agent may be silent; at least HEARTBEAT_TIMEOUT_FACTOR heartbeat intervals (config.ts). */
export const HEARTBEAT_TIMEOUT: DurationBound = {
  min: 1 * SECOND,
  max: 10 * MINUTE,
  dflt: '20s',
  // the sweep of daemon.ts judges silence once a second
  below: 'convoyd checks heartbeats once a second',
  above: 'an agent that died would be shown connected, and its steps waited for, that long',
};

/**
 * heartbeatTimeout / heartbeatInterval at least: one late or lost heartbeat must not mark an
 * agent disconnected, or every agent cycles through disconnect and reconnect forever.
 */
export const HEARTBEAT_TIMEOUT_FACTOR = 2;

/** What convoyd asks agents in the welcome; an agent heartbeats at this or its own shorter interval. */
export const HEARTBEAT_INTERVAL: DurationBound = {
  min: HEARTBEAT_TIMEOUT.min / HEARTBEAT_TIMEOUT_FACTOR,
  max: HEARTBEAT_TIMEOUT.max / HEARTBEAT_TIMEOUT_FACTOR,
  dflt: '5s',
  below: 'convoyd judges heartbeats once a second: more would be load from every agent, not faster detection',
  above: `heartbeatTimeout must be at least ${HEARTBEAT_TIMEOUT_FACTOR} intervals and is at most ${writeDuration(HEARTBEAT_TIMEOUT.max)}`,
};

export const STEP_GRACE: DurationBound = {
  min: 1 * SECOND,
  max: 1 * HOUR,
  dflt: '30s',
  below: 'a step would be failed as lost before its agent could reconnect and report it',
  above: "a step lost with its agent would hold the rollout that long after the step's own timeout",
};

/**
 * The health gate of each host. Agents refuse a deadline past what their timers can hold
 * (MAX_TIMER_MS in agent/config/schema.ts), and a rollout fails the host only after sending
 * it: so the bound must be well inside what agents accept. An hour is far past any healthy
 * start; a rollout waiting longer keeps a host half-updated while nothing happens.
 */
export const HEALTH_DEADLINE: DurationBound = {
  min: 1 * SECOND,
  max: 1 * HOUR,
  dflt: '5m',
  below: 'no server is built, started and serving its new version that fast',
  above: 'the rollout would hold a half-updated host that long before failing it',
  zero: 'does not mean "no deadline": 0s is not sent, and each agent would wait its own health.deadline instead',
};

/** Queries are paced to pollInterval while alerts pause a rollout. */
export const ALERTS_POLL_INTERVAL: DurationBound = {
  min: 1 * SECOND,
  max: 1 * HOUR,
  dflt: '15s',
  below: 'a paused rollout would hammer Prometheus',
  above: 'a rollout paused by alerts would resume that long after they stop firing',
};

export const ALERTS_TIMEOUT: DurationBound = {
  min: 100,
  max: 1 * MINUTE,
  dflt: '5s',
  below: 'every query would time out',
  above: "a Prometheus that hangs would hold each host's start that long",
};

export const WEBHOOK_TIMEOUT: DurationBound = {
  min: 100,
  max: 1 * MINUTE,
  dflt: '5s',
  below: 'every delivery would time out',
  above: 'a receiver that hangs would hold each delivery and each retry that long',
};

export const WEBHOOK_RETRIES = { min: 0, max: 20 } as const;
export const MAX_PARALLEL = { min: 1, max: 64 } as const;

export const SCHEDULE_WINDOW: DurationBound = {
  min: 1 * SECOND,
  max: 7 * DAY,
  below: 'no host could start in it',
  above: 'a maintenance window longer than a week covers the next weekly window too; run the rollout by hand instead',
};

export const NOTES_TIMEOUT: DurationBound = {
  min: 1 * SECOND,
  max: 5 * MINUTE,
  dflt: '10s',
  below: 'every request to GitHub would time out',
  above: 'a rollout would wait that long for an API that does not answer',
};

export const NOTES_CACHE_TTL: DurationBound = {
  min: 1 * MINUTE,
  max: 30 * DAY,
  dflt: '1h',
  below: 'every plan and rollout would ask GitHub again and spend its rate limit',
  above: 'a note edited on GitHub would stay unseen that long',
};

export const RETENTION_MAX_AGE: DurationBound = {
  min: 1 * HOUR,
  max: 3650 * DAY,
  dflt: '90d',
  below: 'the output of a rollout would be gone before anyone read it',
  above: 'ten years of step output is an archive; export it instead',
};

export const RETENTION_MAX_LOG_SIZE: SizeBound = {
  min: 1024 ** 2,
  max: 1024 ** 4,
  dflt: '1GiB',
  below: 'the output of a single rollout would not fit',
  above: 'convoyd keeps step output in its state file, which is no log archive',
};

/** Every bounded key of coordinator.yaml with its range: the table of docs/configuration.md ("Bounds") lists each. */
export const COORDINATOR_BOUNDS: readonly { key: string; kind: 'duration' | 'size' | 'number'; min: number; max: number }[] = [
  { key: 'heartbeatInterval', kind: 'duration', ...HEARTBEAT_INTERVAL },
  { key: 'heartbeatTimeout', kind: 'duration', ...HEARTBEAT_TIMEOUT },
  { key: 'stepGrace', kind: 'duration', ...STEP_GRACE },
  { key: 'clusters[].maxParallel', kind: 'number', ...MAX_PARALLEL },
  { key: 'clusters[].healthDeadline', kind: 'duration', ...HEALTH_DEADLINE },
  { key: 'clusters[].alerts.pollInterval', kind: 'duration', ...ALERTS_POLL_INTERVAL },
  { key: 'clusters[].alerts.timeout', kind: 'duration', ...ALERTS_TIMEOUT },
  { key: 'clusters[].releaseNotes.github.timeout', kind: 'duration', ...NOTES_TIMEOUT },
  { key: 'clusters[].releaseNotes.github.cacheTtl', kind: 'duration', ...NOTES_CACHE_TTL },
  { key: 'webhooks[].timeout', kind: 'duration', ...WEBHOOK_TIMEOUT },
  { key: 'webhooks[].retries', kind: 'number', ...WEBHOOK_RETRIES },
  { key: 'schedules[].window', kind: 'duration', ...SCHEDULE_WINDOW },
  { key: 'retention.maxAge', kind: 'duration', ...RETENTION_MAX_AGE },
  { key: 'retention.maxLogSize', kind: 'size', ...RETENTION_MAX_LOG_SIZE },
];
