/** coordinator.yaml: what operators write (validated, all optional but a few) -> CoordinatorConfig. */
import path from 'node:path';
import fs from 'node:fs';
import semver from 'semver';
import { z } from 'zod';
import { addressProblem } from '../shared/address.js';
import { boundedDuration, boundedSize, wholeNumber } from '../shared/bounded-values.js';
import { limitProblems, loadYamlConfig, resolvePath } from '../shared/config-file.js';
import { ConfigError } from '../shared/errors.js';
import { stateFileProblems, tlsFilesProblems } from '../shared/file-security.js';
import { isLoopbackAddress } from '../shared/loopback.js';
import { normalizeFingerprint } from '../shared/cert-identity.js';
import { NAME_RE, NAME_RULE } from '../shared/names.js';
import { versionSyntaxProblem } from '../shared/versions.js';
import { cronProblem, timezoneProblem } from './schedule/cron.js';
import { checkAlertsConfig } from './alerts/selector.js';
import { type ReleaseNotesConfig, releaseNotesSchema, resolveReleaseNotes } from './release-notes/config.js';
import { DEFAULT_RETENTION, type RetentionConfig } from './logs/output-limits.js';
import {
  ALERTS_POLL_INTERVAL,
  ALERTS_TIMEOUT,
  HEALTH_DEADLINE,
  HEARTBEAT_INTERVAL,
  HEARTBEAT_TIMEOUT,
  MAX_PARALLEL,
  RETENTION_MAX_AGE,
  RETENTION_MAX_LOG_SIZE,
  SCHEDULE_WINDOW,
  STEP_GRACE,
  WEBHOOK_RETRIES,
  WEBHOOK_TIMEOUT,
} from './config-bounds.js';
import { checkTimings } from './config-checks.js';

