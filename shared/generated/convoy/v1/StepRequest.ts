// Original file: proto/convoy/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Ask the agent to run one named step of its own plan toward a target version.
 */
export interface StepRequest {
  'requestId'?: (string);
  'rolloutId'?: (string);
  /**
   * must equal the agent's own id
   */
  'agentId'?: (string);
  /**
   * a step name of the agent's plan, or rollback-* /restore
   */
  'step'?: (string);
  /**
   * an existing tag or the tracked branch
   */
  'targetVersion'?: (string);
  /**
   * informational, passed as CONVOY_FROM_VERSION
   */
  'fromVersion'?: (string);
  /**
   * restore: the catalogue id of the archive
   */
  'backupId'?: (string);
  /**
   * rollback checkout: the previous commit recorded by checkout
   */
  'restoreCommit'?: (string);
  'attempt'?: (number);
  /**
   * health step: the cluster's deadline (0 = the agent's own)
   */
  'healthDeadlineMs'?: (number | string | Long);
}

/**
 * Ask the agent to run one named step of its own plan toward a target version.
 */
export interface StepRequest__Output {
  'requestId': (string);
  'rolloutId': (string);
  /**
   * must equal the agent's own id
   */
  'agentId': (string);
  /**
   * a step name of the agent's plan, or rollback-* /restore
   */
  'step': (string);
  /**
   * an existing tag or the tracked branch
   */
  'targetVersion': (string);
  /**
   * informational, passed as CONVOY_FROM_VERSION
   */
  'fromVersion': (string);
  /**
   * restore: the catalogue id of the archive
   */
  'backupId': (string);
  /**
   * rollback checkout: the previous commit recorded by checkout
   */
  'restoreCommit': (string);
  'attempt': (number);
  /**
   * health step: the cluster's deadline (0 = the agent's own)
   */
  'healthDeadlineMs': (number);
}
