/**
 * Validation of everything an agent sends. Agents are trusted less than the coordinator's
 * own state: strings are bounded, ids and versions match strict patterns, enums are known.
 */
import { z } from 'zod';

const ID_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const str = (max: number) => z.string().max(max);
const ms = z.number().int().min(0).max(8.64e15);
const id = z.string().regex(ID_RE, 'must be a lower-case id ([a-z0-9][a-z0-9._-]{0,62})');
const ref = str(200);

export const repoStateSchema = z.object({
  installedVersion: ref,
  commit: z.string().regex(/^([0-9a-f]{7,64})?$/, 'must be a hex commit id'),
  clean: z.boolean(),
  tags: z.array(ref).max(10_000),
  branch: ref,
  trackedBranch: ref,
  dirtyDetail: str(2000),
});

export const healthStateSchema = z.object({
  healthy: z.boolean(),
  version: ref,
  detail: str(2000),
  checkedAtMs: ms,
  configured: z.boolean(),
});

export const backupRecordSchema = z.object({
  id: str(200),
  path: str(4096),
  version: ref,
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^([0-9a-f]{64})?$/, 'must be a sha256 hex digest'),
  createdAtMs: ms,
  step: str(64),
  rolloutId: str(64),
});

const releaseNoteSchema = z.object({
  version: ref,
  source: str(500),
  text: str(64 * 1024),
  requiresAction: z.boolean(),
  requiredLines: z.array(str(2000)).max(500),
});

const releaseNotesSchema = z.object({
  fromVersion: ref,
  toVersion: ref,
  notes: z.array(releaseNoteSchema).max(500),
  requiresAction: z.boolean(),
  versions: z.array(ref).max(1000).optional(),
  lookedIn: z.array(str(500)).max(20).optional(),
});

const driftSchema = z.object({
  files: z.array(str(1000)).max(200),
  diffLines: z.array(str(8192)).max(20_000),
  requiredChanges: z.array(str(2000)).max(200),
  error: str(4000),
  diffTruncated: z.boolean(),
});

const inFlightSchema = z.object({ requestId: str(300), rolloutId: str(64), step: str(64), targetVersion: ref, startedAtMs: ms });

export const stepResultSchema = z.object({
  requestId: str(300).min(1),
  rolloutId: str(64),
  step: str(64).min(1),
  outcome: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'REFUSED', 'INTERRUPTED']),
  exitCode: z.number().int(),
  reason: str(4000),
  outputTail: z.array(str(8192)).max(200),
  startedAtMs: ms,
  finishedAtMs: ms,
  previousCommit: z.string().regex(/^([0-9a-f]{7,64})?$/),
  backup: backupRecordSchema.nullish(),
  releaseNotes: releaseNotesSchema.nullish(),
  repo: repoStateSchema.nullish(),
  health: healthStateSchema.nullish(),
  attempt: z.number().int().min(0).max(1000),
});

export const helloSchema = z.object({
  agentId: id,
  labels: z.record(str(63), str(256)).refine((l) => Object.keys(l).length <= 64, 'at most 64 labels'),
  serverDir: str(4096),
  agentVersion: str(64),
  repo: repoStateSchema,
  health: healthStateSchema,
  plan: z.array(str(64)).max(32),
  rerunnableSteps: z.array(str(64)).max(32),
  backups: z.array(backupRecordSchema).max(10_000),
  undelivered: z.array(stepResultSchema).max(1000),
  inFlight: inFlightSchema.nullish(),
  hostname: str(255),
  hasRestore: z.boolean(),
  stepTimeoutsMs: z
    .record(
      str(64),
      z
        .number()
        .int()
        .min(0)
        .max(7 * 86_400_000),
    )
    .optional(),
  backupCompatibility: z.enum(['', 'same-major-minor', 'same-major', 'exact', 'any']).optional(),
  rollbackPlan: z.array(str(64)).max(40).optional(),
  backupSteps: z.array(str(64)).max(40).optional(),
  profile: str(32).optional(),
});

export const stepOutputSchema = z.object({
  requestId: str(300),
  rolloutId: str(64),
  step: str(64),
  lines: z.array(str(8192)).max(1000),
  atMs: ms,
});

export const inspectResultSchema = z.object({
  requestId: str(300),
  targetVersion: ref,
  targetExists: z.boolean(),
  error: str(4000),
  repo: repoStateSchema.nullish(),
  health: healthStateSchema.nullish(),
  releaseNotes: releaseNotesSchema.nullish(),
  plan: z.array(str(64)).max(32),
  drift: driftSchema.nullish(),
});

export const heartbeatSchema = z.object({ sentAtMs: ms, health: healthStateSchema.nullish(), inFlight: inFlightSchema.nullish() });

/** The first problem with `value`, as "field.path: message", or undefined when valid. */
export function problemOf(schema: z.ZodType, value: unknown): string | undefined {
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  return issue ? `${issue.path.join('.') || '(message)'}: ${issue.message}` : 'invalid message';
}
