// Original file: proto/convoy/v1/control.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetRolloutRequest as _convoy_v1_GetRolloutRequest, GetRolloutRequest__Output as _convoy_v1_GetRolloutRequest__Output } from '../../convoy/v1/GetRolloutRequest.js';
import type { ListAgentsRequest as _convoy_v1_ListAgentsRequest, ListAgentsRequest__Output as _convoy_v1_ListAgentsRequest__Output } from '../../convoy/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _convoy_v1_ListAgentsResponse, ListAgentsResponse__Output as _convoy_v1_ListAgentsResponse__Output } from '../../convoy/v1/ListAgentsResponse.js';
import type { ListBackupsRequest as _convoy_v1_ListBackupsRequest, ListBackupsRequest__Output as _convoy_v1_ListBackupsRequest__Output } from '../../convoy/v1/ListBackupsRequest.js';
import type { ListBackupsResponse as _convoy_v1_ListBackupsResponse, ListBackupsResponse__Output as _convoy_v1_ListBackupsResponse__Output } from '../../convoy/v1/ListBackupsResponse.js';
import type { ListEventsRequest as _convoy_v1_ListEventsRequest, ListEventsRequest__Output as _convoy_v1_ListEventsRequest__Output } from '../../convoy/v1/ListEventsRequest.js';
import type { ListEventsResponse as _convoy_v1_ListEventsResponse, ListEventsResponse__Output as _convoy_v1_ListEventsResponse__Output } from '../../convoy/v1/ListEventsResponse.js';
import type { ListRolloutsRequest as _convoy_v1_ListRolloutsRequest, ListRolloutsRequest__Output as _convoy_v1_ListRolloutsRequest__Output } from '../../convoy/v1/ListRolloutsRequest.js';
import type { ListRolloutsResponse as _convoy_v1_ListRolloutsResponse, ListRolloutsResponse__Output as _convoy_v1_ListRolloutsResponse__Output } from '../../convoy/v1/ListRolloutsResponse.js';
import type { ListSchedulesRequest as _convoy_v1_ListSchedulesRequest, ListSchedulesRequest__Output as _convoy_v1_ListSchedulesRequest__Output } from '../../convoy/v1/ListSchedulesRequest.js';
import type { ListSchedulesResponse as _convoy_v1_ListSchedulesResponse, ListSchedulesResponse__Output as _convoy_v1_ListSchedulesResponse__Output } from '../../convoy/v1/ListSchedulesResponse.js';
import type { LogLine as _convoy_v1_LogLine, LogLine__Output as _convoy_v1_LogLine__Output } from '../../convoy/v1/LogLine.js';
import type { PlanRequest as _convoy_v1_PlanRequest, PlanRequest__Output as _convoy_v1_PlanRequest__Output } from '../../convoy/v1/PlanRequest.js';
import type { PlanResponse as _convoy_v1_PlanResponse, PlanResponse__Output as _convoy_v1_PlanResponse__Output } from '../../convoy/v1/PlanResponse.js';
import type { RolloutActionRequest as _convoy_v1_RolloutActionRequest, RolloutActionRequest__Output as _convoy_v1_RolloutActionRequest__Output } from '../../convoy/v1/RolloutActionRequest.js';
import type { RolloutLogsRequest as _convoy_v1_RolloutLogsRequest, RolloutLogsRequest__Output as _convoy_v1_RolloutLogsRequest__Output } from '../../convoy/v1/RolloutLogsRequest.js';
import type { RolloutView as _convoy_v1_RolloutView, RolloutView__Output as _convoy_v1_RolloutView__Output } from '../../convoy/v1/RolloutView.js';
import type { SaveSnapshotRequest as _convoy_v1_SaveSnapshotRequest, SaveSnapshotRequest__Output as _convoy_v1_SaveSnapshotRequest__Output } from '../../convoy/v1/SaveSnapshotRequest.js';
import type { ScheduleActionRequest as _convoy_v1_ScheduleActionRequest, ScheduleActionRequest__Output as _convoy_v1_ScheduleActionRequest__Output } from '../../convoy/v1/ScheduleActionRequest.js';
import type { ScheduleView as _convoy_v1_ScheduleView, ScheduleView__Output as _convoy_v1_ScheduleView__Output } from '../../convoy/v1/ScheduleView.js';
import type { SnapshotView as _convoy_v1_SnapshotView, SnapshotView__Output as _convoy_v1_SnapshotView__Output } from '../../convoy/v1/SnapshotView.js';
import type { StartRolloutRequest as _convoy_v1_StartRolloutRequest, StartRolloutRequest__Output as _convoy_v1_StartRolloutRequest__Output } from '../../convoy/v1/StartRolloutRequest.js';

