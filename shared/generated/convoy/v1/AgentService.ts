// Original file: proto/convoy/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _convoy_v1_AgentMessage, AgentMessage__Output as _convoy_v1_AgentMessage__Output } from '../../convoy/v1/AgentMessage.js';
import type { CoordinatorMessage as _convoy_v1_CoordinatorMessage, CoordinatorMessage__Output as _convoy_v1_CoordinatorMessage__Output } from '../../convoy/v1/CoordinatorMessage.js';

/**
 * The agent dials the coordinator and keeps one bidirectional stream open.
 * The first message on the stream must be `hello`.
 */
export interface AgentServiceClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_convoy_v1_AgentMessage, _convoy_v1_CoordinatorMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_convoy_v1_AgentMessage, _convoy_v1_CoordinatorMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_convoy_v1_AgentMessage, _convoy_v1_CoordinatorMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_convoy_v1_AgentMessage, _convoy_v1_CoordinatorMessage__Output>;
  
}

/**
 * The agent dials the coordinator and keeps one bidirectional stream open.
 * The first message on the stream must be `hello`.
 */
export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_convoy_v1_AgentMessage__Output, _convoy_v1_CoordinatorMessage>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_convoy_v1_AgentMessage, _convoy_v1_CoordinatorMessage, _convoy_v1_AgentMessage__Output, _convoy_v1_CoordinatorMessage__Output>
}
