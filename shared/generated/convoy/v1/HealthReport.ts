// Original file: proto/convoy/v1/agent.proto

import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from '../../convoy/v1/HealthState.js';

export interface HealthReport {
  'health'?: (_convoy_v1_HealthState | null);
}

export interface HealthReport__Output {
  'health': (_convoy_v1_HealthState__Output | null);
}
