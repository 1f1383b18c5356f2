/**
 * How many bytes a message takes on the wire, measured with the same serializer grpc-js uses:
 * what must fit MAX_MESSAGE_BYTES is decided on the real encoding, not on a guess.
 */
import type * as grpc from '@grpc/grpc-js';
import { loadServices } from './proto.js';
import type { AgentMessage } from './wire.js';

let serialize: ((msg: AgentMessage) => Buffer) | undefined;

/** Encoded size of one AgentMessage (a Hello, a result…). */
export function agentMessageBytes(msg: AgentMessage): number {
  serialize ??= (loadServices().AgentService.service.Connect as grpc.MethodDefinition<AgentMessage, unknown>).requestSerialize;
  return serialize(msg).length;
}
