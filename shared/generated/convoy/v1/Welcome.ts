// Original file: proto/convoy/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Welcome {
  'coordinatorVersion'?: (string);
  'heartbeatIntervalMs'?: (number | string | Long);
  /**
   * undelivered results already stored
   */
  'ackedRequestIds'?: (string)[];
}

export interface Welcome__Output {
  'coordinatorVersion': (string);
  'heartbeatIntervalMs': (number);
  /**
   * undelivered results already stored
   */
  'ackedRequestIds': (string)[];
}
