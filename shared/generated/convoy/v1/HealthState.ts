// Original file: proto/convoy/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Latest health observation of the served application.
 */
export interface HealthState {
  'healthy'?: (boolean);
  /**
   * version the service reports, when configured
   */
  'version'?: (string);
  /**
   * why unhealthy: status code, error, version mismatch
   */
  'detail'?: (string);
  'checkedAtMs'?: (number | string | Long);
  /**
   * false when the agent has no health check
   */
  'configured'?: (boolean);
}

/**
 * Latest health observation of the served application.
 */
export interface HealthState__Output {
  'healthy': (boolean);
  /**
   * version the service reports, when configured
   */
  'version': (string);
  /**
   * why unhealthy: status code, error, version mismatch
   */
  'detail': (string);
  'checkedAtMs': (number);
  /**
   * false when the agent has no health check
   */
  'configured': (boolean);
}
