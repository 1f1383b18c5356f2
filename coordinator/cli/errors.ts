import * as grpc from '@grpc/grpc-js';
import { messageOf } from '../../shared/errors.js';

/** The CLI's exit codes (a contract: DESIGN.md, "Interfaces"). */
export const EXIT = {
  ok: 0,
  /** The rollout failed or was aborted (also: an unexpected internal error). */
  rolloutFailed: 1,
  usage: 2,
  unreachable: 3,
  /** Ctrl-C (SIGINT) ended a command before its end: watch, logs --follow, demo (128 + SIGINT). */
  interrupted: 130,
} as const;

/** An error that ends the command: one line for stderr and the exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** The gRPC status behind it, when there is one (watch retries some). */
    readonly grpcCode?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad usage or input (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}

/** gRPC codes that mean "the request was refused": the server's message is what to show. */
const REFUSAL_CODES = new Set<number>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.PERMISSION_DENIED,
  grpc.status.ALREADY_EXISTS,
  grpc.status.UNAUTHENTICATED,
  // a rate limit (too many plans): the message says when to try again
  grpc.status.RESOURCE_EXHAUSTED,
]);

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && 'details' in err;
}

/** Why a connection failed, in a few words, from grpc-js's details. */
export function describeConnectFailure(code: grpc.status, details: string): string {
  if (code === grpc.status.DEADLINE_EXCEEDED) return 'no answer in time';
  if (/ECONNREFUSED/.test(details)) return 'connection refused';
  if (/Name resolution failed|ENOTFOUND|EAI_AGAIN/.test(details)) return 'host name not found';
  if (/EHOSTUNREACH|ENETUNREACH/.test(details)) return 'host unreachable';
  if (/ETIMEDOUT/.test(details)) return 'connection timed out';
  if (/ECONNRESET|socket hang up/i.test(details)) return 'connection reset';
  if (/certificate|SSL|TLS|handshake/i.test(details)) return `TLS handshake failed: ${oneLine(details)}`;
  if (/Received HTTP status code/.test(details)) return `something answered that is not convoyd: ${oneLine(details)}`;
  return oneLine(details) || 'unavailable';
}

/** The one line printed when the coordinator cannot be reached (exit 3). */
export function unreachableError(address: string, reason: string, grpcCode?: number): CliError {
  return new CliError(
    EXIT.unreachable,
    `cannot reach the coordinator at ${address} (${reason}). Is convoyd running? Set --coordinator or CONVOY_COORDINATOR.`,
    grpcCode,
  );
}

/** gRPC codes after which a stream is worth opening again (the coordinator restarted or dropped it). */
export function isTransient(err: unknown): boolean {
  const code = err instanceof CliError ? err.grpcCode : undefined;
  return (
    code === grpc.status.UNAVAILABLE || code === grpc.status.CANCELLED || code === grpc.status.UNKNOWN || code === grpc.status.INTERNAL
  );
}

/** Squeezes a multi-line message onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** What went wrong when a call failed; `connected` tells a slow coordinator from an absent one. */
export interface CallFailure {
  address: string;
  /** The next command to run, appended to refusals that do not already name one. */
  hint?: string;
  /** True when the channel was connected when the call failed. */
  connected?: boolean;
  /** The call's deadline, for the "no answer" message. */
  deadlineMs?: number;
}

/** Maps anything a gRPC call threw to a CliError with the contract's exit code. */
export function toCliError(err: unknown, failure: CallFailure): CliError {
  if (err instanceof CliError) return err;
  if (!isServiceError(err)) return new CliError(EXIT.rolloutFailed, `unexpected error: ${oneLine(messageOf(err))}`);
  const { address, hint } = failure;
  const details = oneLine(err.details || err.message);
  if (err.code === grpc.status.DEADLINE_EXCEEDED && failure.connected) {
    const within = failure.deadlineMs ? ` within ${failure.deadlineMs / 1000}s` : '';
    return new CliError(
      EXIT.unreachable,
      `the coordinator at ${address} accepted the connection but did not answer${within}. Check its log, then try again.`,
      err.code,
    );
  }
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) {
    return unreachableError(address, describeConnectFailure(err.code, details), err.code);
  }
  if (err.code === grpc.status.UNIMPLEMENTED && /Received HTTP status code/.test(details)) {
    return unreachableError(address, describeConnectFailure(err.code, details), err.code);
  }
  if (REFUSAL_CODES.has(err.code)) {
    const withHint = hint && !/\bconvoy /.test(details) ? `${withPeriod(details)} ${hint}` : details;
    return new CliError(EXIT.usage, withHint, err.code);
  }
  return new CliError(EXIT.rolloutFailed, `the coordinator answered ${grpc.status[err.code] ?? err.code}: ${details}`, err.code);
}

function withPeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
