// Original file: proto/convoy/v1/agent.proto

import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from '../../convoy/v1/RepoState.js';
import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from '../../convoy/v1/HealthState.js';
import type { BackupRecord as _convoy_v1_BackupRecord, BackupRecord__Output as _convoy_v1_BackupRecord__Output } from '../../convoy/v1/BackupRecord.js';
import type { StepResult as _convoy_v1_StepResult, StepResult__Output as _convoy_v1_StepResult__Output } from '../../convoy/v1/StepResult.js';
import type { InFlight as _convoy_v1_InFlight, InFlight__Output as _convoy_v1_InFlight__Output } from '../../convoy/v1/InFlight.js';
import type { Long } from '@grpc/proto-loader';

export interface Hello {
  'agentId'?: (string);
  'labels'?: ({[key: string]: string});
  'serverDir'?: (string);
  'agentVersion'?: (string);
  'repo'?: (_convoy_v1_RepoState | null);
  'health'?: (_convoy_v1_HealthState | null);
  /**
   * enabled steps, in order
   */
  'plan'?: (string)[];
  /**
   * steps safe to re-run after an interruption
   */
  'rerunnableSteps'?: (string)[];
  'backups'?: (_convoy_v1_BackupRecord)[];
  /**
   * results finished while disconnected (journal)
   */
  'undelivered'?: (_convoy_v1_StepResult)[];
  /**
   * step running right now, if any
   */
  'inFlight'?: (_convoy_v1_InFlight | null);
  'hostname'?: (string);
  /**
   * a restore command is configured
   */
  'hasRestore'?: (boolean);
  /**
   * each enabled step's timeout
   */
  'stepTimeoutsMs'?: ({[key: string]: number | string | Long});
  /**
   * which backups restore into which version (backup.compatibility)
   */
  'backupCompatibility'?: (string);
  /**
   * the rollback procedure, in order (empty from older agents)
   */
  'rollbackPlan'?: (string)[];
  /**
   * steps that need the pre-update backup (backup_id)
   */
  'backupSteps'?: (string)[];
  /**
   * the profile the agent's defaults come from ("" or "hoss")
   */
  'profile'?: (string);
  /**
   * the agent protocol it speaks (shared/protocol.ts; 0 from agents older than the field: 1)
   */
  'protocolVersion'?: (number);
  /**
   * backup.keep.perMinor: archives kept per major.minor (0: all, or an agent older than the field)
   */
  'backupKeepPerMinor'?: (number);
}

export interface Hello__Output {
  'agentId': (string);
  'labels': ({[key: string]: string});
  'serverDir': (string);
  'agentVersion': (string);
  'repo': (_convoy_v1_RepoState__Output | null);
  'health': (_convoy_v1_HealthState__Output | null);
  /**
   * enabled steps, in order
   */
  'plan': (string)[];
  /**
   * steps safe to re-run after an interruption
   */
  'rerunnableSteps': (string)[];
  'backups': (_convoy_v1_BackupRecord__Output)[];
  /**
   * results finished while disconnected (journal)
   */
  'undelivered': (_convoy_v1_StepResult__Output)[];
  /**
   * step running right now, if any
   */
  'inFlight': (_convoy_v1_InFlight__Output | null);
  'hostname': (string);
  /**
   * a restore command is configured
   */
  'hasRestore': (boolean);
  /**
   * each enabled step's timeout
   */
  'stepTimeoutsMs': ({[key: string]: number});
  /**
   * which backups restore into which version (backup.compatibility)
   */
  'backupCompatibility': (string);
  /**
   * the rollback procedure, in order (empty from older agents)
   */
  'rollbackPlan': (string)[];
  /**
   * steps that need the pre-update backup (backup_id)
   */
  'backupSteps': (string)[];
  /**
   * the profile the agent's defaults come from ("" or "hoss")
   */
  'profile': (string);
  /**
   * the agent protocol it speaks (shared/protocol.ts; 0 from agents older than the field: 1)
   */
  'protocolVersion': (number);
  /**
   * backup.keep.perMinor: archives kept per major.minor (0: all, or an agent older than the field)
   */
  'backupKeepPerMinor': (number);
}
