/**
 * The built-in health check: an HTTP GET that must answer 2xx and, when a version field
 * is configured, report the target version. Health means the new version is serving,
 * not only that a port answers.
 */
import type { AgentConfig } from '../types.js';
import type { Clock } from '../../shared/clock.js';
import { formatDuration } from '../../shared/durations.js';
import { messageOf } from '../../shared/errors.js';
import { sameVersion } from '../../shared/versions.js';
import type { HealthState } from '../../shared/wire.js';

/** The resolved `health:` section of agent.yaml. */
export type HealthConfig = NonNullable<AgentConfig['health']>;

/** Read at most this much of a health response. */
const MAX_BODY_CHARS = 64 * 1024;
/** While still unhealthy, repeat an unchanged progress line this often. */
const PROGRESS_EVERY_MS = 10_000;

export interface ProbeOptions {
  /** The version the service must report (health step); undefined for a plain probe. */
  want?: string;
  signal?: AbortSignal;
}

/** One request, no waiting. Never throws. */
export async function probeHealth(config: HealthConfig | undefined, clock: Clock, opts: ProbeOptions = {}): Promise<HealthState> {
  if (!config) return { healthy: true, version: '', detail: 'no health check configured', checkedAtMs: clock.now(), configured: false };
  const observed = await requestHealth(config, opts.signal);
  const state = { healthy: false, version: observed.version ?? '', detail: observed.detail, checkedAtMs: clock.now(), configured: true };
  if (!observed.ok) return state;
  if (opts.want !== undefined && config.versionField && !sameVersion(observed.version, opts.want)) {
    return {
      ...state,
      detail: observed.version === undefined ? observed.detail : `reports version ${observed.version}, want ${opts.want}`,
    };
  }
  return { ...state, healthy: true };
}

interface Observation {
  /** 2xx, and the version field present when one is configured. */
  ok: boolean;
  version?: string;
  detail: string;
}

async function requestHealth(config: HealthConfig, signal?: AbortSignal): Promise<Observation> {
  const timeout = AbortSignal.timeout(config.requestTimeoutMs);
  try {
    const res = await fetch(config.url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'manual' });
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel();
      return { ok: false, detail: `status ${res.status}` };
    }
    if (!config.versionField) {
      await res.body?.cancel();
      return { ok: true, detail: `status ${res.status}` };
    }
    return readVersion((await res.text()).slice(0, MAX_BODY_CHARS), config.versionField, res.status);
  } catch (err) {
    if (timeout.aborted) return { ok: false, detail: `no answer within ${formatDuration(config.requestTimeoutMs)}` };
    return { ok: false, detail: `request failed: ${causeOf(err)}` };
  }
}

function readVersion(body: string, field: string, status: number): Observation {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, detail: `status ${status} but the response is not JSON (versionField ${field})` };
  }
  const value = field
    .split('.')
    .reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), json);
  if (typeof value !== 'string' && typeof value !== 'number') {
    return { ok: false, detail: `status ${status} but the response has no version field "${field}"` };
  }
  return { ok: true, version: String(value), detail: `status ${status}, version ${String(value)}` };
}

/** fetch() reports "fetch failed"; the useful part (ECONNREFUSED …) is in the cause. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : messageOf(err);
}

/** How the health step ended. */
export interface HealthStepResult {
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason: string;
  health: HealthState;
}

export interface HealthStepOptions {
  config: HealthConfig | undefined;
  /** The version that must be serving; undefined when any version will do (a branch target). */
  target?: string;
  clock: Clock;
  signal: AbortSignal;
  onOutput(lines: string[]): void;
  /** The coordinator's deadline for this rollout, replacing config.deadlineMs when set. */
  deadlineMs?: number;
}

/** Polls until healthy at the target, the health deadline passes, or the signal aborts. */
export async function runHealthStep(opts: HealthStepOptions): Promise<HealthStepResult> {
  const { config, clock } = opts;
  if (!config) {
    const health = await probeHealth(undefined, clock);
    return { outcome: 'SUCCEEDED', reason: health.detail, health };
  }
  const deadlineMs = opts.deadlineMs ?? config.deadlineMs;
  const deadline = clock.now() + deadlineMs;
  const progress = progressReporter(opts);
  for (;;) {
    const health = await probeHealth(config, clock, { want: opts.target, signal: opts.signal });
    if (opts.signal.aborted) return { outcome: 'CANCELLED', reason: 'health check cancelled', health };
    progress(health);
    if (health.healthy) return { outcome: 'SUCCEEDED', reason: `healthy: ${config.url} ${health.detail}`, health };
    if (clock.now() >= deadline) {
      return {
        outcome: 'FAILED',
        reason: `health ${config.url} not healthy after ${formatDuration(deadlineMs)}: ${health.detail}`,
        health,
      };
    }
    try {
      await clock.sleep(Math.min(config.intervalMs, deadline - clock.now()), opts.signal);
    } catch {
      return { outcome: 'CANCELLED', reason: 'health check cancelled', health };
    }
  }
}

/** Emits a line when the observation changes, and repeats it now and then while unhealthy. */
function progressReporter(opts: HealthStepOptions): (h: HealthState) => void {
  let last = '';
  let lastAt = -Infinity;
  return (h) => {
    const line = h.healthy ? `healthy: ${h.detail}` : `not healthy yet: ${h.detail}`;
    const now = opts.clock.now();
    if (line === last && now - lastAt < PROGRESS_EVERY_MS) return;
    last = line;
    lastAt = now;
    opts.onOutput([`health ${opts.config?.url ?? ''}: ${line}`]);
  };
}
