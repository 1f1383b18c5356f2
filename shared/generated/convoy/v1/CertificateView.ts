// Original file: proto/convoy/v1/control.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A certificate as convoyd saw it (a peer's at connection, or its own).
 */
export interface CertificateView {
  /**
   * the identity it names (agent id, operator name, coordinator CN)
   */
  'subject'?: (string);
  /**
   * SHA-256, AB:CD:...
   */
  'fingerprint'?: (string);
  /**
   * expiry
   */
  'notAfterMs'?: (number | string | Long);
}

/**
 * A certificate as convoyd saw it (a peer's at connection, or its own).
 */
export interface CertificateView__Output {
  /**
   * the identity it names (agent id, operator name, coordinator CN)
   */
  'subject': (string);
  /**
   * SHA-256, AB:CD:...
   */
  'fingerprint': (string);
  /**
   * expiry
   */
  'notAfterMs': (number);
}
