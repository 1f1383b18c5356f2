/**
 * Webhook notifications of rollout state changes (started, awaiting-ack, paused, resumed,
 * succeeded, failed, aborted). The controller tells this observer about every persisted change;
 * it only queues: delivery happens in the background, one ordered queue per webhook.
 */
import type { BackoffPolicy } from '../../shared/backoff.js';
import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { WebhookConfig } from '../config.js';
import type { RolloutObserver } from '../rollout/controller.js';
import type { Rollout } from '../rollout/model.js';
import type { EventRecord } from '../store/store.js';
import { DeliveryQueue } from './delivery-queue.js';
import { redactUrl } from '../../shared/http-text.js';
import { buildPayload, webhookEventFor } from './payload.js';
import { type PostJson, httpPoster } from './post.js';

/** How long a stopping convoyd waits for queued notifications (the final "succeeded", say) to go out. */
export const FLUSH_GRACE_MS = 2000;

export interface WebhookNotifierOptions {
  webhooks: WebhookConfig[];
  clock: Clock;
  logger: Logger;
  /** Sent as User-Agent: "convoyd/0.1.0". */
  userAgent: string;
  post?: PostJson;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export class WebhookNotifier implements RolloutObserver {
  private readonly queues: { hook: WebhookConfig; queue: DeliveryQueue }[];
  private readonly abort = new AbortController();
  private stopping?: Promise<void>;

  constructor(private readonly o: WebhookNotifierOptions) {
    const post = o.post ?? httpPoster(o.userAgent);
    this.queues = o.webhooks.map((hook, i) => ({
      hook,
      queue: new DeliveryQueue({
        hook,
        label: `webhooks[${i}] (${redactUrl(hook.url)})`,
        clock: o.clock,
        logger: o.logger,
        post,
        signal: this.abort.signal,
        backoff: o.backoff,
        random: o.random,
      }),
    }));
  }

  /** Queues a notification for each webhook that wants this change. Never throws, never waits. */
  rolloutChanged(prev: Rollout | undefined, next: Rollout, events: EventRecord[]): void {
    if (this.stopping || this.queues.length === 0) return;
    try {
      const event = webhookEventFor(prev, next);
      if (!event) return;
      const body = JSON.stringify(buildPayload(event, next, events, this.o.clock.now()));
      for (const { hook, queue } of this.queues) if (hook.events.includes(event)) queue.push({ event, rolloutId: next.id, body });
    } catch (err) {
      this.o.logger.error(`webhook notification not queued: ${messageOf(err)}`, { rolloutId: next.id });
    }
  }

  /** Waits up to `graceMs` for the queues to empty, then cancels what is left. Safe to call twice. */
  stop(graceMs = FLUSH_GRACE_MS): Promise<void> {
    this.stopping ??= this.flush(graceMs);
    return this.stopping;
  }

  private async flush(graceMs: number): Promise<void> {
    const cancel = this.o.clock.setTimer(graceMs, () => this.abort.abort(new Error('convoyd stopped')));
    await Promise.all(this.queues.map(({ queue }) => queue.idle()));
    cancel();
    this.abort.abort(new Error('convoyd stopped'));
  }
}
