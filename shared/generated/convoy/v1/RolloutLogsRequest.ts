// Original file: proto/convoy/v1/control.proto


export interface RolloutLogsRequest {
  'id'?: (string);
  'follow'?: (boolean);
  'host'?: (string);
  'step'?: (string);
}

export interface RolloutLogsRequest__Output {
  'id': (string);
  'follow': (boolean);
  'host': (string);
  'step': (string);
}