const nameSchema = z.string().regex(NAME_RE, `is not a valid name (${NAME_RULE})`);
/** host:port by the one rule of shared/address.ts; the example shows the port the key usually has. */
function addressSchema(examplePort: number) {
  return z.string().superRefine((text, ctx) => {
    const problem = addressProblem(text, examplePort);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not host:port (${problem})` });
  });
}

const clusterSchema = z.strictObject({
  name: nameSchema,
  authServer: nameSchema.optional(),
  members: z.array(nameSchema).min(1, 'must list at least one member'),
  maxParallel: wholeNumber(MAX_PARALLEL.min, MAX_PARALLEL.max).default(1),
  healthDeadline: boundedDuration(HEALTH_DEADLINE).prefault('5m'),
  allowDowngrade: z.boolean().default(false),
  autoRollback: z.boolean().default(false),
  /** Block on firing Prometheus alerts before each host starts (Kured-style, see docs/alerts-and-webhooks.md). */
  alerts: z
    .strictObject({
      prometheus: z.url({ protocol: /^https?$/, error: 'is not a URL (expected http:// or https://)' }),
      selector: z.string().min(1).max(1000),
      pollInterval: boundedDuration(ALERTS_POLL_INTERVAL).prefault('15s'),
      timeout: boundedDuration(ALERTS_TIMEOUT).prefault('5s'),
    })
    .optional(),
  /** Release notes convoyd fetches itself (GitHub Releases), see docs/release-notes.md. */
  releaseNotes: releaseNotesSchema.optional(),
});

const operatorSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9@._-]{0,62}$/, 'is not a valid operator name (the CN of the certificate)'),
  role: z.enum(['viewer', 'operator'], { error: 'must be viewer or operator' }),
});

const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'is not a URL (expected http:// or https://)' }),
  events: z.array(z.enum(['started', 'awaiting-ack', 'paused', 'resumed', 'succeeded', 'failed', 'aborted'])).optional(),
  timeout: boundedDuration(WEBHOOK_TIMEOUT).prefault('5s'),
  retries: wholeNumber(WEBHOOK_RETRIES.min, WEBHOOK_RETRIES.max).default(5),
});

const scheduleSchema = z.strictObject({
  name: nameSchema,
  cluster: nameSchema,
  cron: z.string().max(200),
  timezone: z.string().max(100).default('UTC'),
  window: boundedDuration(SCHEDULE_WINDOW),
  target: z.string().max(100).default('latest'),
  enabled: z.boolean().default(true),
  ackReleaseNotes: z.boolean().default(false),
});

const fingerprintSchema = z
  .string()
  .refine((t) => normalizeFingerprint(t) !== undefined, {
    error:
      'is not a SHA-256 certificate fingerprint (expected 64 hex digits, plain or as AB:CD:…; print it with openssl x509 -noout -fingerprint -sha256 -in <cert>)',
  })
  .transform((t) => normalizeFingerprint(t)!);

const tlsSchema = z.strictObject({ ca: z.string(), cert: z.string(), key: z.string() });

export const coordinatorFileSchema = z.strictObject({
  listen: addressSchema(7400),
  http: addressSchema(9464).optional(),
  stateFile: z.string().min(1),
  insecure: z.boolean().default(false),
  tls: tlsSchema.optional(),
  heartbeatTimeout: boundedDuration(HEARTBEAT_TIMEOUT).prefault('20s'),
  heartbeatInterval: boundedDuration(HEARTBEAT_INTERVAL).prefault('5s'),
  stepGrace: boundedDuration(STEP_GRACE).prefault('30s'),
  clusters: z.array(clusterSchema).default([]),
  /** Operators allowed on the CLI service (identity = certificate CN), with their role. */
  operators: z.array(operatorSchema).default([]),
  /** Revoked agent ids: refused at connect; reloaded on SIGHUP. */
  denyAgents: z.array(nameSchema).default([]),
  /** Revoked client certificates by SHA-256 fingerprint (agents and operators): refused at connect; reloaded on SIGHUP. */
  denyCertificates: z.array(fingerprintSchema).default([]),
  webhooks: z.array(webhookSchema).default([]),
  schedules: z.array(scheduleSchema).default([]),
  /** What is kept of finished rollouts: step output and events (docs/security.md, "Bounds"). */
  retention: z
    .strictObject({
      maxAge: boundedDuration(RETENTION_MAX_AGE).prefault(DEFAULT_RETENTION.maxAge),
      maxLogSize: boundedSize(RETENTION_MAX_LOG_SIZE).prefault(DEFAULT_RETENTION.maxLogSize),
    })
    .prefault({}),
});

/** A linked cluster, resolved. */
export interface ClusterConfig {
  name: string;
  /** '' when the cluster has no shared auth service. */
  authServer: string;
  members: string[];
  maxParallel: number;
  healthDeadlineMs: number;
  allowDowngrade: boolean;
  autoRollback: boolean;
  alerts?: { prometheus: string; selector: string; pollIntervalMs: number; timeoutMs: number };
  /** Absent when the cluster has no releaseNotes: block (only the agents' notes, no requirement). */
  releaseNotes?: ReleaseNotesConfig;
}

/** A CLI user and what they may do. viewer: read commands; operator: also start, ack, pause, resume, abort, rollback, schedules. */
export interface OperatorConfig {
  name: string;
  role: 'viewer' | 'operator';
}

/** Rollout state changes a webhook is told about. */
export type WebhookEvent = 'started' | 'awaiting-ack' | 'paused' | 'resumed' | 'succeeded' | 'failed' | 'aborted';

export interface WebhookConfig {
  url: string;
  events: WebhookEvent[];
  timeoutMs: number;
  retries: number;
}

/** A maintenance window schedule. */
export interface ScheduleConfig {
  name: string;
  cluster: string;
  cron: string;
  timezone: string;
  windowMs: number;
  /** "latest", a semver range ("~0.2"), or an exact tag. */
  target: string;
  enabled: boolean;
  ackReleaseNotes: boolean;
}

/** What convoyd runs with. */
export interface CoordinatorConfig {
  file: string;
  listen: string;
  http?: string;
  stateFile: string;
  insecure: boolean;
  tls?: { ca: string; cert: string; key: string };
  heartbeatTimeoutMs: number;
  heartbeatIntervalMs: number;
  stepGraceMs: number;
  clusters: ClusterConfig[];
  operators: OperatorConfig[];
  denyAgents: string[];
  /** Revoked certificate fingerprints, canonical AB:CD:… upper case (absent in hand-built configs: none). */
  denyCertificates?: string[];
  webhooks: WebhookConfig[];
  schedules: ScheduleConfig[];
  /** Absent in hand-built configs: the defaults of output-limits.ts. */
  retention?: RetentionConfig;
}

/** Cross-field rules zod cannot express per key. Returns operator sentences. */
export function checkClusters(file: string, clusters: ClusterConfig[]): string[] {
  const name = path.basename(file);
  const problems: string[] = [];
  const owner = new Map<string, string>();
  const seen = new Set<string>();
  clusters.forEach((c, i) => {
    if (seen.has(c.name)) problems.push(`${name}: clusters[${i}].name "${c.name}" is used twice; cluster names must be unique`);
    seen.add(c.name);
    if (c.authServer && !c.members.includes(c.authServer)) {
      problems.push(
        `${name}: clusters[${i}].authServer "${c.authServer}" is not one of its members (${c.members.join(', ')}); add it to members or fix the name`,
      );
    }
    c.members.forEach((m, j) => {
      const other = owner.get(m);
      if (other && other !== c.name)
        problems.push(
          `${name}: clusters[${i}].members[${j}] "${m}" is already a member of cluster "${other}"; a host belongs to one cluster`,
        );
      else if (other) problems.push(`${name}: clusters[${i}].members[${j}] "${m}" is listed twice`);
      owner.set(m, c.name);
    });
  });
  return problems;
}

/** Loads and validates coordinator.yaml; throws ConfigError naming file, key, value and fix. */
export function loadCoordinatorConfig(file: string): CoordinatorConfig {
  const abs = path.resolve(file);
  const raw = loadYamlConfig(abs, coordinatorFileSchema, 'convoyd');
  return resolveCoordinatorConfig(abs, raw);
}

export function resolveCoordinatorConfig(abs: string, raw: z.output<typeof coordinatorFileSchema>): CoordinatorConfig {
  const name = path.basename(abs);
  const hint = `Edit ${abs} and restart convoyd.`;
  const notesProblems: string[] = [];
  const clusters: ClusterConfig[] = raw.clusters.map((c, i) => ({
    name: c.name,
    authServer: c.authServer ?? '',
    members: c.members,
    maxParallel: c.maxParallel,
    healthDeadlineMs: c.healthDeadline,
    allowDowngrade: c.allowDowngrade,
    autoRollback: c.autoRollback,
    alerts: c.alerts
      ? { prometheus: c.alerts.prometheus, selector: c.alerts.selector, pollIntervalMs: c.alerts.pollInterval, timeoutMs: c.alerts.timeout }
      : undefined,
    ...(c.releaseNotes && {
      releaseNotes: resolveReleaseNotes(abs, `${name}: clusters[${i}].releaseNotes`, c.releaseNotes, notesProblems),
    }),
  }));
  const schedules: ScheduleConfig[] = raw.schedules.map((s) => ({
    name: s.name,
    cluster: s.cluster,
    cron: s.cron,
    timezone: s.timezone,
    windowMs: s.window,
    target: s.target,
    enabled: s.enabled,
    ackReleaseNotes: s.ackReleaseNotes,
  }));
  const problems = [
    ...checkTimings(abs, raw),
    ...checkClusters(abs, clusters),
    ...checkSchedules(abs, schedules, clusters),
    ...checkAlertsConfig(abs, clusters),
    ...notesProblems,
  ];
  const operatorNames = new Set<string>();
  raw.operators.forEach((o, i) => {
    if (operatorNames.has(o.name)) problems.push(`${name}: operators[${i}].name "${o.name}" is listed twice`);
    operatorNames.add(o.name);
  });
  raw.denyCertificates.forEach((fp, i) => {
    if (raw.denyCertificates.indexOf(fp) !== i) problems.push(`${name}: denyCertificates[${i}] "${fp}" is listed twice`);
  });
  if (raw.insecure && !isLoopbackAddress(raw.listen)) {
    problems.push(
      `${name}: insecure: true is refused for listen "${raw.listen}" (plaintext is only allowed on a loopback address); configure tls: {ca, cert, key} instead`,
    );
  }
  if (!raw.insecure && !raw.tls)
    problems.push(`${name}: tls is missing (set tls: {ca, cert, key}, or insecure: true on a loopback address for a local test)`);
  const tls = raw.tls
    ? { ca: resolvePath(abs, raw.tls.ca), cert: resolvePath(abs, raw.tls.cert), key: resolvePath(abs, raw.tls.key) }
    : undefined;
  if (tls) {
    for (const [k, p] of Object.entries(tls)) if (!fs.existsSync(p)) problems.push(`${name}: tls.${k} "${p}" does not exist`);
    problems.push(...tlsFilesProblems(tls, `${name}: tls`));
  }
  const stateFile = resolvePath(abs, raw.stateFile);
  problems.push(...stateFileProblems(stateFile, `${name}: stateFile`));
  if (!fs.existsSync(path.dirname(stateFile)))
    problems.push(`${name}: stateFile "${raw.stateFile}": directory ${path.dirname(stateFile)} does not exist; create it (mode 0700)`);
  if (problems.length) throw new ConfigError(limitProblems(problems), hint);
  return {
    file: abs,
    listen: raw.listen,
    http: raw.http,
    stateFile,
    insecure: raw.insecure,
    tls,
    heartbeatTimeoutMs: raw.heartbeatTimeout,
    heartbeatIntervalMs: raw.heartbeatInterval,
    stepGraceMs: raw.stepGrace,
    clusters,
    operators: raw.operators,
    denyAgents: raw.denyAgents,
    denyCertificates: raw.denyCertificates,
    webhooks: raw.webhooks.map((w) => ({
      url: w.url,
      events: w.events ?? ['started', 'awaiting-ack', 'paused', 'resumed', 'succeeded', 'failed', 'aborted'],
      timeoutMs: w.timeout,
      retries: w.retries,
    })),
    schedules,
    retention: { maxAgeMs: raw.retention.maxAge, maxLogBytes: raw.retention.maxLogSize },
  };
}

/** Schedule rules: cron, timezone, cluster, window, target; each message names the schedule and the field. */
export function checkSchedules(file: string, schedules: ScheduleConfig[], clusters: ClusterConfig[]): string[] {
  const name = path.basename(file);
  const problems: string[] = [];
  const seen = new Set<string>();
  schedules.forEach((s, i) => {
    const at = `${name}: schedules[${i}] (${s.name})`;
    if (seen.has(s.name)) problems.push(`${at}.name is used twice; schedule names must be unique`);
    seen.add(s.name);
    const cron = cronProblem(s.cron);
    if (cron) problems.push(`${at}.cron "${s.cron}" ${cron}`);
    const tz = timezoneProblem(s.timezone);
    if (tz) problems.push(`${at}.timezone "${s.timezone}" ${tz}`);
    if (!clusters.some((c) => c.name === s.cluster)) {
      problems.push(`${at}.cluster "${s.cluster}" is not a configured cluster (${clusters.map((c) => c.name).join(', ') || 'none'})`);
    }
    if (s.target !== 'latest' && !semverRangeOk(s.target) && versionSyntaxProblem(s.target)) {
      problems.push(`${at}.target "${s.target}" is not "latest", a semver range (e.g. "~0.2") or a version tag`);
    }
  });
  return problems;
}

function semverRangeOk(t: string): boolean {
  return semver.validRange(t) !== null;
}
