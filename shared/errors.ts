/** Stable error codes an operator (or a script) can match on. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'ALREADY_EXISTS'
  | 'UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL';

/** An error meant for operators: a stable code, a one-line message and what to do next. */
export class ConvoyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ConvoyError';
  }
}

/** A configuration file failed validation; the message names file, key, value and fix. */
export class ConfigError extends ConvoyError {
  constructor(
    readonly problems: string[],
    hint: string,
  ) {
    super('CONFIG_INVALID', problems.join('\n'), hint);
    this.name = 'ConfigError';
  }
}

/** Extracts a message from anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
