// Original file: proto/convoy/v1/agent.proto

import type { Welcome as _convoy_v1_Welcome, Welcome__Output as _convoy_v1_Welcome__Output } from '../../convoy/v1/Welcome.js';
import type { StepRequest as _convoy_v1_StepRequest, StepRequest__Output as _convoy_v1_StepRequest__Output } from '../../convoy/v1/StepRequest.js';
import type { CancelStep as _convoy_v1_CancelStep, CancelStep__Output as _convoy_v1_CancelStep__Output } from '../../convoy/v1/CancelStep.js';
import type { ResultAck as _convoy_v1_ResultAck, ResultAck__Output as _convoy_v1_ResultAck__Output } from '../../convoy/v1/ResultAck.js';
import type { InspectRequest as _convoy_v1_InspectRequest, InspectRequest__Output as _convoy_v1_InspectRequest__Output } from '../../convoy/v1/InspectRequest.js';
import type { Refusal as _convoy_v1_Refusal, Refusal__Output as _convoy_v1_Refusal__Output } from '../../convoy/v1/Refusal.js';

export interface CoordinatorMessage {
  'welcome'?: (_convoy_v1_Welcome | null);
  'runStep'?: (_convoy_v1_StepRequest | null);
  'cancel'?: (_convoy_v1_CancelStep | null);
  'ack'?: (_convoy_v1_ResultAck | null);
  'inspect'?: (_convoy_v1_InspectRequest | null);
  /**
   * sent before the coordinator closes a refused stream
   */
  'refusal'?: (_convoy_v1_Refusal | null);
  'msg'?: "welcome"|"runStep"|"cancel"|"ack"|"inspect"|"refusal";
}

export interface CoordinatorMessage__Output {
  'welcome'?: (_convoy_v1_Welcome__Output | null);
  'runStep'?: (_convoy_v1_StepRequest__Output | null);
  'cancel'?: (_convoy_v1_CancelStep__Output | null);
  'ack'?: (_convoy_v1_ResultAck__Output | null);
  'inspect'?: (_convoy_v1_InspectRequest__Output | null);
  /**
   * sent before the coordinator closes a refused stream
   */
  'refusal'?: (_convoy_v1_Refusal__Output | null);
  'msg'?: "welcome"|"runStep"|"cancel"|"ack"|"inspect"|"refusal";
}
