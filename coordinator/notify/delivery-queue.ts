/**
 * The deliveries to one webhook, in order: a notification is sent only after the one before it
 * was delivered or given up on, so a receiver never sees "succeeded" before "started". Failed
 * attempts are retried with capped, jittered backoff; nothing here blocks or throws into the
 * rollout controller.
 */
import { type BackoffPolicy, backoffDelay } from '../../shared/backoff.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { formatDuration } from '../../shared/durations.js';
import type { WebhookConfig, WebhookEvent } from '../config.js';
import type { PostJson } from './post.js';

/** One notification waiting for delivery. */
export interface Delivery {
  event: WebhookEvent;
  rolloutId: string;
  body: string;
}

/** Between attempts to one webhook: 1s, 2s, 4s… capped at a minute, jittered. */
export const WEBHOOK_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.5 };

/** A receiver that is down for hours must not grow convoyd's memory without bound. */
export const MAX_QUEUED = 1000;

export interface DeliveryQueueOptions {
  hook: WebhookConfig;
  /** How the webhook appears in logs: `webhooks[0] (https://hooks.slack.com/…)`. */
  label: string;
  clock: Clock;
  logger: Logger;
  post: PostJson;
  /** Aborted when convoyd stops: the attempt in flight is cancelled, the rest is dropped. */
  signal: AbortSignal;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export class DeliveryQueue {
  private readonly pending: Delivery[] = [];
  private running?: Promise<void>;

  constructor(private readonly o: DeliveryQueueOptions) {}

  /** Queues a delivery; returns at once. */
  push(d: Delivery): void {
    if (this.o.signal.aborted) return;
    if (this.pending.length >= MAX_QUEUED) {
      this.o.logger.error(`webhook ${this.o.label}: ${MAX_QUEUED} notifications are already waiting; "${d.event}" is dropped`, {
        rolloutId: d.rolloutId,
        webhook: this.o.label,
      });
      return;
    }
    this.pending.push(d);
    this.kick();
  }

  /** Resolves when nothing is waiting or being sent. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** How many notifications wait (including the one being sent). */
  get size(): number {
    return this.pending.length;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.pending.length && !this.o.signal.aborted) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length && !this.o.signal.aborted) {
      if (!(await this.deliver(this.pending[0]!))) break;
      this.pending.shift();
    }
    if (this.pending.length) {
      this.o.logger.warn(`webhook ${this.o.label}: ${this.pending.length} notification(s) not delivered: convoyd stopped`, {
        webhook: this.o.label,
      });
      this.pending.length = 0;
    }
  }

  /** Attempts one delivery up to 1 + retries times; logs each failure and the outcome. False when interrupted by the stop. */
  private async deliver(d: Delivery): Promise<boolean> {
    const { hook, label, logger, clock, signal } = this.o;
    const attempts = hook.retries + 1;
    const fields = { rolloutId: d.rolloutId, event: d.event, webhook: label };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const res = await this.o.post(hook.url, d.body, hook.timeoutMs, signal);
      if (res.ok) {
        logger.debug(`webhook ${label}: "${d.event}" delivered (${res.detail})`, fields);
        return true;
      }
      if (signal.aborted) return false;
      if (!res.retry || attempt === attempts) {
        const why = res.retry ? `after ${attempts} attempt(s)` : 'without retrying (the receiver refused it)';
        logger.error(`webhook ${label}: "${d.event}" of rollout ${d.rolloutId} not delivered ${why}: ${res.detail}`, fields);
        return true;
      }
      const delayMs = backoffDelay(this.o.backoff ?? WEBHOOK_BACKOFF, attempt - 1, (this.o.random ?? Math.random)());
      logger.warn(
        `webhook ${label}: "${d.event}" attempt ${attempt} of ${attempts} failed (${res.detail}); retrying in ${formatDuration(delayMs)}`,
        fields,
      );
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        return false; // convoyd is stopping
      }
    }
    return true;
  }
}
