// Original file: proto/convoy/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface EventView {
  'seq'?: (number | string | Long);
  'atMs'?: (number | string | Long);
  'rolloutId'?: (string);
  'agentId'?: (string);
  'step'?: (string);
  'actor'?: (string);
  'kind'?: (string);
  'message'?: (string);
}

export interface EventView__Output {
  'seq': (number);
  'atMs': (number);
  'rolloutId': (string);
  'agentId': (string);
  'step': (string);
  'actor': (string);
  'kind': (string);
  'message': (string);
}
