/**
 * The ControlService front door: every method of the service definition goes through here
 * before its handler runs. It refuses undecodable requests (INVALID_ARGUMENT), callers
 * without an operator certificate (UNAUTHENTICATED / PERMISSION_DENIED) and roles that may
 * not call the method, logging each refusal with its reason; then it records the verified
 * caller as the actor the event log names.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../shared/logger.js';
import type { AccessPolicy, PeerCall } from './access.js';
import { malformedReason } from './decode.js';
import { setVerifiedActor } from './errors.js';

type AnyCall = PeerCall & { request?: unknown; emit(event: 'error', err: Partial<grpc.StatusObject>): boolean };
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
      if (!refusal) return inner(call, callback);
      if (unary && callback) callback(refusal);
      else call.emit('error', refusal);
    };
    guarded[key] = wrapped;
  }
  return guarded;
}
