/**
 * agent.yaml as operators write it (docs/configuration.md). Only shapes and single-value
 * rules live here; cross-key rules (procedures, files on disk) are checked while resolving.
 */
import { z } from 'zod';
import { addressProblem } from '../../shared/address.js';
import { durationSchema } from '../../shared/config-file.js';
import { durationText } from './duration-text.js';
import { patternProblem } from '../../shared/output-pattern.js';
import { NAME_RE } from '../../shared/names.js';
import { DEFAULT_RELEASE_NOTE_MARKERS } from '../../shared/release-note-markers.js';
import { versionSyntaxProblem } from '../../shared/versions.js';

/** backup.keep.perMinor when agent.yaml does not say: the pre-update and post-update archives of a rollout, and one more. */
export const DEFAULT_BACKUPS_PER_MINOR = 3;
const KEEP_RULE = { error: 'must be a whole number from 1 to 1000 (archives kept per major.minor) or "all"' };

/** Step names operators may give their own steps (kept out of rollback-* and of shell syntax). */
export const STEP_NAME_RE = /^[a-z][a-z0-9-]{0,39}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** setTimeout fires at once for anything longer than this, so longer durations are refused. */
export const MAX_TIMER_MS = 2_147_483_647;

export const positiveDuration = durationSchema.pipe(
  z.number().positive({ error: 'must be longer than 0' }).max(MAX_TIMER_MS, { error: 'must be at most 24d' }),
);

/** A duration from `minMs` to `maxMs`; the messages say the bound and, with `why`, what it protects. */
function boundedDuration(
  minMs: number,
  minText: string,
  maxMs: number,
  maxText: string,
  why: string,
): ReturnType<typeof durationSchema.pipe> {
  return durationSchema.pipe(
    z
      .number()
      .min(minMs, { error: `must be at least ${minText}${why}` })
      .max(maxMs, { error: `must be at most ${maxText}${why}` }),
  );
}

/** A step's timeout: shorter than a second is a typo (and the coordinator's own limit is in coordinator-limits.ts). */
const stepTimeout = boundedDuration(1000, '1s', MAX_TIMER_MS, '24d', ' (a step timeout, e.g. 10m)');
/** How often the agent says it is alive: often enough for the coordinator's timeout, rarely enough not to flood it. */
const heartbeatInterval = boundedDuration(
  100,
  '100ms',
  60_000,
  '1m',
  ' (the coordinator counts an agent lost after missing heartbeats; e.g. 5s)',
);
/** Health polling: at least 100ms between probes, whatever was written. */
const pollInterval = boundedDuration(100, '100ms', MAX_TIMER_MS, '24d', ' (e.g. 1s)');

const scalarToString = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }).transform(String);

const envSchema = z.record(z.string(), scalarToString).superRefine((env, ctx) => {
  for (const key of Object.keys(env)) {
    if (!ENV_NAME_RE.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'is not an environment variable name (letters, digits and _, not starting with a digit)',
      });
    } else if (key.startsWith('CONVOY_')) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is reserved: Convoy sets the CONVOY_* variables itself (use another name)' });
    }
  }
});

export const commandSchema = z.union(
  [z.string().min(1, 'must not be empty'), z.array(z.string().min(1)).min(1, 'must list at least one argv word')],
  {
    error: 'must be a command string (run by /bin/sh -c) or a list of argv words',
  },
);

/** An output pattern: a substring, or /regex/flags. */
const patternSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .superRefine((p, ctx) => {
    const problem = patternProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** One pattern or a list of them (a single text is a list of one). */
const patternsSchema = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(patternSchema, { error: 'must be a text (or /regex/) or a list of them' }).max(20),
);

export const stepSchema = z.strictObject({
  command: commandSchema.optional(),
  timeout: stepTimeout.optional(),
  env: envSchema.optional(),
  cwd: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  rerunnable: z.boolean().optional(),
  /** Output that must appear for the step to count as succeeded (exit code 0 is not enough). */
  expectOutput: patternsSchema.optional(),
  /** Output that makes the step fail even when it exits 0. */
  rejectOutput: patternsSchema.optional(),
  /** A command run after the step exited 0; the step succeeds only if it exits 0 too. */
  verify: commandSchema.optional(),
  /** A command run before the step is run again after an interruption. */
  cleanup: commandSchema.optional(),
  /** Another step started while this one runs, and awaited after it. */
  alongside: z.string().regex(STEP_NAME_RE, 'is not a step name').optional(),
  /** Start the alongside step once this output appears (default: at once). */
  alongsideAfter: patternSchema.optional(),
  /** Needs the pre-update backup: gets CONVOY_BACKUP_ARCHIVE, verified before anything runs. */
  requiresBackup: z.boolean().optional(),
});
export type RawStep = z.output<typeof stepSchema>;

/**
 * One request, and one wait between probes, must fit in the deadline: otherwise the health
 * step gives up before it has checked even once (e.g. requestTimeout 30s, deadline 20s).
 */
function checkHealthTiming(h: { interval: number; deadline: number; requestTimeout: number }, ctx: z.RefinementCtx): void {
  const deadline = durationText(h.deadline);
  if (h.requestTimeout >= h.deadline) {
    ctx.addIssue({
      code: 'custom',
      path: ['requestTimeout'],
      message: `must be shorter than health.deadline (${deadline}): one probe must fit in the deadline. Shorten requestTimeout or lengthen deadline (e.g. requestTimeout: 5s, deadline: 2m)`,
    });
  }
  if (h.interval >= h.deadline) {
    ctx.addIssue({
      code: 'custom',
      path: ['interval'],
      message: `must be shorter than health.deadline (${deadline}): the health step probes every interval until the deadline. Shorten interval or lengthen deadline (e.g. interval: 1s, deadline: 2m)`,
    });
  }
}

const urlSchema = z.string().refine((u) => {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}, 'is not a URL (expected http:// or https://)');

/** The one host:port rule (shared/address.ts), shared with convoyd and the CLI. */
const addressSchema = z.string().superRefine((a, ctx) => {
  const problem = addressProblem(a);
  if (problem) ctx.addIssue({ code: 'custom', message: `is not host:port (${problem})` });
});

const tlsSchema = z.strictObject({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) });

