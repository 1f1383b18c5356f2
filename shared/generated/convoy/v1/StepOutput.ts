// Original file: proto/convoy/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface StepOutput {
  'requestId'?: (string);
  'rolloutId'?: (string);
  'step'?: (string);
  'lines'?: (string)[];
  'atMs'?: (number | string | Long);
}

export interface StepOutput__Output {
  'requestId': (string);
  'rolloutId': (string);
  'step': (string);
  'lines': (string)[];
  'atMs': (number);
}
