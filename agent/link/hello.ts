/** The session's first message and its heartbeats, assembled from the plan, journal and health. */
import { messageOf } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import { MAX_MESSAGE_BYTES } from '../../shared/proto.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { agentMessageBytes } from '../../shared/wire-size.js';
import type { Heartbeat, Hello, RepoState } from '../../shared/wire.js';
import { toWireInFlight, type Journal } from '../journal.js';
import { stepTimeoutsMs } from '../plan/steps.js';
import type { AgentConfig, Plan } from '../types.js';
import type { HealthMonitor } from './health-monitor.js';

export interface HelloSources {
  config: AgentConfig;
  plan: Plan;
  journal: Journal;
  health: HealthMonitor;
  clock: Clock;
  agentVersion: string;
  hostname: string;
}

/** A repository we could not read still gets reported, with the reason where operators look. */
function unreadableRepo(config: AgentConfig, err: unknown): RepoState {
  return {
    installedVersion: '',
    commit: '',
    clean: false,
    tags: [],
    branch: '',
    trackedBranch: config.trackedBranch ?? '',
    dirtyDetail: `cannot read the repository ${config.repo}: ${messageOf(err)}`,
  };
}

/** Room kept free in a Hello below the message limit (gRPC framing, a field or two grown meanwhile). */
const HELLO_MARGIN_BYTES = 64 * 1024;

/**
 * Probes first, then reads the journal synchronously at the end, so the results and the step
 * in flight are as of the moment the Hello is handed to the link. The Hello always fits the
 * message limit: it carries the newest unacknowledged results that fit, and the daemon sends
 * the others right after it (a Hello too large would be refused at every reconnection).
 */
export async function buildHello(src: HelloSources): Promise<Hello> {
  const { config, plan, journal } = src;
  const [repo, health] = await Promise.all([plan.repoState().catch((err: unknown) => unreadableRepo(config, err)), src.health.probeNow()]);
  const hello = helloWithout(src, repo, health);
  const budget = MAX_MESSAGE_BYTES - HELLO_MARGIN_BYTES - agentMessageBytes({ hello });
  return { ...hello, undelivered: journal.resultsForHello(budget) };
}

function helloWithout(src: HelloSources, repo: RepoState, health: Hello['health']): Hello {
  const { config, plan, journal } = src;
  return {
    agentId: config.id,
    labels: config.labels,
    serverDir: config.serverDir,
    agentVersion: src.agentVersion,
    repo,
    health,
    plan: plan.stepNames(),
    rerunnableSteps: plan.rerunnableSteps(),
    backups: plan.backups(),
    undelivered: [],
    inFlight: toWireInFlight(journal.inFlight),
    hostname: src.hostname,
    hasRestore: config.restore !== undefined && config.restore.enabled,
    stepTimeoutsMs: stepTimeoutsMs(config),
    backupCompatibility: config.backup.compatibility,
    rollbackPlan: plan.rollbackStepNames(),
    backupSteps: plan.backupStepNames(),
    profile: config.profile,
    protocolVersion: PROTOCOL_VERSION,
    backupKeepPerMinor: config.backup.keepPerMinor,
  };
}

export function buildHeartbeat(src: Pick<HelloSources, 'journal' | 'health' | 'clock'>): Heartbeat {
  return { sentAtMs: src.clock.now(), health: src.health.latest ?? null, inFlight: toWireInFlight(src.journal.inFlight) };
}
