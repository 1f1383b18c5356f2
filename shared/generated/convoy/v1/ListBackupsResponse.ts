// Original file: proto/convoy/v1/control.proto

import type { BackupView as _convoy_v1_BackupView, BackupView__Output as _convoy_v1_BackupView__Output } from '../../convoy/v1/BackupView.js';

export interface ListBackupsResponse {
  'agentId'?: (string);
  'installedVersion'?: (string);
  'backups'?: (_convoy_v1_BackupView)[];
}

export interface ListBackupsResponse__Output {
  'agentId': (string);
  'installedVersion': (string);
  'backups': (_convoy_v1_BackupView__Output)[];
}
