import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentView as _convoy_v1_AgentView, AgentView__Output as _convoy_v1_AgentView__Output } from './convoy/v1/AgentView.js';
import type { BackupRecord as _convoy_v1_BackupRecord, BackupRecord__Output as _convoy_v1_BackupRecord__Output } from './convoy/v1/BackupRecord.js';
import type { BackupView as _convoy_v1_BackupView, BackupView__Output as _convoy_v1_BackupView__Output } from './convoy/v1/BackupView.js';
import type { CertificateView as _convoy_v1_CertificateView, CertificateView__Output as _convoy_v1_CertificateView__Output } from './convoy/v1/CertificateView.js';
import type { ControlServiceClient as _convoy_v1_ControlServiceClient, ControlServiceDefinition as _convoy_v1_ControlServiceDefinition } from './convoy/v1/ControlService.js';
import type { Drift as _convoy_v1_Drift, Drift__Output as _convoy_v1_Drift__Output } from './convoy/v1/Drift.js';
import type { EventView as _convoy_v1_EventView, EventView__Output as _convoy_v1_EventView__Output } from './convoy/v1/EventView.js';
import type { GetRolloutRequest as _convoy_v1_GetRolloutRequest, GetRolloutRequest__Output as _convoy_v1_GetRolloutRequest__Output } from './convoy/v1/GetRolloutRequest.js';
import type { HealthState as _convoy_v1_HealthState, HealthState__Output as _convoy_v1_HealthState__Output } from './convoy/v1/HealthState.js';
import type { HostView as _convoy_v1_HostView, HostView__Output as _convoy_v1_HostView__Output } from './convoy/v1/HostView.js';
import type { ListAgentsRequest as _convoy_v1_ListAgentsRequest, ListAgentsRequest__Output as _convoy_v1_ListAgentsRequest__Output } from './convoy/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _convoy_v1_ListAgentsResponse, ListAgentsResponse__Output as _convoy_v1_ListAgentsResponse__Output } from './convoy/v1/ListAgentsResponse.js';
import type { ListBackupsRequest as _convoy_v1_ListBackupsRequest, ListBackupsRequest__Output as _convoy_v1_ListBackupsRequest__Output } from './convoy/v1/ListBackupsRequest.js';
import type { ListBackupsResponse as _convoy_v1_ListBackupsResponse, ListBackupsResponse__Output as _convoy_v1_ListBackupsResponse__Output } from './convoy/v1/ListBackupsResponse.js';
import type { ListEventsRequest as _convoy_v1_ListEventsRequest, ListEventsRequest__Output as _convoy_v1_ListEventsRequest__Output } from './convoy/v1/ListEventsRequest.js';
import type { ListEventsResponse as _convoy_v1_ListEventsResponse, ListEventsResponse__Output as _convoy_v1_ListEventsResponse__Output } from './convoy/v1/ListEventsResponse.js';
import type { ListRolloutsRequest as _convoy_v1_ListRolloutsRequest, ListRolloutsRequest__Output as _convoy_v1_ListRolloutsRequest__Output } from './convoy/v1/ListRolloutsRequest.js';
import type { ListRolloutsResponse as _convoy_v1_ListRolloutsResponse, ListRolloutsResponse__Output as _convoy_v1_ListRolloutsResponse__Output } from './convoy/v1/ListRolloutsResponse.js';
import type { ListSchedulesRequest as _convoy_v1_ListSchedulesRequest, ListSchedulesRequest__Output as _convoy_v1_ListSchedulesRequest__Output } from './convoy/v1/ListSchedulesRequest.js';
import type { ListSchedulesResponse as _convoy_v1_ListSchedulesResponse, ListSchedulesResponse__Output as _convoy_v1_ListSchedulesResponse__Output } from './convoy/v1/ListSchedulesResponse.js';
import type { LogLine as _convoy_v1_LogLine, LogLine__Output as _convoy_v1_LogLine__Output } from './convoy/v1/LogLine.js';
import type { PlanHost as _convoy_v1_PlanHost, PlanHost__Output as _convoy_v1_PlanHost__Output } from './convoy/v1/PlanHost.js';
import type { PlanRequest as _convoy_v1_PlanRequest, PlanRequest__Output as _convoy_v1_PlanRequest__Output } from './convoy/v1/PlanRequest.js';
import type { PlanResponse as _convoy_v1_PlanResponse, PlanResponse__Output as _convoy_v1_PlanResponse__Output } from './convoy/v1/PlanResponse.js';
import type { ReleaseNote as _convoy_v1_ReleaseNote, ReleaseNote__Output as _convoy_v1_ReleaseNote__Output } from './convoy/v1/ReleaseNote.js';
import type { ReleaseNotes as _convoy_v1_ReleaseNotes, ReleaseNotes__Output as _convoy_v1_ReleaseNotes__Output } from './convoy/v1/ReleaseNotes.js';
import type { RepoState as _convoy_v1_RepoState, RepoState__Output as _convoy_v1_RepoState__Output } from './convoy/v1/RepoState.js';
import type { RolloutActionRequest as _convoy_v1_RolloutActionRequest, RolloutActionRequest__Output as _convoy_v1_RolloutActionRequest__Output } from './convoy/v1/RolloutActionRequest.js';
import type { RolloutLogsRequest as _convoy_v1_RolloutLogsRequest, RolloutLogsRequest__Output as _convoy_v1_RolloutLogsRequest__Output } from './convoy/v1/RolloutLogsRequest.js';
import type { RolloutView as _convoy_v1_RolloutView, RolloutView__Output as _convoy_v1_RolloutView__Output } from './convoy/v1/RolloutView.js';
import type { SaveSnapshotRequest as _convoy_v1_SaveSnapshotRequest, SaveSnapshotRequest__Output as _convoy_v1_SaveSnapshotRequest__Output } from './convoy/v1/SaveSnapshotRequest.js';
import type { ScheduleActionRequest as _convoy_v1_ScheduleActionRequest, ScheduleActionRequest__Output as _convoy_v1_ScheduleActionRequest__Output } from './convoy/v1/ScheduleActionRequest.js';
import type { ScheduleView as _convoy_v1_ScheduleView, ScheduleView__Output as _convoy_v1_ScheduleView__Output } from './convoy/v1/ScheduleView.js';
import type { ScheduleWindowView as _convoy_v1_ScheduleWindowView, ScheduleWindowView__Output as _convoy_v1_ScheduleWindowView__Output } from './convoy/v1/ScheduleWindowView.js';
import type { SnapshotView as _convoy_v1_SnapshotView, SnapshotView__Output as _convoy_v1_SnapshotView__Output } from './convoy/v1/SnapshotView.js';
import type { StartRolloutRequest as _convoy_v1_StartRolloutRequest, StartRolloutRequest__Output as _convoy_v1_StartRolloutRequest__Output } from './convoy/v1/StartRolloutRequest.js';
import type { StepRunView as _convoy_v1_StepRunView, StepRunView__Output as _convoy_v1_StepRunView__Output } from './convoy/v1/StepRunView.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  convoy: {
    v1: {
      AgentView: MessageTypeDefinition<_convoy_v1_AgentView, _convoy_v1_AgentView__Output>
      BackupRecord: MessageTypeDefinition<_convoy_v1_BackupRecord, _convoy_v1_BackupRecord__Output>
      BackupView: MessageTypeDefinition<_convoy_v1_BackupView, _convoy_v1_BackupView__Output>
      CertificateView: MessageTypeDefinition<_convoy_v1_CertificateView, _convoy_v1_CertificateView__Output>
      /**
       * The operator's CLI talks to the coordinator through this service.
       */
      ControlService: SubtypeConstructor<typeof grpc.Client, _convoy_v1_ControlServiceClient> & { service: _convoy_v1_ControlServiceDefinition }
      Drift: MessageTypeDefinition<_convoy_v1_Drift, _convoy_v1_Drift__Output>
      EventView: MessageTypeDefinition<_convoy_v1_EventView, _convoy_v1_EventView__Output>
      GetRolloutRequest: MessageTypeDefinition<_convoy_v1_GetRolloutRequest, _convoy_v1_GetRolloutRequest__Output>
      HealthState: MessageTypeDefinition<_convoy_v1_HealthState, _convoy_v1_HealthState__Output>
      HostView: MessageTypeDefinition<_convoy_v1_HostView, _convoy_v1_HostView__Output>
      ListAgentsRequest: MessageTypeDefinition<_convoy_v1_ListAgentsRequest, _convoy_v1_ListAgentsRequest__Output>
      ListAgentsResponse: MessageTypeDefinition<_convoy_v1_ListAgentsResponse, _convoy_v1_ListAgentsResponse__Output>
      ListBackupsRequest: MessageTypeDefinition<_convoy_v1_ListBackupsRequest, _convoy_v1_ListBackupsRequest__Output>
      ListBackupsResponse: MessageTypeDefinition<_convoy_v1_ListBackupsResponse, _convoy_v1_ListBackupsResponse__Output>
      ListEventsRequest: MessageTypeDefinition<_convoy_v1_ListEventsRequest, _convoy_v1_ListEventsRequest__Output>
      ListEventsResponse: MessageTypeDefinition<_convoy_v1_ListEventsResponse, _convoy_v1_ListEventsResponse__Output>
      ListRolloutsRequest: MessageTypeDefinition<_convoy_v1_ListRolloutsRequest, _convoy_v1_ListRolloutsRequest__Output>
      ListRolloutsResponse: MessageTypeDefinition<_convoy_v1_ListRolloutsResponse, _convoy_v1_ListRolloutsResponse__Output>
      ListSchedulesRequest: MessageTypeDefinition<_convoy_v1_ListSchedulesRequest, _convoy_v1_ListSchedulesRequest__Output>
      ListSchedulesResponse: MessageTypeDefinition<_convoy_v1_ListSchedulesResponse, _convoy_v1_ListSchedulesResponse__Output>
      LogLine: MessageTypeDefinition<_convoy_v1_LogLine, _convoy_v1_LogLine__Output>
      PlanHost: MessageTypeDefinition<_convoy_v1_PlanHost, _convoy_v1_PlanHost__Output>
      PlanRequest: MessageTypeDefinition<_convoy_v1_PlanRequest, _convoy_v1_PlanRequest__Output>
      PlanResponse: MessageTypeDefinition<_convoy_v1_PlanResponse, _convoy_v1_PlanResponse__Output>
      ReleaseNote: MessageTypeDefinition<_convoy_v1_ReleaseNote, _convoy_v1_ReleaseNote__Output>
      ReleaseNotes: MessageTypeDefinition<_convoy_v1_ReleaseNotes, _convoy_v1_ReleaseNotes__Output>
      RepoState: MessageTypeDefinition<_convoy_v1_RepoState, _convoy_v1_RepoState__Output>
      RolloutActionRequest: MessageTypeDefinition<_convoy_v1_RolloutActionRequest, _convoy_v1_RolloutActionRequest__Output>
      RolloutLogsRequest: MessageTypeDefinition<_convoy_v1_RolloutLogsRequest, _convoy_v1_RolloutLogsRequest__Output>
      RolloutView: MessageTypeDefinition<_convoy_v1_RolloutView, _convoy_v1_RolloutView__Output>
      SaveSnapshotRequest: MessageTypeDefinition<_convoy_v1_SaveSnapshotRequest, _convoy_v1_SaveSnapshotRequest__Output>
      ScheduleActionRequest: MessageTypeDefinition<_convoy_v1_ScheduleActionRequest, _convoy_v1_ScheduleActionRequest__Output>
      ScheduleView: MessageTypeDefinition<_convoy_v1_ScheduleView, _convoy_v1_ScheduleView__Output>
      ScheduleWindowView: MessageTypeDefinition<_convoy_v1_ScheduleWindowView, _convoy_v1_ScheduleWindowView__Output>
      SnapshotView: MessageTypeDefinition<_convoy_v1_SnapshotView, _convoy_v1_SnapshotView__Output>
      StartRolloutRequest: MessageTypeDefinition<_convoy_v1_StartRolloutRequest, _convoy_v1_StartRolloutRequest__Output>
      StepOutcome: EnumTypeDefinition
      StepRunView: MessageTypeDefinition<_convoy_v1_StepRunView, _convoy_v1_StepRunView__Output>
    }
  }
}

