/**
 * Whether and how fast the agent dials the coordinator again after its stream ended. Pure:
 * the link feeds it the gRPC status and the coordinator's refusal code, nothing else.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff.js';
import { PROTOCOL_MISMATCH } from '../../shared/protocol.js';

/** A session that stayed accepted this long was healthy: the backoff starts over after it. */
export const HEALTHY_SESSION_MS = 10_000;

/** normal: the capped exponential backoff; slow: always the maximum delay. */
export type RetryPace = 'normal' | 'slow';

/**
 * Statuses that mean "this agent is not welcome as configured" (duplicate id, certificate not
 * matching the id, protocol mismatch). Retrying fast would not fix them and would hammer the
 * coordinator, but an operator may fix the other side at any moment, so we still retry.
 */
const SLOW_STATUSES: ReadonlySet<GrpcStatus> = new Set([
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.UNIMPLEMENTED,
]);

/**
 * Refusal codes with the same meaning: identity (duplicate id, certificate) or a protocol
 * mismatch. Other refusals (the coordinator closed a session it thought silent, a Hello that
 * came late) clear up by themselves and get the normal backoff.
 */
const SLOW_REFUSALS: ReadonlySet<string> = new Set([
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'NOT_FOUND',
  'HELLO_FIRST',
  'HELLO_TWICE',
  'INVALID_MESSAGE',
  'UNKNOWN_MESSAGE',
  PROTOCOL_MISMATCH,
]);

/**
 * The agent never gives up on its coordinator: every ending (UNAVAILABLE, DEADLINE_EXCEEDED,
 * INTERNAL, UNKNOWN, CANCELLED by the server, RESOURCE_EXHAUSTED, even PERMISSION_DENIED or
 * ALREADY_EXISTS, even a clean OK) leads to another attempt; this says how soon.
 * Our own cancellation on shutdown never reaches it.
 */
export function retryPace(status: GrpcStatus | undefined, refusalCode?: string): RetryPace {
  if (refusalCode && SLOW_REFUSALS.has(refusalCode)) return 'slow';
  return status !== undefined && SLOW_STATUSES.has(status) ? 'slow' : 'normal';
}

/** The delay of a slow-paced retry: the capped maximum, still jittered so a fleet spreads out. */
export function slowRetryDelay(policy: BackoffPolicy, random: number): number {
  return backoffDelay({ ...policy, initialMs: policy.maxMs }, 0, random);
}

/** True when a session accepted at `acceptedAtMs` and ended at `endedAtMs` counts as healthy. */
export function sessionWasHealthy(acceptedAtMs: number | undefined, endedAtMs: number): boolean {
  return acceptedAtMs !== undefined && endedAtMs - acceptedAtMs >= HEALTHY_SESSION_MS;
}

/** "UNAVAILABLE" for 14: status names read better in logs than numbers. */
export function statusName(status: GrpcStatus | undefined): string {
  if (status === undefined) return 'no status';
  return (GrpcStatus as unknown as Record<number, string>)[status] ?? `status ${status}`;
}
