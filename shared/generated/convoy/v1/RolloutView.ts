// Original file: proto/convoy/v1/control.proto

import type { HostView as _convoy_v1_HostView, HostView__Output as _convoy_v1_HostView__Output } from '../../convoy/v1/HostView.js';
import type { ReleaseNote as _convoy_v1_ReleaseNote, ReleaseNote__Output as _convoy_v1_ReleaseNote__Output } from '../../convoy/v1/ReleaseNote.js';
import type { Long } from '@grpc/proto-loader';

export interface RolloutView {
  'id'?: (string);
  /**
   * empty for a single-host rollout
   */
  'cluster'?: (string);
  'targetVersion'?: (string);
  /**
   * pending | awaiting-ack | running | paused | succeeded | failed | aborted
   */
  'state'?: (string);
  /**
   * preflight | backup-all | auth | members | done
   */
  'phase'?: (string);
  'reason'?: (string);
  'failedHost'?: (string);
  'failedStep'?: (string);
  'initiator'?: (string);
  'createdAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'ackRequired'?: (boolean);
  'ackedBy'?: (string);
  'ackedAtMs'?: (number | string | Long);
  'hosts'?: (_convoy_v1_HostView)[];
  'maxParallel'?: (number);
  'releaseNotes'?: (_convoy_v1_ReleaseNote)[];
  'authHost'?: (string);
  'resumeAtMs'?: (number | string | Long);
  /**
   * versions on the way with no release notes found
   */
  'notesMissing'?: (string)[];
  /**
   * where Convoy looked
   */
  'notesLookedIn'?: (string)[];
  /**
   * changes hosts needed by hand (acknowledged or awaited)
   */
  'requiredChanges'?: (string)[];
  'notesError'?: (string);
  /**
   * `convoy rollout rollback` would start now
   */
  'rollbackPossible'?: (boolean);
  /**
   * why not (failed or aborted rollouts only)
   */
  'rollbackBlocked'?: (string);
}

export interface RolloutView__Output {
  'id': (string);
  /**
   * empty for a single-host rollout
   */
  'cluster': (string);
  'targetVersion': (string);
  /**
   * pending | awaiting-ack | running | paused | succeeded | failed | aborted
   */
  'state': (string);
  /**
   * preflight | backup-all | auth | members | done
   */
  'phase': (string);
  'reason': (string);
  'failedHost': (string);
  'failedStep': (string);
  'initiator': (string);
  'createdAtMs': (number);
  'updatedAtMs': (number);
  'finishedAtMs': (number);
  'ackRequired': (boolean);
  'ackedBy': (string);
  'ackedAtMs': (number);
  'hosts': (_convoy_v1_HostView__Output)[];
  'maxParallel': (number);
  'releaseNotes': (_convoy_v1_ReleaseNote__Output)[];
  'authHost': (string);
  'resumeAtMs': (number);
  /**
   * versions on the way with no release notes found
   */
  'notesMissing': (string)[];
  /**
   * where Convoy looked
   */
  'notesLookedIn': (string)[];
  /**
   * changes hosts needed by hand (acknowledged or awaited)
   */
  'requiredChanges': (string)[];
  'notesError': (string);
  /**
   * `convoy rollout rollback` would start now
   */
  'rollbackPossible': (boolean);
  /**
   * why not (failed or aborted rollouts only)
   */
  'rollbackBlocked': (string);
}
