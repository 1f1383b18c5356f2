// Original file: proto/convoy/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface StepRunView {
  'step'?: (string);
  'attempt'?: (number);
  /**
   * running | succeeded | failed | timed-out | cancelled | refused | interrupted | disconnected
   */
  'outcome'?: (string);
  'exitCode'?: (number);
  'reason'?: (string);
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'durationMs'?: (number | string | Long);
  'outputTail'?: (string)[];
  'requestId'?: (string);
  'phase'?: (string);
  /**
   * the agent's clock (display only; 0 when not reported)
   */
  'agentStartedAtMs'?: (number | string | Long);
  'agentFinishedAtMs'?: (number | string | Long);
}

export interface StepRunView__Output {
  'step': (string);
  'attempt': (number);
  /**
   * running | succeeded | failed | timed-out | cancelled | refused | interrupted | disconnected
   */
  'outcome': (string);
  'exitCode': (number);
  'reason': (string);
  'startedAtMs': (number);
  'finishedAtMs': (number);
  'durationMs': (number);
  'outputTail': (string)[];
  'requestId': (string);
  'phase': (string);
  /**
   * the agent's clock (display only; 0 when not reported)
   */
  'agentStartedAtMs': (number);
  'agentFinishedAtMs': (number);
}
