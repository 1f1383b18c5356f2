// Original file: proto/convoy/v1/common.proto


/**
 * Configuration drift between the installed and the target version (agent.yaml drift:).
 */
export interface Drift {
  /**
   * configuration files that change on the way ("M server/x.tmpl")
   */
  'files'?: (string)[];
  /**
   * unified diff of those files, line by line, when asked for (bounded)
   */
  'diffLines'?: (string)[];
  /**
   * changes the host must make by hand (e.g. a key its .env lacks)
   */
  'requiredChanges'?: (string)[];
  /**
   * why drift could not be computed
   */
  'error'?: (string);
  'diffTruncated'?: (boolean);
}

/**
 * Configuration drift between the installed and the target version (agent.yaml drift:).
 */
export interface Drift__Output {
  /**
   * configuration files that change on the way ("M server/x.tmpl")
   */
  'files': (string)[];
  /**
   * unified diff of those files, line by line, when asked for (bounded)
   */
  'diffLines': (string)[];
  /**
   * changes the host must make by hand (e.g. a key its .env lacks)
   */
  'requiredChanges': (string)[];
  /**
   * why drift could not be computed
   */
  'error': (string);
  'diffTruncated': (boolean);
}
