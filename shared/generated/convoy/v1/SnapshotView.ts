// Original file: proto/convoy/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotView {
  /**
   * absolute path on convoyd's host
   */
  'path'?: (string);
  'sizeBytes'?: (number | string | Long);
  'sha256'?: (string);
  /**
   * the state file's schema (restore refuses one newer than the convoyd it runs with)
   */
  'schemaVersion'?: (number);
  /**
   * the convoyd that wrote it
   */
  'convoyVersion'?: (string);
  'takenAtMs'?: (number | string | Long);
  'rollouts'?: (number);
  /**
   * ids of rollouts still in progress in the snapshot
   */
  'unfinishedRollouts'?: (string)[];
}

export interface SnapshotView__Output {
  /**
   * absolute path on convoyd's host
   */
  'path': (string);
  'sizeBytes': (number);
  'sha256': (string);
  /**
   * the state file's schema (restore refuses one newer than the convoyd it runs with)
   */
  'schemaVersion': (number);
  /**
   * the convoyd that wrote it
   */
  'convoyVersion': (string);
  'takenAtMs': (number);
  'rollouts': (number);
  /**
   * ids of rollouts still in progress in the snapshot
   */
  'unfinishedRollouts': (string)[];
}
