/**
 * Validation of everything an agent sends. Agents are trusted less than the coordinator's
 * own state: strings are bounded, ids and versions match strict patterns, enums are known.
 *
 * Each schema is declared with `wireSchema<T>()`, which makes tsc check it against the wire
 * type generated from proto/: a field added to a .proto without a rule here, or a rule left for
 * a field the proto no longer has, fails the build. The proto says which fields exist; this file
 * says only what values are acceptable.
 */
import { z } from 'zod';
import { NAME_RE, NAME_RULE } from '../../shared/names.js';
import { StepOutcome as STEP_OUTCOMES } from '../../shared/generated/convoy/v1/StepOutcome.js';
import type {
  AgentMessage,
  BackupRecord,
  Drift,
  HealthReport,
  HealthState,
  Heartbeat,
  Hello,
  InFlight,
  InspectResult,
  ReleaseNote,
  ReleaseNotes,
  RepoReport,
  RepoState,
  StepOutput,
  StepResult,
} from '../../shared/wire.js';

/** Fields of `S` that `W` lacks (never when there are none). */
type ExtraFields<S, W> = Exclude<keyof S, keyof W>;

/**
 * Declares a schema for wire type `W`; returns `schema` unchanged. At compile time its output
 * must be assignable to `W` (every field present, with a compatible type) and name no field
 * `W` lacks, so the schema and the proto cannot drift apart.
 */
function wireSchema<W>() {
  return <S extends z.ZodType<W>>(
    schema: S & ([ExtraFields<z.output<S>, W>] extends [never] ? unknown : { notInProto: ExtraFields<z.output<S>, W> }),
  ): S => schema;
}

const str = (max: number) => z.string().max(max);
const ms = z.number().int().min(0).max(8.64e15);
const id = z.string().regex(NAME_RE, `must be a lower-case id (${NAME_RULE})`);
const ref = str(200);

export const repoStateSchema = wireSchema<RepoState>()(
  z.object({
    installedVersion: ref,
    commit: z.string().regex(/^([0-9a-f]{7,64})?$/, 'must be a hex commit id'),
    clean: z.boolean(),
    tags: z.array(ref).max(10_000),
    branch: ref,
    trackedBranch: ref,
    dirtyDetail: str(2000),
  }),
);

export const healthStateSchema = wireSchema<HealthState>()(
  z.object({
    healthy: z.boolean(),
    version: ref,
    detail: str(2000),
    checkedAtMs: ms,
    configured: z.boolean(),
  }),
);

export const backupRecordSchema = wireSchema<BackupRecord>()(
  z.object({
    id: str(200),
    path: str(4096),
    version: ref,
    sizeBytes: z.number().int().min(0),
    sha256: z.string().regex(/^([0-9a-f]{64})?$/, 'must be a sha256 hex digest'),
    createdAtMs: ms,
    step: str(64),
    rolloutId: str(64),
  }),
);

const releaseNoteSchema = wireSchema<ReleaseNote>()(
  z.object({
    version: ref,
    source: str(500),
    text: str(64 * 1024),
    requiresAction: z.boolean(),
    requiredLines: z.array(str(2000)).max(500),
  }),
);

const releaseNotesSchema = wireSchema<ReleaseNotes>()(
  z.object({
    fromVersion: ref,
    toVersion: ref,
    notes: z.array(releaseNoteSchema).max(500),
    requiresAction: z.boolean(),
    versions: z.array(ref).max(1000),
    lookedIn: z.array(str(500)).max(20),
  }),
);

const driftSchema = wireSchema<Drift>()(
  z.object({
    files: z.array(str(1000)).max(200),
    diffLines: z.array(str(8192)).max(20_000),
    requiredChanges: z.array(str(2000)).max(200),
    error: str(4000),
    diffTruncated: z.boolean(),
  }),
);

const inFlightSchema = wireSchema<InFlight>()(
  z.object({ requestId: str(300), rolloutId: str(64), step: str(64), targetVersion: ref, startedAtMs: ms }),
);

