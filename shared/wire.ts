/**
 * The convoy.v1 agent <-> coordinator messages under the names the tree imports. Each is the
 * `__Output` flavour generated from proto/ (npm run proto:types): the object @grpc/proto-loader
 * decodes with LOADER_OPTIONS, every non-oneof field present. Code that builds a message builds
 * this complete shape too (it is assignable to the generated input flavour grpc-js writes), so
 * a field added to a .proto fails tsc wherever one is made.
 *
 * The few types declared below say more than the proto: they are what convoyd's validation
 * (coordinator/rpc/validate.ts) accepts from an agent, so code past it need not re-check; that
 * file checks at compile time that its schemas produce exactly these types. Before validation
 * an agent's message is a DecodedAgentMessage.
 */
import type { AgentMessage__Output } from './generated/convoy/v1/AgentMessage.js';
import type { HealthReport__Output } from './generated/convoy/v1/HealthReport.js';
import type { HealthState__Output } from './generated/convoy/v1/HealthState.js';
import type { Hello__Output } from './generated/convoy/v1/Hello.js';
import type { RepoReport__Output } from './generated/convoy/v1/RepoReport.js';
import type { RepoState__Output } from './generated/convoy/v1/RepoState.js';
import type { StepOutcome__Output } from './generated/convoy/v1/StepOutcome.js';
import type { StepResult__Output } from './generated/convoy/v1/StepResult.js';

/** An agent's message as grpc-js decodes it, before convoyd validates it into an AgentMessage. */
export type { AgentMessage__Output as DecodedAgentMessage } from './generated/convoy/v1/AgentMessage.js';
export type { BackupRecord__Output as BackupRecord } from './generated/convoy/v1/BackupRecord.js';
export type { CancelStep__Output as CancelStep } from './generated/convoy/v1/CancelStep.js';
export type { CoordinatorMessage__Output as CoordinatorMessage } from './generated/convoy/v1/CoordinatorMessage.js';
export type { Drift__Output as Drift } from './generated/convoy/v1/Drift.js';
export type { HealthState__Output as HealthState } from './generated/convoy/v1/HealthState.js';
export type { Heartbeat__Output as Heartbeat } from './generated/convoy/v1/Heartbeat.js';
export type { InFlight__Output as InFlight } from './generated/convoy/v1/InFlight.js';
export type { InspectRequest__Output as InspectRequest } from './generated/convoy/v1/InspectRequest.js';
export type { InspectResult__Output as InspectResult } from './generated/convoy/v1/InspectResult.js';
export type { Refusal__Output as Refusal } from './generated/convoy/v1/Refusal.js';
export type { ReleaseNote__Output as ReleaseNote } from './generated/convoy/v1/ReleaseNote.js';
export type { ReleaseNotes__Output as ReleaseNotes } from './generated/convoy/v1/ReleaseNotes.js';
export type { RepoState__Output as RepoState } from './generated/convoy/v1/RepoState.js';
export type { ResultAck__Output as ResultAck } from './generated/convoy/v1/ResultAck.js';
export type { StepOutput__Output as StepOutput } from './generated/convoy/v1/StepOutput.js';
export type { StepRequest__Output as StepRequest } from './generated/convoy/v1/StepRequest.js';
export type { Welcome__Output as Welcome } from './generated/convoy/v1/Welcome.js';

/** `T` without the fields `K`, which must be fields of `T` (so a field renamed in a .proto fails here). */
type Without<T, K extends keyof T> = Omit<T, K>;

/** How a step ended. proto3's zero value names no outcome: agents never send it, convoyd refuses it. */
export type StepOutcome = Exclude<StepOutcome__Output, 'STEP_OUTCOME_UNSPECIFIED'>;

/** How one step request ended on its agent. */
export interface StepResult extends Without<StepResult__Output, 'outcome'> {
  outcome: StepOutcome;
}

/** The first message on an agent's stream: always with its repository and health (convoyd refuses it otherwise). */
export interface Hello extends Without<Hello__Output, 'repo' | 'health' | 'undelivered'> {
  repo: RepoState__Output;
  health: HealthState__Output;
  undelivered: StepResult[];
}

/** A health report: always with the health it reports. */
export interface HealthReport extends Without<HealthReport__Output, 'health'> {
  health: HealthState__Output;
}

/** A repository report (after a fetch, a backup removed...): always with the repository. */
export interface RepoReport extends Without<RepoReport__Output, 'repo'> {
  repo: RepoState__Output;
}

/** Agent -> coordinator; exactly one message set (`msg` names it on receipt). */
export interface AgentMessage extends Without<AgentMessage__Output, 'hello' | 'health' | 'result' | 'repo'> {
  hello?: Hello | null;
  health?: HealthReport | null;
  result?: StepResult | null;
  repo?: RepoReport | null;
}

/** Built-in step names of the default plan, in order. */
export const DEFAULT_PLAN = ['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after'] as const;
export type PlanStepName = (typeof DEFAULT_PLAN)[number];
