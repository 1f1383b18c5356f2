// Original file: proto/convoy/v1/agent.proto

import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from '../../convoy/v1/RepoState.js';
import type { BackupRecord as _convoy_v1_BackupRecord, BackupRecord__Output as _convoy_v1_BackupRecord__Output } from '../../convoy/v1/BackupRecord.js';

export interface RepoReport {
  'repo'?: (_convoy_v1_RepoState | null);
  'backups'?: (_convoy_v1_BackupRecord)[];
}

export interface RepoReport__Output {
  'repo': (_convoy_v1_RepoState__Output | null);
  'backups': (_convoy_v1_BackupRecord__Output)[];
}
