// Original file: proto/convoy/v1/common.proto


/**
 * State of the git work tree an agent manages.
 */
export interface RepoState {
  /**
   * tag at HEAD, else `git describe --tags`
   */
  'installedVersion'?: (string);
  /**
   * full sha of HEAD
   */
  'commit'?: (string);
  /**
   * no tracked changes (untracked ignored files do not count)
   */
  'clean'?: (boolean);
  /**
   * tags known locally, highest version first
   */
  'tags'?: (string)[];
  /**
   * current branch, empty when detached
   */
  'branch'?: (string);
  /**
   * the branch the agent may fast-forward (config), empty if none
   */
  'trackedBranch'?: (string);
  /**
   * first changed paths when not clean
   */
  'dirtyDetail'?: (string);
}

/**
 * State of the git work tree an agent manages.
 */
export interface RepoState__Output {
  /**
   * tag at HEAD, else `git describe --tags`
   */
  'installedVersion': (string);
  /**
   * full sha of HEAD
   */
  'commit': (string);
  /**
   * no tracked changes (untracked ignored files do not count)
   */
  'clean': (boolean);
  /**
   * tags known locally, highest version first
   */
  'tags': (string)[];
  /**
   * current branch, empty when detached
   */
  'branch': (string);
  /**
   * the branch the agent may fast-forward (config), empty if none
   */
  'trackedBranch': (string);
  /**
   * first changed paths when not clean
   */
  'dirtyDetail': (string);
}