const procedureSchema = z.array(z.string().regex(STEP_NAME_RE, 'is not a step name')).min(1, 'must list at least one step').max(40);

/** The shape of agent.yaml as operators write it. */
export const agentFileSchema = z.strictObject({
  id: z
    .string()
    .regex(
      NAME_RE,
      'is not a valid agent id (expected [a-z0-9][a-z0-9._-]{0,62}: lower-case letters, digits, . _ -, starting with a letter or digit)',
    ),
  coordinator: z.strictObject({
    address: addressSchema,
    insecure: z.boolean().default(false),
    tls: tlsSchema.optional(),
    heartbeatInterval: heartbeatInterval.prefault('5s'),
    backoff: z.strictObject({ initial: positiveDuration.prefault('500ms'), max: positiveDuration.prefault('30s') }).prefault({}),
  }),
  labels: z.record(z.string(), scalarToString).default({}),
  repo: z.string().min(1),
  serverDir: z.string().min(1).optional(),
  stateDir: z.string().min(1),
  trackedBranch: z
    .string()
    .refine((b) => versionSyntaxProblem(b) === undefined, 'is not a valid branch name (letters, digits and . _ + - /, not starting with -)')
    .optional(),
  fetch: z.boolean().default(true),
  releaseNotes: z
    .strictObject({
      changelog: z.string().min(1).default('CHANGELOG.md'),
      markers: z.array(z.string().min(1)).default([...DEFAULT_RELEASE_NOTE_MARKERS]),
    })
    .prefault({}),
  health: z
    .strictObject({
      url: urlSchema.optional(),
      command: commandSchema.optional(),
      versionField: z
        .string()
        .regex(/^[^.]+(\.[^.]+)*$/, 'is not a dot path (e.g. version or build.version)')
        .optional(),
      /** More URLs that must answer 2xx too (Hoss: the auth service's ping on the auth server). */
      alsoUrls: z.array(urlSchema).max(10).default([]),
      interval: pollInterval.prefault('1s'),
      deadline: boundedDuration(1000, '1s', MAX_TIMER_MS, '24d', ' (e.g. 2m)').prefault('2m'),
      monitorInterval: pollInterval.prefault('10s'),
      requestTimeout: pollInterval.prefault('5s'),
    })
    .superRefine(checkHealthTiming)
    .optional(),
  backup: z
    .strictObject({
      archiveGlob: z.string().min(1).default('backups/*.tar.gz'),
      compatibility: z
        .enum(['same-major-minor', 'same-major', 'exact', 'any'], {
          error: 'is not a compatibility rule (expected same-major-minor, same-major, exact or any)',
        })
        .default('same-major-minor'),
      /** Retention of archives (agent/backups/retention.ts): the newest N per major.minor, or "all". */
      keep: z
        .strictObject({
          perMinor: z
            .union([z.literal('all'), z.number().int(KEEP_RULE).min(1, KEEP_RULE).max(1000, KEEP_RULE)], KEEP_RULE)
            .default(DEFAULT_BACKUPS_PER_MINOR),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Configuration drift shown by `convoy plan`: files that change between versions, keys an env file lacks. */
  drift: z
    .strictObject({
      files: z.array(z.string().min(1).max(200)).max(50).default([]),
      envFile: z.string().min(1).optional(),
      envKeysFrom: z
        .strictObject({ file: z.string().min(1), target: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'is not a make target') })
        .optional(),
    })
    .prefault({}),
  steps: z.record(z.string().regex(STEP_NAME_RE, 'is not a step name'), stepSchema).default({}),
  procedures: z.strictObject({ update: procedureSchema.optional(), rollback: procedureSchema.optional() }).prefault({}),
});
export type RawAgentFile = z.output<typeof agentFileSchema>;