/**
 * The operator's CLI talks to the coordinator through this service.
 */
export interface ControlServiceClient extends grpc.Client {
  ActOnRollout(argument: _convoy_v1_RolloutActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  ActOnRollout(argument: _convoy_v1_RolloutActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  ActOnRollout(argument: _convoy_v1_RolloutActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  ActOnRollout(argument: _convoy_v1_RolloutActionRequest, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  actOnRollout(argument: _convoy_v1_RolloutActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  actOnRollout(argument: _convoy_v1_RolloutActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  actOnRollout(argument: _convoy_v1_RolloutActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  actOnRollout(argument: _convoy_v1_RolloutActionRequest, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  
  GetRollout(argument: _convoy_v1_GetRolloutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  GetRollout(argument: _convoy_v1_GetRolloutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  GetRollout(argument: _convoy_v1_GetRolloutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  GetRollout(argument: _convoy_v1_GetRolloutRequest, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  getRollout(argument: _convoy_v1_GetRolloutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  getRollout(argument: _convoy_v1_GetRolloutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  getRollout(argument: _convoy_v1_GetRolloutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  getRollout(argument: _convoy_v1_GetRolloutRequest, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  
  ListAgents(argument: _convoy_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _convoy_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _convoy_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _convoy_v1_ListAgentsRequest, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _convoy_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _convoy_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _convoy_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _convoy_v1_ListAgentsRequest, callback: grpc.requestCallback<_convoy_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  
  ListBackups(argument: _convoy_v1_ListBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListBackups(argument: _convoy_v1_ListBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListBackups(argument: _convoy_v1_ListBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListBackups(argument: _convoy_v1_ListBackupsRequest, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _convoy_v1_ListBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _convoy_v1_ListBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _convoy_v1_ListBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  listBackups(argument: _convoy_v1_ListBackupsRequest, callback: grpc.requestCallback<_convoy_v1_ListBackupsResponse__Output>): grpc.ClientUnaryCall;
  
  ListEvents(argument: _convoy_v1_ListEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _convoy_v1_ListEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _convoy_v1_ListEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _convoy_v1_ListEventsRequest, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _convoy_v1_ListEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _convoy_v1_ListEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _convoy_v1_ListEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _convoy_v1_ListEventsRequest, callback: grpc.requestCallback<_convoy_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  
  ListRollouts(argument: _convoy_v1_ListRolloutsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  ListRollouts(argument: _convoy_v1_ListRolloutsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  ListRollouts(argument: _convoy_v1_ListRolloutsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  ListRollouts(argument: _convoy_v1_ListRolloutsRequest, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  listRollouts(argument: _convoy_v1_ListRolloutsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  listRollouts(argument: _convoy_v1_ListRolloutsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  listRollouts(argument: _convoy_v1_ListRolloutsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  listRollouts(argument: _convoy_v1_ListRolloutsRequest, callback: grpc.requestCallback<_convoy_v1_ListRolloutsResponse__Output>): grpc.ClientUnaryCall;
  
  ListSchedules(argument: _convoy_v1_ListSchedulesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  ListSchedules(argument: _convoy_v1_ListSchedulesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  ListSchedules(argument: _convoy_v1_ListSchedulesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  ListSchedules(argument: _convoy_v1_ListSchedulesRequest, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _convoy_v1_ListSchedulesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _convoy_v1_ListSchedulesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _convoy_v1_ListSchedulesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _convoy_v1_ListSchedulesRequest, callback: grpc.requestCallback<_convoy_v1_ListSchedulesResponse__Output>): grpc.ClientUnaryCall;
  
  Plan(argument: _convoy_v1_PlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  Plan(argument: _convoy_v1_PlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  Plan(argument: _convoy_v1_PlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  Plan(argument: _convoy_v1_PlanRequest, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _convoy_v1_PlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _convoy_v1_PlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _convoy_v1_PlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _convoy_v1_PlanRequest, callback: grpc.requestCallback<_convoy_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  
  RolloutLogs(argument: _convoy_v1_RolloutLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_LogLine__Output>;
  RolloutLogs(argument: _convoy_v1_RolloutLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_LogLine__Output>;
  rolloutLogs(argument: _convoy_v1_RolloutLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_LogLine__Output>;
  rolloutLogs(argument: _convoy_v1_RolloutLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_LogLine__Output>;
  
  RunSchedule(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  RunSchedule(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  RunSchedule(argument: _convoy_v1_ScheduleActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  RunSchedule(argument: _convoy_v1_ScheduleActionRequest, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  runSchedule(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  runSchedule(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  runSchedule(argument: _convoy_v1_ScheduleActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  runSchedule(argument: _convoy_v1_ScheduleActionRequest, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  
  /**
   * An online, consistent copy of convoyd's state (SQLite's backup API), written on convoyd's host.
   */
  SaveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  SaveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  SaveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  SaveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  /**
   * An online, consistent copy of convoyd's state (SQLite's backup API), written on convoyd's host.
   */
  saveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  saveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  saveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  saveSnapshot(argument: _convoy_v1_SaveSnapshotRequest, callback: grpc.requestCallback<_convoy_v1_SnapshotView__Output>): grpc.ClientUnaryCall;
  
  SetScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  SetScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  SetScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  SetScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  setScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  setScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  setScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  setScheduleEnabled(argument: _convoy_v1_ScheduleActionRequest, callback: grpc.requestCallback<_convoy_v1_ScheduleView__Output>): grpc.ClientUnaryCall;
  
  StartRollout(argument: _convoy_v1_StartRolloutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  StartRollout(argument: _convoy_v1_StartRolloutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  StartRollout(argument: _convoy_v1_StartRolloutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  StartRollout(argument: _convoy_v1_StartRolloutRequest, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  startRollout(argument: _convoy_v1_StartRolloutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  startRollout(argument: _convoy_v1_StartRolloutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  startRollout(argument: _convoy_v1_StartRolloutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  startRollout(argument: _convoy_v1_StartRolloutRequest, callback: grpc.requestCallback<_convoy_v1_RolloutView__Output>): grpc.ClientUnaryCall;
  
  WatchRollout(argument: _convoy_v1_GetRolloutRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_RolloutView__Output>;
  WatchRollout(argument: _convoy_v1_GetRolloutRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_RolloutView__Output>;
  watchRollout(argument: _convoy_v1_GetRolloutRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_RolloutView__Output>;
  watchRollout(argument: _convoy_v1_GetRolloutRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_convoy_v1_RolloutView__Output>;
  
}

/**
 * The operator's CLI talks to the coordinator through this service.
 */
export interface ControlServiceHandlers extends grpc.UntypedServiceImplementation {
  ActOnRollout: grpc.handleUnaryCall<_convoy_v1_RolloutActionRequest__Output, _convoy_v1_RolloutView>;
  
  GetRollout: grpc.handleUnaryCall<_convoy_v1_GetRolloutRequest__Output, _convoy_v1_RolloutView>;
  
  ListAgents: grpc.handleUnaryCall<_convoy_v1_ListAgentsRequest__Output, _convoy_v1_ListAgentsResponse>;
  
  ListBackups: grpc.handleUnaryCall<_convoy_v1_ListBackupsRequest__Output, _convoy_v1_ListBackupsResponse>;
  
  ListEvents: grpc.handleUnaryCall<_convoy_v1_ListEventsRequest__Output, _convoy_v1_ListEventsResponse>;
  
  ListRollouts: grpc.handleUnaryCall<_convoy_v1_ListRolloutsRequest__Output, _convoy_v1_ListRolloutsResponse>;
  
  ListSchedules: grpc.handleUnaryCall<_convoy_v1_ListSchedulesRequest__Output, _convoy_v1_ListSchedulesResponse>;
  
  Plan: grpc.handleUnaryCall<_convoy_v1_PlanRequest__Output, _convoy_v1_PlanResponse>;
  
  RolloutLogs: grpc.handleServerStreamingCall<_convoy_v1_RolloutLogsRequest__Output, _convoy_v1_LogLine>;
  
  RunSchedule: grpc.handleUnaryCall<_convoy_v1_ScheduleActionRequest__Output, _convoy_v1_ScheduleView>;
  
  /**
   * An online, consistent copy of convoyd's state (SQLite's backup API), written on convoyd's host.
   */
  SaveSnapshot: grpc.handleUnaryCall<_convoy_v1_SaveSnapshotRequest__Output, _convoy_v1_SnapshotView>;
  
  SetScheduleEnabled: grpc.handleUnaryCall<_convoy_v1_ScheduleActionRequest__Output, _convoy_v1_ScheduleView>;
  
  StartRollout: grpc.handleUnaryCall<_convoy_v1_StartRolloutRequest__Output, _convoy_v1_RolloutView>;
  
  WatchRollout: grpc.handleServerStreamingCall<_convoy_v1_GetRolloutRequest__Output, _convoy_v1_RolloutView>;
  
}

export interface ControlServiceDefinition extends grpc.ServiceDefinition {
  ActOnRollout: MethodDefinition<_convoy_v1_RolloutActionRequest, _convoy_v1_RolloutView, _convoy_v1_RolloutActionRequest__Output, _convoy_v1_RolloutView__Output>
  GetRollout: MethodDefinition<_convoy_v1_GetRolloutRequest, _convoy_v1_RolloutView, _convoy_v1_GetRolloutRequest__Output, _convoy_v1_RolloutView__Output>
  ListAgents: MethodDefinition<_convoy_v1_ListAgentsRequest, _convoy_v1_ListAgentsResponse, _convoy_v1_ListAgentsRequest__Output, _convoy_v1_ListAgentsResponse__Output>
  ListBackups: MethodDefinition<_convoy_v1_ListBackupsRequest, _convoy_v1_ListBackupsResponse, _convoy_v1_ListBackupsRequest__Output, _convoy_v1_ListBackupsResponse__Output>
  ListEvents: MethodDefinition<_convoy_v1_ListEventsRequest, _convoy_v1_ListEventsResponse, _convoy_v1_ListEventsRequest__Output, _convoy_v1_ListEventsResponse__Output>
  ListRollouts: MethodDefinition<_convoy_v1_ListRolloutsRequest, _convoy_v1_ListRolloutsResponse, _convoy_v1_ListRolloutsRequest__Output, _convoy_v1_ListRolloutsResponse__Output>
  ListSchedules: MethodDefinition<_convoy_v1_ListSchedulesRequest, _convoy_v1_ListSchedulesResponse, _convoy_v1_ListSchedulesRequest__Output, _convoy_v1_ListSchedulesResponse__Output>
  Plan: MethodDefinition<_convoy_v1_PlanRequest, _convoy_v1_PlanResponse, _convoy_v1_PlanRequest__Output, _convoy_v1_PlanResponse__Output>
  RolloutLogs: MethodDefinition<_convoy_v1_RolloutLogsRequest, _convoy_v1_LogLine, _convoy_v1_RolloutLogsRequest__Output, _convoy_v1_LogLine__Output>
  RunSchedule: MethodDefinition<_convoy_v1_ScheduleActionRequest, _convoy_v1_ScheduleView, _convoy_v1_ScheduleActionRequest__Output, _convoy_v1_ScheduleView__Output>
  SaveSnapshot: MethodDefinition<_convoy_v1_SaveSnapshotRequest, _convoy_v1_SnapshotView, _convoy_v1_SaveSnapshotRequest__Output, _convoy_v1_SnapshotView__Output>
  SetScheduleEnabled: MethodDefinition<_convoy_v1_ScheduleActionRequest, _convoy_v1_ScheduleView, _convoy_v1_ScheduleActionRequest__Output, _convoy_v1_ScheduleView__Output>
  StartRollout: MethodDefinition<_convoy_v1_StartRolloutRequest, _convoy_v1_RolloutView, _convoy_v1_StartRolloutRequest__Output, _convoy_v1_RolloutView__Output>
  WatchRollout: MethodDefinition<_convoy_v1_GetRolloutRequest, _convoy_v1_RolloutView, _convoy_v1_GetRolloutRequest__Output, _convoy_v1_RolloutView__Output>
}
