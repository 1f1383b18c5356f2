import { InvalidArgumentError } from 'commander';

/** Parses `--limit`-style values; commander turns the error into a usage error (exit 2). */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) {
    throw new InvalidArgumentError(`expected a whole number from 1 to 100000, got "${value}".`);
  }
  return Number(value);
}

/** The --json flag, the same wording on every read command. */
export const JSON_FLAG = ['--json', 'print JSON instead of text (for scripts)'] as const;
