/** Maps our errors to gRPC statuses; handlers reply once and return. */
import * as grpc from '@grpc/grpc-js';
import { ConvoyError, messageOf } from '../../shared/errors.js';

const STATUS: Record<string, grpc.status> = {
  CONFIG_INVALID: grpc.status.INVALID_ARGUMENT,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  INTERNAL: grpc.status.INTERNAL,
};

/** A gRPC service error for `err`: our codes map 1:1, anything else is INTERNAL. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof ConvoyError) return { code: STATUS[err.code] ?? grpc.status.INTERNAL, details: err.message };
  return { code: grpc.status.INTERNAL, details: `internal error: ${messageOf(err)}` };
}

/** Wraps a unary handler: runs `fn`, replies with its value or the mapped error. */
export function unary<Req, Res>(
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err) as grpc.ServiceError),
      );
  };
}

/** Identities proven by a client certificate, per call (set by guard.ts before the handler runs). */
const verifiedActors = new WeakMap<object, string>();

export function setVerifiedActor(call: object, name: string): void {
  verifiedActors.set(call, name);
}

/**
 * Who is calling, for the event log. Under mTLS: the operator certificate's name, nothing the
 * client sends. Under insecure (loopback only): the `user@host` the CLI names in x-convoy-actor.
 */
export function actorOf(call: { metadata: grpc.Metadata }): string {
  const verified = verifiedActors.get(call);
  if (verified) return verified;
  const raw = call.metadata.get('x-convoy-actor')[0];
  const s = typeof raw === 'string' ? raw : '';
  const clean = s.replace(/[^A-Za-z0-9@._:-]/g, '').slice(0, 64);
  return clean || 'unknown';
}
