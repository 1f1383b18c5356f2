// Original file: proto/convoy/v1/agent.proto

import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from '../../convoy/v1/HealthState.js';
import type { InFlight as _convoy_v1_InFlight, InFlight__Output as _convoy_v1_InFlight__Output } from '../../convoy/v1/InFlight.js';
import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'sentAtMs'?: (number | string | Long);
  'health'?: (_convoy_v1_HealthState | null);
  'inFlight'?: (_convoy_v1_InFlight | null);
}

export interface Heartbeat__Output {
  'sentAtMs': (number);
  'health': (_convoy_v1_HealthState__Output | null);
  'inFlight': (_convoy_v1_InFlight__Output | null);
}
