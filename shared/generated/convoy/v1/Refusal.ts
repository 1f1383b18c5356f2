// Original file: proto/convoy/v1/agent.proto


export interface Refusal {
  /**
   * e.g. PERMISSION_DENIED, ALREADY_EXISTS, PROTOCOL_MISMATCH
   */
  'code'?: (string);
  'message'?: (string);
}

export interface Refusal__Output {
  /**
   * e.g. PERMISSION_DENIED, ALREADY_EXISTS, PROTOCOL_MISMATCH
   */
  'code': (string);
  'message': (string);
}
