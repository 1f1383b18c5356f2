// Original file: proto/convoy/v1/control.proto

import type { BackupView as _convoy_v1_BackupView, BackupView__Output as _convoy_v1_BackupView__Output } from '../../convoy/v1/BackupView.js';

export interface ListBackupsResponse {
  'agentId'?: (string);
  'installedVersion'?: (string);
  'backups'?: (_convoy_v1_BackupView)[];
  /**
   * the agent's backup.keep.perMinor (0: every archive is kept)
   */
  'keepPerMinor'?: (number);
}

export interface ListBackupsResponse__Output {
  'agentId': (string);
  'installedVersion': (string);
  'backups': (_convoy_v1_BackupView__Output)[];
  /**
   * the agent's backup.keep.perMinor (0: every archive is kept)
   */
  'keepPerMinor': (number);
}
