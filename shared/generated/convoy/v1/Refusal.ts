// Original file: proto/convoy/v1/agent.proto


export interface Refusal {
  'code'?: (string);
  'message'?: (string);
}

export interface Refusal__Output {
  'code': (string);
  'message': (string);
}
