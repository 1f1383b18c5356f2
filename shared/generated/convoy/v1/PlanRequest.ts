// Original file: proto/convoy/v1/control.proto


export interface PlanRequest {
  /**
   * either cluster or host
   */
  'cluster'?: (string);
  'host'?: (string);
  'targetVersion'?: (string);
  /**
   * convoy plan --diff: each host's configuration drift as a diff
   */
  'includeDiff'?: (boolean);
}

export interface PlanRequest__Output {
  /**
   * either cluster or host
   */
  'cluster': (string);
  'host': (string);
  'targetVersion': (string);
  /**
   * convoy plan --diff: each host's configuration drift as a diff
   */
  'includeDiff': (boolean);
}
