/**
 * The built-in health check: an HTTP GET that must answer 2xx, or a command that must
 * exit 0, and, when a version field is configured, report the target version. Health
 * means the new version is serving, not only that a port answers.
 */
import type { AgentConfig, HealthCommandCheck, HealthUrlCheck } from '../types.js';
import type { Clock } from '../../shared/clock.js';
import { formatDuration } from '../../shared/durations.js';
import { messageOf } from '../../shared/errors.js';
import { HttpRequestError, httpRequest, type HttpResponse } from '../../shared/http-client.js';
import { sameVersion } from '../../shared/versions.js';
import type { HealthState } from '../../shared/wire.js';
import { commandLabel } from './command-step.js';
import { runHealthCommand } from './health-command.js';

/** The resolved `health:` section of agent.yaml. */
export type HealthConfig = NonNullable<AgentConfig['health']>;

/** A health response larger than this is refused: memory stays bounded whatever the service sends. */
const MAX_BODY_BYTES = 64 * 1024;
/** A first stdout line longer than this is not a version; it is cut before being reported. */
const MAX_VERSION_CHARS = 100;
/**
 * The health step's first wait between probes. A service usually turns healthy within a few
 * seconds of `up`: probing only every health.intervalMs noticed it half an interval late on
 * average, and the next host waited for that. The waits double from here up to the interval.
 */
export const FIRST_POLL_MS = 100;

/** The wait after probe number `attempt` (0-based): FIRST_POLL_MS doubling, capped at `intervalMs`. */
export function healthPollDelay(attempt: number, intervalMs: number): number {
  return Math.min(intervalMs, FIRST_POLL_MS * 2 ** Math.min(attempt, 30));
}

/** While still unhealthy, repeat an unchanged progress line this often. */
const PROGRESS_EVERY_MS = 10_000;

export interface ProbeOptions {
  /** The version the service must report (health step); undefined for a plain probe. */
  want?: string;
  signal?: AbortSignal;
  /** Added to a health command's environment (the step adds CONVOY_TARGET_VERSION). */
  env?: Record<string, string>;
  /** The process group of a health command, as soon as it started. */
  onProcessGroup?: (pgid: number) => void;
  onProcessGroupEnded?: (pgid: number) => void;
}

/** One request or one run of the command, no waiting. Never throws. */
export async function probeHealth(config: HealthConfig | undefined, clock: Clock, opts: ProbeOptions = {}): Promise<HealthState> {
  if (!config) return { healthy: true, version: '', detail: 'no health check configured', checkedAtMs: clock.now(), configured: false };
  const observed = isCommandCheck(config) ? await runCheckCommand(config, opts) : await requestHealth(config, opts.signal);
  const state = { healthy: false, version: observed.version ?? '', detail: observed.detail, checkedAtMs: clock.now(), configured: true };
  if (!observed.ok) return state;
  if (opts.want !== undefined && config.versionField && !sameVersion(observed.version, opts.want)) {
    return {
      ...state,
      detail: observed.version === undefined ? observed.detail : `reports version ${observed.version}, want ${opts.want}`,
    };
  }
  const also = await probeAlsoUrls(config, opts.signal);
  if (also) return { ...state, detail: `${observed.detail}, but ${also}` };
  return { ...state, healthy: true };
}

/** The extra URLs that must answer 2xx too; the first that does not, with why. */
async function probeAlsoUrls(config: HealthConfig, signal?: AbortSignal): Promise<string | undefined> {
  for (const url of config.alsoUrls ?? []) {
    const r = await requestHealth({ url, requestTimeoutMs: config.requestTimeoutMs }, signal);
    if (!r.ok) return `${url}: ${r.detail}`;
  }
  return undefined;
}

function isCommandCheck(config: HealthConfig): config is HealthConfig & HealthCommandCheck {
  return config.command !== undefined;
}

interface Observation {
  /** 2xx, and the version field present when one is configured. */
  ok: boolean;
  version?: string;
  detail: string;
}

/**
 * One GET through shared/http-client.ts, like every other request Convoy makes: one timer per
 * request (not a combined AbortSignal, which Node 20 may collect with its timeout inside), a
 * bounded body, and no fetch: loading undici for a probe every few seconds cost an idle agent
 * several MiB.
 */
