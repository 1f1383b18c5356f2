// Original file: proto/convoy/v1/control.proto

import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from '../../convoy/v1/RepoState.js';
import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from '../../convoy/v1/HealthState.js';
import type { CertificateView as _convoy_v1_CertificateView, CertificateView__Output as _convoy_v1_CertificateView__Output } from '../../convoy/v1/CertificateView.js';
import type { Long } from '@grpc/proto-loader';

export interface AgentView {
  'id'?: (string);
  'connected'?: (boolean);
  'labels'?: ({[key: string]: string});
  'serverDir'?: (string);
  'repo'?: (_convoy_v1_RepoState | null);
  'health'?: (_convoy_v1_HealthState | null);
  'plan'?: (string)[];
  'lastSeenMs'?: (number | string | Long);
  'cluster'?: (string);
  /**
   * auth | member | "" (not in a cluster)
   */
  'role'?: (string);
  'backupCount'?: (number);
  'hostname'?: (string);
  'agentVersion'?: (string);
  'connectedSinceMs'?: (number | string | Long);
  /**
   * the version the work tree is at (repo.installed_version)
   */
  'checkedOutVersion'?: (string);
  /**
   * the version the service reports ("" when its health check reports none, or unknown)
   */
  'servedVersion'?: (string);
  /**
   * healthy | unhealthy | unknown (disconnected) | none (no health check)
   */
  'healthState'?: (string);
  /**
   * when convoyd last received a health report (its own clock)
   */
  'healthReportedAtMs'?: (number | string | Long);
  /**
   * the agent protocol of its last Hello (1 for agents older than the field)
   */
  'protocolVersion'?: (number);
  /**
   * the client certificate of its last connection (absent without mutual TLS)
   */
  'certificate'?: (_convoy_v1_CertificateView | null);
}

export interface AgentView__Output {
  'id': (string);
  'connected': (boolean);
  'labels': ({[key: string]: string});
  'serverDir': (string);
  'repo': (_convoy_v1_RepoState__Output | null);
  'health': (_convoy_v1_HealthState__Output | null);
  'plan': (string)[];
  'lastSeenMs': (number);
  'cluster': (string);
  /**
   * auth | member | "" (not in a cluster)
   */
  'role': (string);
  'backupCount': (number);
  'hostname': (string);
  'agentVersion': (string);
  'connectedSinceMs': (number);
  /**
   * the version the work tree is at (repo.installed_version)
   */
  'checkedOutVersion': (string);
  /**
   * the version the service reports ("" when its health check reports none, or unknown)
   */
  'servedVersion': (string);
  /**
   * healthy | unhealthy | unknown (disconnected) | none (no health check)
   */
  'healthState': (string);
  /**
   * when convoyd last received a health report (its own clock)
   */
  'healthReportedAtMs': (number);
  /**
   * the agent protocol of its last Hello (1 for agents older than the field)
   */
  'protocolVersion': (number);
  /**
   * the client certificate of its last connection (absent without mutual TLS)
   */
  'certificate': (_convoy_v1_CertificateView__Output | null);
}
