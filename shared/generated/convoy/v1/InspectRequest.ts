// Original file: proto/convoy/v1/agent.proto


/**
 * Read-only inspection for preflight and `convoy plan`: fetch tags, check the target
 * exists, report repo state, health and release notes. Runs no plan command.
 */
export interface InspectRequest {
  'requestId'?: (string);
  'targetVersion'?: (string);
  /**
   * convoy plan --diff: the drift's unified diff
   */
  'includeDiff'?: (boolean);
}

/**
 * Read-only inspection for preflight and `convoy plan`: fetch tags, check the target
 * exists, report repo state, health and release notes. Runs no plan command.
 */
export interface InspectRequest__Output {
  'requestId': (string);
  'targetVersion': (string);
  /**
   * convoy plan --diff: the drift's unified diff
   */
  'includeDiff': (boolean);
}
