// Original file: proto/convoy/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface ScheduleWindowView {
  'startMs'?: (number | string | Long);
  'endMs'?: (number | string | Long);
  /**
   * in the schedule's timezone, e.g. "2026-11-29 02:00 CET"
   */
  'startLocal'?: (string);
  'endLocal'?: (string);
}

export interface ScheduleWindowView__Output {
  'startMs': (number);
  'endMs': (number);
  /**
   * in the schedule's timezone, e.g. "2026-11-29 02:00 CET"
   */
  'startLocal': (string);
  'endLocal': (string);
}