async function requestHealth(
  config: Pick<HealthConfig, 'versionField' | 'requestTimeoutMs'> & Pick<HealthUrlCheck, 'url'>,
  signal?: AbortSignal,
): Promise<Observation> {
  let res: HttpResponse;
  try {
    res = await httpRequest(config.url, {
      timeoutMs: config.requestTimeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      discardBody: !config.versionField,
      signal,
      shownAs: config.url,
    });
  } catch (err) {
    if (err instanceof HttpRequestError && err.kind === 'timeout') return { ok: false, detail: err.detail };
    return { ok: false, detail: `request failed: ${err instanceof HttpRequestError ? err.detail : messageOf(err)}` };
  }
  if (res.status < 200 || res.status > 299) return { ok: false, detail: `status ${res.status}` };
  if (!config.versionField) return { ok: true, detail: `status ${res.status}` };
  return readVersion(res.body.toString('utf8'), config.versionField, { said: `status ${res.status}`, source: 'the response' });
}

/** Healthy when the command exits 0 in time; the version comes from its stdout. */
async function runCheckCommand(config: HealthConfig & HealthCommandCheck, opts: ProbeOptions): Promise<Observation> {
  const run = await runHealthCommand({
    command: config.command,
    cwd: config.cwd,
    env: { ...config.env, ...opts.env },
    timeoutMs: config.requestTimeoutMs,
    signal: opts.signal,
    onProcessGroup: opts.onProcessGroup,
    onProcessGroupEnded: opts.onProcessGroupEnded,
  });
  if (!run.ok) return { ok: false, detail: run.detail };
  if (config.versionField) return readVersion(run.stdout, config.versionField, { said: 'exited 0', source: 'stdout' });
  const first = run.stdout.split('\n', 1)[0]?.trim().slice(0, MAX_VERSION_CHARS) ?? '';
  return first ? { ok: true, version: first, detail: `exited 0, version ${first}` } : { ok: true, detail: 'exited 0' };
}

/** Where a version is read from, for the messages: `said` is what already went right. */
interface VersionSource {
  said: string;
  source: string;
}

function readVersion(body: string, field: string, { said, source }: VersionSource): Observation {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, detail: `${said} but ${source} is not JSON (versionField ${field})` };
  }
  const value = field
    .split('.')
    .reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), json);
  if (typeof value !== 'string' && typeof value !== 'number') {
    return { ok: false, detail: `${said} but ${source} has no version field "${field}"` };
  }
  return { ok: true, version: String(value), detail: `${said}, version ${String(value)}` };
}

/** How messages name the check: its URL, or the command as written (shortened). */
export function checkLabel(config: HealthConfig): string {
  return config.command !== undefined ? `command \`${commandLabel(config.command)}\`` : config.url;
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
  /** The process group of each run of a health command. */
  onProcessGroup?: (pgid: number) => void;
  onProcessGroupEnded?: (pgid: number) => void;
}

/** Polls (soon at first, then every interval) until healthy at the target, the health deadline passes, or the signal aborts. */
export async function runHealthStep(opts: HealthStepOptions): Promise<HealthStepResult> {
  const { config, clock } = opts;
  if (!config) {
    const health = await probeHealth(undefined, clock);
    return { outcome: 'SUCCEEDED', reason: health.detail, health };
  }
  const deadlineMs = opts.deadlineMs ?? config.deadlineMs;
  const deadline = clock.now() + deadlineMs;
  const progress = progressReporter(opts);
  const label = checkLabel(config);
  const probe: ProbeOptions = {
    want: opts.target,
    signal: opts.signal,
    env: stepEnv(opts.target),
    onProcessGroup: opts.onProcessGroup,
    onProcessGroupEnded: opts.onProcessGroupEnded,
  };
  for (let attempt = 0; ; attempt++) {
    const health = await probeHealth(config, clock, probe);
    if (opts.signal.aborted) return { outcome: 'CANCELLED', reason: 'health check cancelled', health };
    progress(health);
    if (health.healthy) return { outcome: 'SUCCEEDED', reason: `healthy: ${label} ${health.detail}`, health };
    if (clock.now() >= deadline) {
      return {
        outcome: 'FAILED',
        reason: `health ${label} not healthy after ${formatDuration(deadlineMs)}: ${health.detail}`,
        health,
      };
    }
    try {
      await clock.sleep(Math.min(healthPollDelay(attempt, config.intervalMs), deadline - clock.now()), opts.signal);
    } catch {
      return { outcome: 'CANCELLED', reason: 'health check cancelled', health };
    }
  }
}

/** What a health command sees during the step, beyond the agent-wide CONVOY_* variables. */
function stepEnv(target: string | undefined): Record<string, string> {
  return target === undefined ? { CONVOY_STEP: 'health' } : { CONVOY_STEP: 'health', CONVOY_TARGET_VERSION: target };
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
    opts.onOutput([`health ${opts.config ? checkLabel(opts.config) : ''}: ${line}`]);
  };
}
