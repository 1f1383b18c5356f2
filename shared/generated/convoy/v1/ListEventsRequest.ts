// Original file: proto/convoy/v1/control.proto


export interface ListEventsRequest {
  'rolloutId'?: (string);
  'limit'?: (number);
}

export interface ListEventsRequest__Output {
  'rolloutId': (string);
  'limit': (number);
}
