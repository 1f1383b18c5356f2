// Original file: proto/convoy/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface LogLine {
  'rolloutId'?: (string);
  'agentId'?: (string);
  'step'?: (string);
  'atMs'?: (number | string | Long);
  'line'?: (string);
  'seq'?: (number | string | Long);
}

export interface LogLine__Output {
  'rolloutId': (string);
  'agentId': (string);
  'step': (string);
  'atMs': (number);
  'line': (string);
  'seq': (number);
}
