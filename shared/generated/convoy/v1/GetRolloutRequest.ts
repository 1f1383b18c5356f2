// Original file: proto/convoy/v1/control.proto


export interface GetRolloutRequest {
  'id'?: (string);
}

export interface GetRolloutRequest__Output {
  'id': (string);
}
