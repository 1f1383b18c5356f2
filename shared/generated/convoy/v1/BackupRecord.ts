// Original file: proto/convoy/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One archive in the agent's backup catalogue.
 */
export interface BackupRecord {
  /**
   * stable id (sha256 prefix + time)
   */
  'id'?: (string);
  /**
   * absolute path on the agent host
   */
  'path'?: (string);
  /**
   * version installed when the backup was taken
   */
  'version'?: (string);
  'sizeBytes'?: (number | string | Long);
  'sha256'?: (string);
  'createdAtMs'?: (number | string | Long);
  /**
   * backup | backup-after
   */
  'step'?: (string);
  'rolloutId'?: (string);
}

/**
 * One archive in the agent's backup catalogue.
 */
export interface BackupRecord__Output {
  /**
   * stable id (sha256 prefix + time)
   */
  'id': (string);
  /**
   * absolute path on the agent host
   */
  'path': (string);
  /**
   * version installed when the backup was taken
   */
  'version': (string);
  'sizeBytes': (number);
  'sha256': (string);
  'createdAtMs': (number);
  /**
   * backup | backup-after
   */
  'step': (string);
  'rolloutId': (string);
}
