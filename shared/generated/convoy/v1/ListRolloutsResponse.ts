// Original file: proto/convoy/v1/control.proto

import type { RolloutView as _convoy_v1_RolloutView, RolloutView__Output as _convoy_v1_RolloutView__Output } from '../../convoy/v1/RolloutView.js';

export interface ListRolloutsResponse {
  'rollouts'?: (_convoy_v1_RolloutView)[];
}

export interface ListRolloutsResponse__Output {
  'rollouts': (_convoy_v1_RolloutView__Output)[];
}
