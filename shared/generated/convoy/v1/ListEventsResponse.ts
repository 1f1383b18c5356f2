// Original file: proto/convoy/v1/control.proto

import type { EventView as _convoy_v1_EventView, EventView__Output as _convoy_v1_EventView__Output } from '../../convoy/v1/EventView.js';

export interface ListEventsResponse {
  'events'?: (_convoy_v1_EventView)[];
}

export interface ListEventsResponse__Output {
  'events': (_convoy_v1_EventView__Output)[];
}
