import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
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

/** Loads convoy.v1 once; returns the service constructors (their `.service` is the definition). */
export function loadServices(): LoadedServices {
  if (cached) return cached;
  const root = protoRoot();
  const def = protoLoader.loadSync([...PROTO_FILES], { includeDirs: [root], ...LOADER_OPTIONS });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { convoy: { v1: LoadedServices } };
  cached = { AgentService: pkg.convoy.v1.AgentService, ControlService: pkg.convoy.v1.ControlService };
  return cached;
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
