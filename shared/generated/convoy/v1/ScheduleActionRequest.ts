// Original file: proto/convoy/v1/control.proto


export interface ScheduleActionRequest {
  'name'?: (string);
  /**
   * SetScheduleEnabled only
   */
  'enabled'?: (boolean);
}

export interface ScheduleActionRequest__Output {
  'name': (string);
  /**
   * SetScheduleEnabled only
   */
  'enabled': (boolean);
}
