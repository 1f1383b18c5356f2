/**
 * The ControlService front door: every method of the service definition goes through here
 * before its handler runs. It refuses undecodable requests (INVALID_ARGUMENT), callers
 * without an operator certificate (UNAUTHENTICATED / PERMISSION_DENIED) and roles that may
 * not call the method, logging each refusal with its reason; then it records the verified
 * caller as the actor the event log names. A stream (watch, logs --follow) is checked again
 * after every SIGHUP and closed with the reason once its caller has lost the right.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../shared/logger.js';
import type { AccessPolicy, PeerCall } from './access.js';
import { malformedReason } from './decode.js';
import { setVerifiedActor } from './errors.js';

type AnyCall = PeerCall & {
  request?: unknown;
  emit(event: 'error', err: Partial<grpc.StatusObject>): boolean;
  once(event: 'close' | 'cancelled' | 'finish', fn: () => void): unknown;
};
type Handler = (call: AnyCall, callback?: (err: Partial<grpc.StatusObject> | null, res?: unknown) => void) => void;

/** Why `call` may not reach `method`, as a gRPC status; undefined when it may. */
function refusalOf(access: AccessPolicy, logger: Logger, method: string, call: AnyCall): Partial<grpc.StatusObject> | undefined {
  const admitted = access.admitControl(call, method);
  if (!admitted.ok) {
    logger.warn(`refused ${method} from ${call.getPeer()}: ${admitted.reason}`, { method, peer: call.getPeer(), reason: admitted.reason });
    return { code: admitted.status, details: admitted.reason };
  }
  const malformed = malformedReason(call.request);
  if (malformed) {
    logger.warn(`refused ${method} from ${call.getPeer()}: ${malformed}`, { method, peer: call.getPeer(), reason: malformed });
    return { code: grpc.status.INVALID_ARGUMENT, details: malformed };
  }
  if (admitted.name) setVerifiedActor(call, admitted.name);
  return undefined;
}

/** Wraps every handler of `implementation` (keys as in controlServiceHandlers) with the checks above. */
export function guardControlService(
  def: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
  access: AccessPolicy,
  logger: Logger,
): grpc.UntypedServiceImplementation {
  const guarded: grpc.UntypedServiceImplementation = {};
  for (const [name, attrs] of Object.entries(def)) {
    const key = typeof attrs.originalName === 'string' ? attrs.originalName : name;
    const inner = (implementation[key] ?? implementation[name]) as unknown as Handler | undefined;
    if (!inner) continue; // grpc-js answers UNIMPLEMENTED
    const unary = !attrs.requestStream && !attrs.responseStream;
    const wrapped: Handler = (call, callback) => {
      const refusal = refusalOf(access, logger, key, call);
      if (!refusal) {
        if (!unary) closeWhenRevoked(access, logger, key, call);
        return inner(call, callback);
      }
      if (unary && callback) callback(refusal);
      else call.emit('error', refusal);
    };
    guarded[key] = wrapped;
  }
  return guarded;
}

/**
 * Keeps checking an open stream: after each change of the access lists (SIGHUP) its caller is
 * admitted again, and the stream ends with the refusal (PERMISSION_DENIED and the reason) when
 * the caller no longer may call `method`: an operator removed from operators:, or made a role
 * that may not. Revoked certificates are cut by the listener itself (listener.ts recheck).
 */
function closeWhenRevoked(access: AccessPolicy, logger: Logger, method: string, call: AnyCall): void {
  let open = true;
  const stop = access.onChange(() => {
    if (!open) return;
    const again = access.admitControl(call, method);
    if (again.ok) return;
    open = false;
    stop();
    const details = `access withdrawn: ${again.reason}`;
    logger.warn(`closing the ${method} stream of ${call.getPeer()}: ${again.reason}`, {
      method,
      peer: call.getPeer(),
      reason: again.reason,
    });
    call.emit('error', { code: again.status, details });
  });
  const done = (): void => {
    open = false;
    stop();
  };
  call.once('close', done);
  call.once('cancelled', done);
  call.once('finish', done);
}
