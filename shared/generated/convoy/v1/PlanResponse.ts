// Original file: proto/convoy/v1/control.proto

import type { PlanHost as _convoy_v1_PlanHost, PlanHost__Output as _convoy_v1_PlanHost__Output } from '../../convoy/v1/PlanHost.js';
import type { ReleaseNote as _convoy_v1_ReleaseNote, ReleaseNote__Output as _convoy_v1_ReleaseNote__Output } from '../../convoy/v1/ReleaseNote.js';

export interface PlanResponse {
  'cluster'?: (string);
  'targetVersion'?: (string);
  'hosts'?: (_convoy_v1_PlanHost)[];
  'requiresAction'?: (boolean);
  'problems'?: (string)[];
  'phases'?: (string)[];
  /**
   * why a rollout would wait for `convoy rollout ack`
   */
  'ackReasons'?: (string)[];
  /**
   * versions on the way with no release notes found
   */
  'notesMissing'?: (string)[];
  /**
   * where Convoy looked
   */
  'notesLookedIn'?: (string)[];
  /**
   * every note found (agents and the coordinator's source)
   */
  'releaseNotes'?: (_convoy_v1_ReleaseNote)[];
  'requiredChanges'?: (string)[];
  /**
   * the coordinator's source could not be read
   */
  'notesError'?: (string);
  /**
   * every version on the way
   */
  'versions'?: (string)[];
}

export interface PlanResponse__Output {
  'cluster': (string);
  'targetVersion': (string);
  'hosts': (_convoy_v1_PlanHost__Output)[];
  'requiresAction': (boolean);
  'problems': (string)[];
  'phases': (string)[];
  /**
   * why a rollout would wait for `convoy rollout ack`
   */
  'ackReasons': (string)[];
  /**
   * versions on the way with no release notes found
   */
  'notesMissing': (string)[];
  /**
   * where Convoy looked
   */
  'notesLookedIn': (string)[];
  /**
   * every note found (agents and the coordinator's source)
   */
  'releaseNotes': (_convoy_v1_ReleaseNote__Output)[];
  'requiredChanges': (string)[];
  /**
   * the coordinator's source could not be read
   */
  'notesError': (string);
  /**
   * every version on the way
   */
  'versions': (string)[];
}
