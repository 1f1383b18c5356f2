// Original file: proto/convoy/v1/control.proto

import type { ScheduleView as _convoy_v1_ScheduleView, ScheduleView__Output as _convoy_v1_ScheduleView__Output } from '../../convoy/v1/ScheduleView.js';

export interface ListSchedulesResponse {
  'schedules'?: (_convoy_v1_ScheduleView)[];
}

export interface ListSchedulesResponse__Output {
  'schedules': (_convoy_v1_ScheduleView__Output)[];
}
