/** Opens AgentService.Connect streams: credentials, channel options, one channel per session. */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { channelOptions, loadServices } from '../../shared/proto.js';
import { ConvoyError, messageOf } from '../../shared/errors.js';
import { tlsChannel } from '../../shared/tls-client.js';
import type { AgentMessage, CoordinatorMessage } from '../../shared/wire.js';
import type { AgentConfig } from '../types.js';

/** The part of a gRPC duplex stream the link uses (a fake in unit tests). */
export interface AgentStream {
  write(msg: AgentMessage): boolean;
  end(): void;
  cancel(): void;
  readonly writableNeedDrain: boolean;
  on(event: 'data', fn: (msg: CoordinatorMessage) => void): this;
  on(event: 'status', fn: (status: grpc.StatusObject) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}

/** One attempt: the stream and a way to release its channel. */
export interface StreamSession {
  stream: AgentStream;
  close(): void;
}

export type OpenStream = () => StreamSession;

function readPem(file: string, key: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConvoyError(
      'FAILED_PRECONDITION',
      `cannot read coordinator.tls.${key} ${file}: ${messageOf(err)}`,
      'Check the file and its permissions, then restart convoy-agent.',
    );
  }
}

/**
 * Credentials from the config: plaintext (loopback, checked by config.ts) or TLS with a client
 * certificate; the options carry the TLS name handling of an IP address (shared/tls-client.ts).
 */
export function agentCredentials(config: AgentConfig): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const tls = config.coordinator.tls;
  if (config.coordinator.insecure || !tls) return { credentials: grpc.credentials.createInsecure(), options: {} };
  return tlsChannel(config.coordinator.address, {
    ca: readPem(tls.ca, 'ca'),
    key: readPem(tls.key, 'key'),
    cert: readPem(tls.cert, 'cert'),
  });
}

/**
 * A fresh channel per attempt: our backoff alone decides when to dial (a reused channel in
 * TRANSIENT_FAILURE would fail calls fast until its own, longer reconnect backoff ran out).
 */
export function grpcStreamOpener(config: AgentConfig): OpenStream {
  const { AgentService } = loadServices();
  const { credentials, options } = agentCredentials(config);
  return () => {
    const client = new AgentService(config.coordinator.address, credentials, { ...channelOptions, ...options });
    const connect = (client as unknown as { Connect(): grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage> }).Connect.bind(client);
    return { stream: connect(), close: () => client.close() };
  };
}
