// Original file: proto/convoy/v1/control.proto

import type { ReleaseNotes as _convoy_v1_ReleaseNotes, ReleaseNotes__Output as _convoy_v1_ReleaseNotes__Output } from '../../convoy/v1/ReleaseNotes.js';
import type { Drift as _convoy_v1_Drift, Drift__Output as _convoy_v1_Drift__Output } from '../../convoy/v1/Drift.js';

export interface PlanHost {
  'agentId'?: (string);
  'role'?: (string);
  'order'?: (number);
  'installedVersion'?: (string);
  'targetVersion'?: (string);
  'steps'?: (string)[];
  'releaseNotes'?: (_convoy_v1_ReleaseNotes | null);
  /**
   * why this host would fail preflight, empty when ready
   */
  'problem'?: (string);
  'connected'?: (boolean);
  'healthy'?: (boolean);
  /**
   * update | skip | refused: what `rollout start` would do with this host
   */
  'verdict'?: (string);
  /**
   * why it is skipped or refused
   */
  'verdictReason'?: (string);
  /**
   * configuration drift on the way (files, diff, required changes)
   */
  'drift'?: (_convoy_v1_Drift | null);
  /**
   * what the service reports ("" when its health check reports none)
   */
  'servedVersion'?: (string);
}

export interface PlanHost__Output {
  'agentId': (string);
  'role': (string);
  'order': (number);
  'installedVersion': (string);
  'targetVersion': (string);
  'steps': (string)[];
  'releaseNotes': (_convoy_v1_ReleaseNotes__Output | null);
  /**
   * why this host would fail preflight, empty when ready
   */
  'problem': (string);
  'connected': (boolean);
  'healthy': (boolean);
  /**
   * update | skip | refused: what `rollout start` would do with this host
   */
  'verdict': (string);
  /**
   * why it is skipped or refused
   */
  'verdictReason': (string);
  /**
   * configuration drift on the way (files, diff, required changes)
   */
  'drift': (_convoy_v1_Drift__Output | null);
  /**
   * what the service reports ("" when its health check reports none)
   */
  'servedVersion': (string);
}
