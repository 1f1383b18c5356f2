// Original file: proto/convoy/v1/common.proto


/**
 * Release notes of one version in (installed, target].
 */
export interface ReleaseNote {
  'version'?: (string);
  /**
   * "tag" or the changelog path
   */
  'source'?: (string);
  'text'?: (string);
  'requiresAction'?: (boolean);
  /**
   * lines/sections that matched the marker
   */
  'requiredLines'?: (string)[];
}

/**
 * Release notes of one version in (installed, target].
 */
export interface ReleaseNote__Output {
  'version': (string);
  /**
   * "tag" or the changelog path
   */
  'source': (string);
  'text': (string);
  'requiresAction': (boolean);
  /**
   * lines/sections that matched the marker
   */
  'requiredLines': (string)[];
}
