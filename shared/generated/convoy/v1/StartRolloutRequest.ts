// Original file: proto/convoy/v1/control.proto


export interface StartRolloutRequest {
  'cluster'?: (string);
  'host'?: (string);
  'targetVersion'?: (string);
  'ackReleaseNotes'?: (boolean);
}

export interface StartRolloutRequest__Output {
  'cluster': (string);
  'host': (string);
  'targetVersion': (string);
  'ackReleaseNotes': (boolean);
}
