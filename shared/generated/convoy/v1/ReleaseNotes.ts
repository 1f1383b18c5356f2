// Original file: proto/convoy/v1/common.proto

import type { ReleaseNote as _convoy_v1_ReleaseNote, ReleaseNote__Output as _convoy_v1_ReleaseNote__Output } from '../../convoy/v1/ReleaseNote.js';

export interface ReleaseNotes {
  'fromVersion'?: (string);
  'toVersion'?: (string);
  'notes'?: (_convoy_v1_ReleaseNote)[];
  'requiresAction'?: (boolean);
  /**
   * every version on the way, ascending (those without a note have none here)
   */
  'versions'?: (string)[];
  /**
   * where the agent looked, for "none found" to say where
   */
  'lookedIn'?: (string)[];
}

export interface ReleaseNotes__Output {
  'fromVersion': (string);
  'toVersion': (string);
  'notes': (_convoy_v1_ReleaseNote__Output)[];
  'requiresAction': (boolean);
  /**
   * every version on the way, ascending (those without a note have none here)
   */
  'versions': (string)[];
  /**
   * where the agent looked, for "none found" to say where
   */
  'lookedIn': (string)[];
}
