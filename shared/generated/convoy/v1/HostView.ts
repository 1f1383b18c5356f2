// Original file: proto/convoy/v1/control.proto

import type { StepRunView as _convoy_v1_StepRunView, StepRunView__Output as _convoy_v1_StepRunView__Output } from '../../convoy/v1/StepRunView.js';
import type { Long } from '@grpc/proto-loader';

export interface HostView {
  'agentId'?: (string);
  /**
   * auth | member | single
   */
  'role'?: (string);
  'order'?: (number);
  /**
   * pending | backing-up | backed-up | updating | waiting-healthy | updated | failed | rolled-back | skipped
   */
  'state'?: (string);
  'currentStep'?: (string);
  'stepStartedAtMs'?: (number | string | Long);
  'fromVersion'?: (string);
  'reason'?: (string);
  'steps'?: (_convoy_v1_StepRunView)[];
  'previousCommit'?: (string);
  'preBackupId'?: (string);
  'hostStartedAtMs'?: (number | string | Long);
  'hostFinishedAtMs'?: (number | string | Long);
}

export interface HostView__Output {
  'agentId': (string);
  /**
   * auth | member | single
   */
  'role': (string);
  'order': (number);
  /**
   * pending | backing-up | backed-up | updating | waiting-healthy | updated | failed | rolled-back | skipped
   */
  'state': (string);
  'currentStep': (string);
  'stepStartedAtMs': (number);
  'fromVersion': (string);
  'reason': (string);
  'steps': (_convoy_v1_StepRunView__Output)[];
  'previousCommit': (string);
  'preBackupId': (string);
  'hostStartedAtMs': (number);
  'hostFinishedAtMs': (number);
}
