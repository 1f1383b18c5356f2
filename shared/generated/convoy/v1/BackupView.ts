// Original file: proto/convoy/v1/control.proto

import type { BackupRecord as _convoy_v1_BackupRecord, BackupRecord__Output as _convoy_v1_BackupRecord__Output } from '../../convoy/v1/BackupRecord.js';

export interface BackupView {
  'backup'?: (_convoy_v1_BackupRecord | null);
  /**
   * compatible with the installed version
   */
  'restorable'?: (boolean);
  'exists'?: (boolean);
}

export interface BackupView__Output {
  'backup': (_convoy_v1_BackupRecord__Output | null);
  /**
   * compatible with the installed version
   */
  'restorable': (boolean);
  'exists': (boolean);
}
