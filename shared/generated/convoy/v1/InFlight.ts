// Original file: proto/convoy/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface InFlight {
  'requestId'?: (string);
  'rolloutId'?: (string);
  'step'?: (string);
  'targetVersion'?: (string);
  'startedAtMs'?: (number | string | Long);
}

export interface InFlight__Output {
  'requestId': (string);
  'rolloutId': (string);
  'step': (string);
  'targetVersion': (string);
  'startedAtMs': (number);
}