/** Every outcome the proto names except its zero value, which names none. */
const outcomeSchema = z.enum(STEP_OUTCOMES).exclude(['STEP_OUTCOME_UNSPECIFIED']);

// Message fields are null when absent (defaults: true), never undefined: hence nullable().
export const stepResultSchema = wireSchema<StepResult>()(
  z.object({
    requestId: str(300).min(1),
    rolloutId: str(64),
    step: str(64).min(1),
    outcome: outcomeSchema,
    exitCode: z.number().int(),
    reason: str(4000),
    outputTail: z.array(str(8192)).max(200),
    startedAtMs: ms,
    finishedAtMs: ms,
    previousCommit: z.string().regex(/^([0-9a-f]{7,64})?$/),
    backup: backupRecordSchema.nullable(),
    releaseNotes: releaseNotesSchema.nullable(),
    repo: repoStateSchema.nullable(),
    health: healthStateSchema.nullable(),
    attempt: z.number().int().min(0).max(1000),
  }),
);

export const helloSchema = wireSchema<Hello>()(
  z.object({
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
    inFlight: inFlightSchema.nullable(),
    hostname: str(255),
    hasRestore: z.boolean(),
    stepTimeoutsMs: z.record(
      str(64),
      z
        .number()
        .int()
        .min(0)
        .max(7 * 86_400_000),
    ),
    // '' from agents older than the field (proto3's default)
    backupCompatibility: z.enum(['', 'same-major-minor', 'same-major', 'exact', 'any']),
    rollbackPlan: z.array(str(64)).max(40),
    backupSteps: z.array(str(64)).max(40),
    profile: str(32),
    // 0 from agents older than the field: protocol 1 (shared/protocol.ts), keep everything
    protocolVersion: z.number().int().min(0).max(1_000_000),
    backupKeepPerMinor: z.number().int().min(0).max(1_000_000),
  }),
);

export const stepOutputSchema = wireSchema<StepOutput>()(
  z.object({
    requestId: str(300),
    rolloutId: str(64),
    step: str(64),
    lines: z.array(str(8192)).max(1000),
    atMs: ms,
  }),
);

export const inspectResultSchema = wireSchema<InspectResult>()(
  z.object({
    requestId: str(300),
    targetVersion: ref,
    targetExists: z.boolean(),
    error: str(4000),
    repo: repoStateSchema.nullable(),
    health: healthStateSchema.nullable(),
    releaseNotes: releaseNotesSchema.nullable(),
    plan: z.array(str(64)).max(32),
    drift: driftSchema.nullable(),
  }),
);

export const heartbeatSchema = wireSchema<Heartbeat>()(
  z.object({ sentAtMs: ms, health: healthStateSchema.nullable(), inFlight: inFlightSchema.nullable() }),
);

/** A health report must carry the health it reports. */
export const healthReportSchema = wireSchema<HealthReport>()(z.object({ health: healthStateSchema }));

/** A repository report must carry the repository; its backups are bounded like the Hello's. */
export const repoReportSchema = wireSchema<RepoReport>()(
  z.object({ repo: repoStateSchema, backups: z.array(backupRecordSchema).max(10_000) }),
);

/**
 * The schema of each message an agent may send (AgentMessage's oneof). The type makes tsc
 * fail when agent.proto gains a kind of message this map has no schema for.
 */
export const agentMessageSchemas = {
  hello: helloSchema,
  heartbeat: heartbeatSchema,
  health: healthReportSchema,
  output: stepOutputSchema,
  result: stepResultSchema,
  inspectResult: inspectResultSchema,
  repo: repoReportSchema,
} satisfies { [K in NonNullable<AgentMessage['msg']>]: z.ZodType<NonNullable<AgentMessage[K]>> };

/** A schema whose parsed value has type `T` (callers need not import zod). */
export type WireSchema<T> = z.ZodType<T>;

/** `value` as `schema` parses it, or the first problem as "field.path: message". */
export function parseWire<T>(schema: WireSchema<T>, value: unknown): { ok: true; value: T } | { ok: false; problem: string } {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: describeIssue(r.error) };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(message)'}: ${issue.message}` : 'invalid message';
}
