// Original file: proto/convoy/v1/control.proto

import type { AgentView as _convoy_v1_AgentView, AgentView__Output as _convoy_v1_AgentView__Output } from '../../convoy/v1/AgentView.js';

export interface ListAgentsResponse {
  'agents'?: (_convoy_v1_AgentView)[];
  /**
   * "" on the last page
   */
  'nextPageToken'?: (string);
}

export interface ListAgentsResponse__Output {
  'agents': (_convoy_v1_AgentView__Output)[];
  /**
   * "" on the last page
   */
  'nextPageToken': (string);
}
