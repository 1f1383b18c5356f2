/**
 * Bytes that are not a valid message must be refused with INVALID_ARGUMENT and a reason, like
 * any other bad input. grpc-js answers a decoding failure with INTERNAL and no handler ever
 * sees it; these wrappers turn the failure into a marked value the handlers refuse.
 */
import type * as grpc from '@grpc/grpc-js';
import { messageOf } from '../../shared/errors.js';

const MALFORMED = Symbol('convoy.malformed');

interface Malformed {
  [MALFORMED]: string;
}

/** The reason `msg` could not be decoded, or undefined for a decoded message. */
export function malformedReason(msg: unknown): string | undefined {
  if (msg === null || typeof msg !== 'object') return undefined;
  return (msg as Partial<Malformed>)[MALFORMED];
}

type MethodDefinition = grpc.MethodDefinition<unknown, unknown>;

function mapMethods(def: grpc.ServiceDefinition, fn: (m: MethodDefinition) => MethodDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(Object.entries(def).map(([name, m]) => [name, fn(m as MethodDefinition)]));
}

/** `def` with decoding that never throws: undecodable requests arrive marked (see malformedReason). */
export function tolerantService(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return mapMethods(def, (m) => ({
    ...m,
    requestDeserialize: (buf: Buffer): unknown => {
      try {
        return m.requestDeserialize(buf);
      } catch (err) {
        return {
          [MALFORMED]: `not a valid ${m.path.split('/').pop() ?? ''} request (${messageOf(err).slice(0, 200)})`,
        } satisfies Malformed;
      }
    },
  }));
}

/** `def` that decodes nothing: for the server that only refuses unauthenticated peers. */
export function ignoringService(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return mapMethods(def, (m) => ({ ...m, requestDeserialize: (): unknown => ({}) }));
}
