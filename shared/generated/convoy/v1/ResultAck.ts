// Original file: proto/convoy/v1/agent.proto


export interface ResultAck {
  'requestId'?: (string);
}

export interface ResultAck__Output {
  'requestId': (string);
}
