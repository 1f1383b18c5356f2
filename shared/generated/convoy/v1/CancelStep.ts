// Original file: proto/convoy/v1/agent.proto


export interface CancelStep {
  'requestId'?: (string);
  'reason'?: (string);
}

export interface CancelStep__Output {
  'requestId': (string);
  'reason': (string);
}
