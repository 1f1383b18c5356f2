// Original file: proto/convoy/v1/control.proto


export interface ListRolloutsRequest {
  'limit'?: (number);
  'cluster'?: (string);
}

export interface ListRolloutsRequest__Output {
  'limit': (number);
  'cluster': (string);
}
