// Original file: proto/convoy/v1/control.proto


export interface ListBackupsRequest {
  'agentId'?: (string);
}

export interface ListBackupsRequest__Output {
  'agentId': (string);
}
