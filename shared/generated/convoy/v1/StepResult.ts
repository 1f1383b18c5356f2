// Original file: proto/convoy/v1/agent.proto

import type { StepOutcome as _convoy_v1_StepOutcome, StepOutcome__Output as _convoy_v1_StepOutcome__Output } from '../../convoy/v1/StepOutcome.js';
import type { BackupRecord as _convoy_v1_BackupRecord, BackupRecord__Output as _convoy_v1_BackupRecord__Output } from '../../convoy/v1/BackupRecord.js';
import type { ReleaseNotes as _convoy_v1_ReleaseNotes, ReleaseNotes__Output as _convoy_v1_ReleaseNotes__Output } from '../../convoy/v1/ReleaseNotes.js';
import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from '../../convoy/v1/RepoState.js';
import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from '../../convoy/v1/HealthState.js';
import type { Long } from '@grpc/proto-loader';

export interface StepResult {
  'requestId'?: (string);
  'rolloutId'?: (string);
  'step'?: (string);
  'outcome'?: (_convoy_v1_StepOutcome);
  /**
   * -1 when the step was killed or never ran a process
   */
  'exitCode'?: (number);
  /**
   * one line for operators
   */
  'reason'?: (string);
  'outputTail'?: (string)[];
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  /**
   * checkout: commit before the update
   */
  'previousCommit'?: (string);
  /**
   * backup / backup-after: the archive recorded
   */
  'backup'?: (_convoy_v1_BackupRecord | null);
  'releaseNotes'?: (_convoy_v1_ReleaseNotes | null);
  /**
   * repo state after the step
   */
  'repo'?: (_convoy_v1_RepoState | null);
  /**
   * health step: final observation
   */
  'health'?: (_convoy_v1_HealthState | null);
  'attempt'?: (number);
}

export interface StepResult__Output {
  'requestId': (string);
  'rolloutId': (string);
  'step': (string);
  'outcome': (_convoy_v1_StepOutcome__Output);
  /**
   * -1 when the step was killed or never ran a process
   */
  'exitCode': (number);
  /**
   * one line for operators
   */
  'reason': (string);
  'outputTail': (string)[];
  'startedAtMs': (number);
  'finishedAtMs': (number);
  /**
   * checkout: commit before the update
   */
  'previousCommit': (string);
  /**
   * backup / backup-after: the archive recorded
   */
  'backup': (_convoy_v1_BackupRecord__Output | null);
  'releaseNotes': (_convoy_v1_ReleaseNotes__Output | null);
  /**
   * repo state after the step
   */
  'repo': (_convoy_v1_RepoState__Output | null);
  /**
   * health step: final observation
   */
  'health': (_convoy_v1_HealthState__Output | null);
  'attempt': (number);
}
