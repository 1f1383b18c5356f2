// Original file: proto/convoy/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Welcome {
  'coordinatorVersion'?: (string);
  'heartbeatIntervalMs'?: (number | string | Long);
  /**
   * undelivered results already stored
   */
  'ackedRequestIds'?: (string)[];
  /**
   * the agent protocol convoyd speaks (0 from a convoyd older than the field: 1)
   */
  'protocolVersion'?: (number);
}

export interface Welcome__Output {
  'coordinatorVersion': (string);
  'heartbeatIntervalMs': (number);
  /**
   * undelivered results already stored
   */
  'ackedRequestIds': (string)[];
  /**
   * the agent protocol convoyd speaks (0 from a convoyd older than the field: 1)
   */
  'protocolVersion': (number);
}
