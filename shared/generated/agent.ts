import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentMessage as _convoy_v1_AgentMessage, AgentMessage__Output as _convoy_v1_AgentMessage__Output } from './convoy/v1/AgentMessage.js';
import type { AgentServiceClient as _convoy_v1_AgentServiceClient, AgentServiceDefinition as _convoy_v1_AgentServiceDefinition } from './convoy/v1/AgentService.js';
import type { BackupRecord as _convoy_v1_BackupRecord, BackupRecord__Output as _convoy_v1_BackupRecord__Output } from './convoy/v1/BackupRecord.js';
import type { CancelStep as _convoy_v1_CancelStep, CancelStep__Output as _convoy_v1_CancelStep__Output } from './convoy/v1/CancelStep.js';
import type { CoordinatorMessage as _convoy_v1_CoordinatorMessage, CoordinatorMessage__Output as _convoy_v1_CoordinatorMessage__Output } from './convoy/v1/CoordinatorMessage.js';
import type { Drift as _convoy_v1_Drift, Drift__Output as _convoy_v1_Drift__Output } from './convoy/v1/Drift.js';
import type { HealthReport as _convoy_v1_HealthReport, HealthReport__Output as _convoy_v1_HealthReport__Output } from './convoy/v1/HealthReport.js';
import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from './convoy/v1/HealthState.js';
import type { Heartbeat as _convoy_v1_Heartbeat, Heartbeat__Output as _convoy_v1_Heartbeat__Output } from './convoy/v1/Heartbeat.js';
import type { Hello as _convoy_v1_Hello, Hello__Output as _convoy_v1_Hello__Output } from './convoy/v1/Hello.js';
import type { InFlight as _convoy_v1_InFlight, InFlight__Output as _convoy_v1_InFlight__Output } from './convoy/v1/InFlight.js';
import type { InspectRequest as _convoy_v1_InspectRequest, InspectRequest__Output as _convoy_v1_InspectRequest__Output } from './convoy/v1/InspectRequest.js';
import type { InspectResult as _convoy_v1_InspectResult, InspectResult__Output as _convoy_v1_InspectResult__Output } from './convoy/v1/InspectResult.js';
import type { Refusal as _convoy_v1_Refusal, Refusal__Output as _convoy_v1_Refusal__Output } from './convoy/v1/Refusal.js';
import type { ReleaseNote as _convoy_v1_ReleaseNote, ReleaseNote__Output as _convoy_v1_ReleaseNote__Output } from './convoy/v1/ReleaseNote.js';
import type { ReleaseNotes as _convoy_v1_ReleaseNotes, ReleaseNotes__Output as _convoy_v1_ReleaseNotes__Output } from './convoy/v1/ReleaseNotes.js';
import type { RepoReport as _convoy_v1_RepoReport, RepoReport__Output as _convoy_v1_RepoReport__Output } from './convoy/v1/RepoReport.js';
import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from './convoy/v1/RepoState.js';
import type { ResultAck as _convoy_v1_ResultAck, ResultAck__Output as _convoy_v1_ResultAck__Output } from './convoy/v1/ResultAck.js';
import type { StepOutput as _convoy_v1_StepOutput, StepOutput__Output as _convoy_v1_StepOutput__Output } from './convoy/v1/StepOutput.js';
import type { StepRequest as _convoy_v1_StepRequest, StepRequest__Output as _convoy_v1_StepRequest__Output } from './convoy/v1/StepRequest.js';
import type { StepResult as _convoy_v1_StepResult, StepResult__Output as _convoy_v1_StepResult__Output } from './convoy/v1/StepResult.js';
import type { Welcome as _convoy_v1_Welcome, Welcome__Output as _convoy_v1_Welcome__Output } from './convoy/v1/Welcome.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  convoy: {
    v1: {
      AgentMessage: MessageTypeDefinition<_convoy_v1_AgentMessage, _convoy_v1_AgentMessage__Output>
      /**
       * The agent dials the coordinator and keeps one bidirectional stream open.
       * The first message on the stream must be `hello`.
       */
      AgentService: SubtypeConstructor<typeof grpc.Client, _convoy_v1_AgentServiceClient> & { service: _convoy_v1_AgentServiceDefinition }
      BackupRecord: MessageTypeDefinition<_convoy_v1_BackupRecord, _convoy_v1_BackupRecord__Output>
      CancelStep: MessageTypeDefinition<_convoy_v1_CancelStep, _convoy_v1_CancelStep__Output>
      CoordinatorMessage: MessageTypeDefinition<_convoy_v1_CoordinatorMessage, _convoy_v1_CoordinatorMessage__Output>
      Drift: MessageTypeDefinition<_convoy_v1_Drift, _convoy_v1_Drift__Output>
      HealthReport: MessageTypeDefinition<_convoy_v1_HealthReport, _convoy_v1_HealthReport__Output>
      HealthState: MessageTypeDefinition<_convoy_v1_HealthState, _convoy_v1_HealthState__Output>
      Heartbeat: MessageTypeDefinition<_convoy_v1_Heartbeat, _convoy_v1_Heartbeat__Output>
      Hello: MessageTypeDefinition<_convoy_v1_Hello, _convoy_v1_Hello__Output>
      InFlight: MessageTypeDefinition<_convoy_v1_InFlight, _convoy_v1_InFlight__Output>
      InspectRequest: MessageTypeDefinition<_convoy_v1_InspectRequest, _convoy_v1_InspectRequest__Output>
      InspectResult: MessageTypeDefinition<_convoy_v1_InspectResult, _convoy_v1_InspectResult__Output>
      Refusal: MessageTypeDefinition<_convoy_v1_Refusal, _convoy_v1_Refusal__Output>
      ReleaseNote: MessageTypeDefinition<_convoy_v1_ReleaseNote, _convoy_v1_ReleaseNote__Output>
      ReleaseNotes: MessageTypeDefinition<_convoy_v1_ReleaseNotes, _convoy_v1_ReleaseNotes__Output>
      RepoReport: MessageTypeDefinition<_convoy_v1_RepoReport, _convoy_v1_RepoReport__Output>
      RepoState: MessageTypeDefinition<_convoy_v1_RepoState, _convoy_v1_RepoState__Output>
      ResultAck: MessageTypeDefinition<_convoy_v1_ResultAck, _convoy_v1_ResultAck__Output>
      StepOutcome: EnumTypeDefinition
      StepOutput: MessageTypeDefinition<_convoy_v1_StepOutput, _convoy_v1_StepOutput__Output>
      StepRequest: MessageTypeDefinition<_convoy_v1_StepRequest, _convoy_v1_StepRequest__Output>
      StepResult: MessageTypeDefinition<_convoy_v1_StepResult, _convoy_v1_StepResult__Output>
      Welcome: MessageTypeDefinition<_convoy_v1_Welcome, _convoy_v1_Welcome__Output>
    }
  }
}

