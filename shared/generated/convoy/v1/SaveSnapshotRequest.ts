// Original file: proto/convoy/v1/control.proto


export interface SaveSnapshotRequest {
  /**
   * a file name in the snapshots/ directory next to convoyd's stateFile (or an absolute path inside it)
   */
  'file'?: (string);
  /**
   * replace an existing snapshot of that name
   */
  'force'?: (boolean);
}

export interface SaveSnapshotRequest__Output {
  /**
   * a file name in the snapshots/ directory next to convoyd's stateFile (or an absolute path inside it)
   */
  'file': (string);
  /**
   * replace an existing snapshot of that name
   */
  'force': (boolean);
}
