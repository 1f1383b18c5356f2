import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { convoyPackage } from './package.js';

/** Largest gRPC message either side accepts or sends (bounded on purpose: hostile peers). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** proto/ sits at the package root, found both from sources (tsx) and from compiled dist/. */
function protoRoot(): string {
  return path.join(convoyPackage().dir, 'proto');
}

/** The files convoy.v1 is loaded from, relative to proto/ (also what `npm run proto:types` reads). */
export const PROTO_FILES = ['convoy/v1/agent.proto', 'convoy/v1/control.proto'] as const;

/**
 * How decoded messages look in JS: camelCase fields, enums as their names, int64 as number,
 * every non-oneof field present. scripts/proto-types.ts passes the same options to the type
 * generator, so shared/generated/ describes exactly these objects.
 */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies protoLoader.Options;

interface LoadedServices {
  AgentService: grpc.ServiceClientConstructor;
  ControlService: grpc.ServiceClientConstructor;
}

let cached: LoadedServices | undefined;

/**
 * Loads convoy.v1 once; returns the service constructors (their `.service` is the definition).
 *
 * The services are built from protobufjs's parse of proto/ directly rather than through
 * proto-loader's loadSync: that one also builds a reflection descriptor of every message,
 * which nothing here serves, and it doubled the time every `convoy` command, convoyd and
 * convoy-agent took to start (and the memory an idle agent holds). The encoding is the same:
 * fromObject then encode out, decode then toObject with LOADER_OPTIONS in, as proto-loader does.
 */
export function loadServices(): LoadedServices {
  if (cached) return cached;
  const root = new protobuf.Root();
  const dir = protoRoot();
  // imports such as "convoy/v1/common.proto" are relative to proto/, like protoc's -I proto
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
  root.loadSync([...PROTO_FILES], { keepCase: LOADER_OPTIONS.keepCase });
  root.resolveAll();
  cached = {
    AgentService: serviceClient(root, 'convoy.v1.AgentService'),
    ControlService: serviceClient(root, 'convoy.v1.ControlService'),
  };
  return cached;
}

function serviceClient(root: protobuf.Root, name: string): grpc.ServiceClientConstructor {
  const service = root.lookupService(name);
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${name}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: serializer(request),
      requestDeserialize: deserializer(request),
      responseSerialize: serializer(response),
      responseDeserialize: deserializer(response),
      // the client's lowerCamel alias (listAgents beside ListAgents); guard.ts keys on it too
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  return grpc.makeGenericClientConstructor(definition, service.name);
}

function serializer(type: protobuf.Type): (value: unknown) => Buffer {
  return (value) => {
    if (Array.isArray(value) || value === null || typeof value !== 'object')
      throw new Error(`cannot encode a ${type.name}: expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
    // protobufjs writes into a Buffer on Node (its BufferWriter): no copy needed
    return type.encode(type.fromObject(value)).finish() as Buffer;
  };
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => unknown {
  return (bytes) => type.toObject(type.decode(bytes), LOADER_OPTIONS);
}

/** Channel options both ends use: bounded messages and keepalive. */
export const channelOptions: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 15_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
};

/** A connection without a call for this long is closed (CLI connections; an agent always has its stream). */
export const MAX_CONNECTION_IDLE_MS = 5 * 60_000;
/**
 * No connection lives longer (±10%): an agent or a `watch` reconnects on its own, and nothing
 * that once got in stays in for good. Its calls get the grace period to finish.
 */
export const MAX_CONNECTION_AGE_MS = 24 * 60 * 60_000;
export const MAX_CONNECTION_AGE_GRACE_MS = 10 * 60_000;

export const serverOptions: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_connection_idle_ms': MAX_CONNECTION_IDLE_MS,
  'grpc.max_connection_age_ms': MAX_CONNECTION_AGE_MS,
  'grpc.max_connection_age_grace_ms': MAX_CONNECTION_AGE_GRACE_MS,
  'grpc.keepalive_time_ms': 15_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.http2.max_pings_without_data': 0,
};
