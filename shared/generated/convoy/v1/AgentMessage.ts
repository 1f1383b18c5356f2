// Original file: proto/convoy/v1/agent.proto

import type { Hello as _convoy_v1_Hello, Hello__Output as _convoy_v1_Hello__Output } from '../../convoy/v1/Hello.js';
import type { Heartbeat as _convoy_v1_Heartbeat, Heartbeat__Output as _convoy_v1_Heartbeat__Output } from '../../convoy/v1/Heartbeat.js';
import type { HealthReport as _convoy_v1_HealthReport, HealthReport__Output as _convoy_v1_HealthReport__Output } from '../../convoy/v1/HealthReport.js';
import type { StepOutput as _convoy_v1_StepOutput, StepOutput__Output as _convoy_v1_StepOutput__Output } from '../../convoy/v1/StepOutput.js';
import type { StepResult as _convoy_v1_StepResult, StepResult__Output as _convoy_v1_StepResult__Output } from '../../convoy/v1/StepResult.js';
import type { InspectResult as _convoy_v1_InspectResult, InspectResult__Output as _convoy_v1_InspectResult__Output } from '../../convoy/v1/InspectResult.js';
import type { RepoReport as _convoy_v1_RepoReport, RepoReport__Output as _convoy_v1_RepoReport__Output } from '../../convoy/v1/RepoReport.js';

export interface AgentMessage {
  'hello'?: (_convoy_v1_Hello | null);
  'heartbeat'?: (_convoy_v1_Heartbeat | null);
  'health'?: (_convoy_v1_HealthReport | null);
  'output'?: (_convoy_v1_StepOutput | null);
  'result'?: (_convoy_v1_StepResult | null);
  'inspectResult'?: (_convoy_v1_InspectResult | null);
  'repo'?: (_convoy_v1_RepoReport | null);
  'msg'?: "hello"|"heartbeat"|"health"|"output"|"result"|"inspectResult"|"repo";
}

export interface AgentMessage__Output {
  'hello'?: (_convoy_v1_Hello__Output | null);
  'heartbeat'?: (_convoy_v1_Heartbeat__Output | null);
  'health'?: (_convoy_v1_HealthReport__Output | null);
  'output'?: (_convoy_v1_StepOutput__Output | null);
  'result'?: (_convoy_v1_StepResult__Output | null);
  'inspectResult'?: (_convoy_v1_InspectResult__Output | null);
  'repo'?: (_convoy_v1_RepoReport__Output | null);
  'msg'?: "hello"|"heartbeat"|"health"|"output"|"result"|"inspectResult"|"repo";
}
