/**
 * Values of a config file with a range: durations, sizes and whole numbers. Each refusal says
 * the value, the range, the default and what a value outside the range would break, so the
 * operator reads the rule and the fix in one line.
 */
import { z } from 'zod';
import { durationSchema, sizeSchema } from './config-file.js';
import { writeDuration } from './durations.js';

/**
 * The range a duration key accepts, and why: the reasons are shown to the operator, so they
 * say what would go wrong outside the range, not the numbers (the message adds those).
 */
export interface DurationBound {
  min: number;
  max: number;
  /** The default as written in docs/configuration.md ("20s"), offered as the example. */
  dflt?: string;
  /** What a shorter value would break. */
  below: string;
  /** What a longer value would break. */
  above: string;
  /** Said instead of `below` for 0s, when zero would be read as something else. */
  zero?: string;
}

/** The fix at the end of every bound message: the range, and the default as an example. */
function durationRange(b: DurationBound): string {
  return `write a duration from ${writeDuration(b.min)} to ${writeDuration(b.max)}${b.dflt ? `, e.g. "${b.dflt}" (the default)` : ''}`;
}

/** Why `ms` is outside `b`, as the end of "<file>: <key> "<value>" …", or undefined. */
function durationBoundProblem(ms: number, b: DurationBound): string | undefined {
  if (ms === 0 && b.zero) return `${b.zero}; ${durationRange(b)}`;
  if (ms < b.min) return `is shorter than the minimum ${writeDuration(b.min)} (${b.below}); ${durationRange(b)}`;
  if (ms > b.max) return `is longer than the maximum ${writeDuration(b.max)} (${b.above}); ${durationRange(b)}`;
  return undefined;
}

/** A duration within `b`, resolved to milliseconds. */
export function boundedDuration(b: DurationBound) {
  return durationSchema.pipe(
    z.number().superRefine((ms, ctx) => {
      const problem = durationBoundProblem(ms, b);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
}

/** The range a size key accepts, and why (see DurationBound). */
export interface SizeBound {
  min: number;
  max: number;
  dflt?: string;
  below: string;
  above: string;
}

/** Bytes as operators write sizes: 1MiB, 512KiB, 1TiB (the largest unit that divides evenly). */
export function writeSize(bytes: number): string {
  const units = ['TiB', 'GiB', 'MiB', 'KiB'] as const;
  for (const [i, unit] of units.entries()) {
    const size = 1024 ** (units.length - i);
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

/** A size within `b`, resolved to bytes. */
export function boundedSize(b: SizeBound) {
  const range = `write a size from ${writeSize(b.min)} to ${writeSize(b.max)}${b.dflt ? `, e.g. "${b.dflt}" (the default)` : ''}`;
  return sizeSchema.pipe(
    z.number().superRefine((bytes, ctx) => {
      if (bytes < b.min)
        ctx.addIssue({ code: 'custom', message: `is smaller than the minimum ${writeSize(b.min)} (${b.below}); ${range}` });
      if (bytes > b.max) ctx.addIssue({ code: 'custom', message: `is larger than the maximum ${writeSize(b.max)} (${b.above}); ${range}` });
    }),
  );
}

/** A whole number from `min` to `max`, one message for every way of missing it. */
export function wholeNumber(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
