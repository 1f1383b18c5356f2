// Original file: proto/convoy/v1/control.proto

import type { ScheduleWindowView as _convoy_v1_ScheduleWindowView, ScheduleWindowView__Output as _convoy_v1_ScheduleWindowView__Output } from '../../convoy/v1/ScheduleWindowView.js';
import type { Long } from '@grpc/proto-loader';

export interface ScheduleView {
  'name'?: (string);
  'cluster'?: (string);
  'cron'?: (string);
  'timezone'?: (string);
  'windowMs'?: (number | string | Long);
  /**
   * as configured: latest | range | tag
   */
  'target'?: (string);
  'enabled'?: (boolean);
  'ackReleaseNotes'?: (boolean);
  'nextWindows'?: (_convoy_v1_ScheduleWindowView)[];
  /**
   * what the target resolves to now ("" if it cannot)
   */
  'resolvedTarget'?: (string);
  'resolveProblem'?: (string);
  /**
   * e.g. "started r-4", "up to date", "skipped: rollout r-3 is running"
   */
  'lastOutcome'?: (string);
  'lastRunAtMs'?: (number | string | Long);
  'lastRolloutId'?: (string);
  'windowOpen'?: (boolean);
  /**
   * end of the open window, 0 when closed
   */
  'windowEndMs'?: (number | string | Long);
}

export interface ScheduleView__Output {
  'name': (string);
  'cluster': (string);
  'cron': (string);
  'timezone': (string);
  'windowMs': (number);
  /**
   * as configured: latest | range | tag
   */
  'target': (string);
  'enabled': (boolean);
  'ackReleaseNotes': (boolean);
  'nextWindows': (_convoy_v1_ScheduleWindowView__Output)[];
  /**
   * what the target resolves to now ("" if it cannot)
   */
  'resolvedTarget': (string);
  'resolveProblem': (string);
  /**
   * e.g. "started r-4", "up to date", "skipped: rollout r-3 is running"
   */
  'lastOutcome': (string);
  'lastRunAtMs': (number);
  'lastRolloutId': (string);
  'windowOpen': (boolean);
  /**
   * end of the open window, 0 when closed
   */
  'windowEndMs': (number);
}
