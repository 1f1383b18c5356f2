// Original file: proto/convoy/v1/control.proto


export interface RolloutActionRequest {
  'id'?: (string);
  /**
   * ack | pause | resume | abort | rollback
   */
  'action'?: (string);
  'reason'?: (string);
  /**
   * rollback: go back past a later rollout of the same host anyway
   */
  'allowSuperseded'?: (boolean);
  /**
   * pause: before the next step, not at the next safe point
   */
  'now'?: (boolean);
}

export interface RolloutActionRequest__Output {
  'id': (string);
  /**
   * ack | pause | resume | abort | rollback
   */
  'action': (string);
  'reason': (string);
  /**
   * rollback: go back past a later rollout of the same host anyway
   */
  'allowSuperseded': (boolean);
  /**
   * pause: before the next step, not at the next safe point
   */
  'now': (boolean);
}
