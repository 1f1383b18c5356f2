/**
 * What a webhook is told: which rollout change is worth a notification, and the JSON body
 * (with a Slack-compatible `text`) that describes it. Pure: the tests feed it rollouts.
 */
import type { WebhookEvent } from '../config.js';
import type { Rollout } from '../rollout/model.js';
import type { EventRecord } from '../store/store.js';

/** The rollout as a webhook receiver sees it. */
export interface WebhookRollout {
  id: string;
  /** '' for a rollout of one host. */
  cluster: string;
  /** The host of a single-host rollout ('' for a cluster). */
  host: string;
  target: string;
  state: Rollout['state'];
  phase: Rollout['phase'];
  reason: string;
  /** Why it is paused: operator, auth, window or alerts ('' when it is not). */
  pauseKind: Rollout['pauseKind'];
  failedHost: string;
  failedStep: string;
  initiator: string;
  /** The schedule that started it ('' when started by hand). */
  schedule: string;
  createdAt: string;
  /** '' until it ends. */
  finishedAt: string;
  hosts: { agentId: string; role: string; state: string }[];
}

/** The JSON body POSTed to a webhook. */
export interface WebhookPayload {
  /** Unique per notification (receivers may see a retried delivery twice). */
  id: string;
  event: WebhookEvent;
  /** Who caused the change: an operator, the rollout's initiator, or convoyd itself. */
  actor: string;
  rollout: WebhookRollout;
  /** One line for chat: Slack, Mattermost and Rocket.Chat incoming webhooks display it. */
  text: string;
  at: string;
}

/** The notification a persisted change deserves, if any (compares the state before and after). */
export function webhookEventFor(prev: Rollout | undefined, next: Rollout): WebhookEvent | undefined {
  if (!prev) return 'started';
  if (prev.state === next.state) return undefined;
  switch (next.state) {
    case 'awaiting-ack':
    case 'paused':
    case 'succeeded':
    case 'failed':
    case 'aborted':
      return next.state;
    case 'running':
    case 'pending':
      return prev.state === 'paused' ? 'resumed' : undefined;
  }
}

/** Who made the change: the actor of its transition, the initiator for a start, else convoyd (automatic). */
export function actorOf(event: WebhookEvent, r: Rollout, events: EventRecord[]): string {
  if (event === 'started') return r.initiator || 'convoyd';
  const transition = events.filter((e) => e.kind === 'transition' && e.actor).pop();
  return transition?.actor || 'convoyd';
}

function iso(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : '';
}

function summarize(r: Rollout): WebhookRollout {
  return {
    id: r.id,
    cluster: r.cluster,
    host: r.cluster ? '' : (r.hosts[0]?.agentId ?? ''),
    target: r.target,
    state: r.state,
    phase: r.phase,
    reason: r.reason,
    pauseKind: r.pauseKind,
    failedHost: r.failedHost,
    failedStep: r.failedStep,
    initiator: r.initiator,
    schedule: r.schedule,
    createdAt: iso(r.createdAtMs),
    finishedAt: iso(r.finishedAtMs),
    hosts: r.hosts.map((h) => ({ agentId: h.agentId, role: h.role, state: h.state })),
  };
}

/** Slack reads &, < and > as markup. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** "Convoy: rollout r-3 (cluster hoss to 0.2.5) paused: alerts firing: DiskFull; resumes by itself when they clear" */
export function slackText(event: WebhookEvent, r: Rollout, actor: string): string {
  const subject = `rollout ${r.id} (${r.cluster ? `cluster ${r.cluster}` : `host ${r.hosts[0]?.agentId ?? '?'}`} to ${r.target})`;
  const why = r.reason ? `: ${r.reason}` : '';
  const what: Record<WebhookEvent, string> = {
    started: `started by ${actor}${r.schedule ? ` (schedule ${r.schedule})` : ''}`,
    'awaiting-ack': `awaits acknowledgement${why}`,
    paused: `paused${why}`,
    resumed: `resumed by ${actor}`,
    succeeded: `succeeded${why}`,
    failed: `failed${why}`,
    aborted: `aborted${why}`,
  };
  return escapeSlack(`Convoy: ${subject} ${what[event]}`);
}

/** The body for one notification. */
export function buildPayload(event: WebhookEvent, r: Rollout, events: EventRecord[], atMs: number): WebhookPayload {
  const actor = actorOf(event, r, events);
  return {
    id: `${r.id}/${event}/${atMs}`,
    event,
    actor,
    rollout: summarize(r),
    text: slackText(event, r, actor),
    at: iso(atMs),
  };
}
