// Original file: proto/convoy/v1/agent.proto

import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from '../../convoy/v1/RepoState.js';
import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from '../../convoy/v1/HealthState.js';
import type { ReleaseNotes as _convoy_v1_ReleaseNotes, ReleaseNotes__Output as _convoy_v1_ReleaseNotes__Output } from '../../convoy/v1/ReleaseNotes.js';
import type { Drift as _convoy_v1_Drift, Drift__Output as _convoy_v1_Drift__Output } from '../../convoy/v1/Drift.js';

export interface InspectResult {
  'requestId'?: (string);
  'targetVersion'?: (string);
  'targetExists'?: (boolean);
  /**
   * why the target is refused, empty when acceptable
   */
  'error'?: (string);
  'repo'?: (_convoy_v1_RepoState | null);
  'health'?: (_convoy_v1_HealthState | null);
  'releaseNotes'?: (_convoy_v1_ReleaseNotes | null);
  'plan'?: (string)[];
  'drift'?: (_convoy_v1_Drift | null);
}

export interface InspectResult__Output {
  'requestId': (string);
  'targetVersion': (string);
  'targetExists': (boolean);
  /**
   * why the target is refused, empty when acceptable
   */
  'error': (string);
  'repo': (_convoy_v1_RepoState__Output | null);
  'health': (_convoy_v1_HealthState__Output | null);
  'releaseNotes': (_convoy_v1_ReleaseNotes__Output | null);
  'plan': (string)[];
  'drift': (_convoy_v1_Drift__Output | null);
}
