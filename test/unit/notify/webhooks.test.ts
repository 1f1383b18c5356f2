import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import type { WebhookConfig } from '../../../coordinator/config.js';
import type { WebhookPayload } from '../../../coordinator/notify/payload.js';
import type { PostResult } from '../../../coordinator/notify/post.js';
import { WebhookNotifier } from '../../../coordinator/notify/webhooks.js';
import type { Rollout, RolloutState } from '../../../coordinator/rollout/model.js';
import { FakeClock } from '../../../shared/clock.js';

const OK: PostResult = { ok: true, retry: false, detail: 'HTTP 200' };
const DOWN: PostResult = { ok: false, retry: true, detail: 'HTTP 503' };
const REFUSED: PostResult = { ok: false, retry: false, detail: 'HTTP 404' };

/** Lets promise callbacks run (the fake clock fires timers synchronously; awaits resume in microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A logger that keeps "level message" lines in memory, so a test reads what an operator would. */
function memoryLogger(lines: string[]): winston.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done): void {
      lines.push(chunk.toString().trimEnd());
      done();
    },
  });
  return winston.createLogger({
    level: 'debug',
    format: winston.format.printf((info) => `${info.level} ${String(info.message)}`),
    transports: [new winston.transports.Stream({ stream })],
  });
}

interface Sent {
  url: string;
  atMs: number;
  body: WebhookPayload;
}

interface Rig {
  clock: FakeClock;
  notifier: WebhookNotifier;
  sent: Sent[];
  /** Scripted answers per URL, used in order; OK when empty. */
  answers: Record<string, PostResult[]>;
  /** Log lines: "warn webhook …". */
  log: string[];
}

function hook(url: string, over: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    url,
    events: ['started', 'awaiting-ack', 'paused', 'resumed', 'succeeded', 'failed', 'aborted'],
    timeoutMs: 5000,
    retries: 3,
    ...over,
  };
}

function rig(hooks: WebhookConfig[]): Rig {
  const clock = new FakeClock();
  const log: string[] = [];
  const r: Rig = { clock, sent: [], answers: {}, log, notifier: undefined as unknown as WebhookNotifier };
  r.notifier = new WebhookNotifier({
    webhooks: hooks,
    clock,
    logger: memoryLogger(log),
    userAgent: 'convoyd/test',
    random: () => 1, // no jitter: delays are the capped exponential values
    post: async (url, body) => {
      r.sent.push({ url, atMs: clock.now(), body: JSON.parse(body) as WebhookPayload });
      return r.answers[url]?.shift() ?? OK;
    },
  });
  return r;
}

function state(s: RolloutState, id = 'r-1'): Rollout {
  return { id, cluster: 'hoss', target: '0.2.0', state: s, hosts: [], reason: '' } as unknown as Rollout;
}

/** Feeds the notifier a rollout's life: started, then each state in turn. */
function life(r: Rig, states: RolloutState[], id = 'r-1'): void {
  let prev: Rollout | undefined;
  for (const s of ['pending' as const, ...states]) {
    const next = state(s, id);
    r.notifier.rolloutChanged(prev, next, []);
    prev = next;
  }
}

describe('webhook notifier', () => {
  it('delivers the events of a rollout in order, each webhook only the events it asked for', async () => {
    const r = rig([hook('http://chat/all'), hook('http://pager/failures', { events: ['failed'] })]);
    life(r, ['running', 'paused', 'running', 'failed']);
    await settle();
    expect(r.sent.filter((s) => s.url === 'http://chat/all').map((s) => s.body.event)).to.deep.equal([
      'started',
      'paused',
      'resumed',
      'failed',
    ]);
    expect(r.sent.filter((s) => s.url === 'http://pager/failures').map((s) => s.body.event)).to.deep.equal(['failed']);
  });

  it('retries a failed delivery with capped backoff and holds later ones until it is through', async () => {
    const r = rig([hook('http://chat/all', { retries: 3 })]);
    r.answers['http://chat/all'] = [DOWN, DOWN];
    const t0 = r.clock.now();
    life(r, ['running', 'succeeded']);
    await settle();
    expect(r.sent.map((s) => [s.body.event, s.atMs - t0])).to.deep.equal([['started', 0]]);
    r.clock.advance(1000);
    await settle();
    r.clock.advance(2000);
    await settle();
    expect(r.sent.map((s) => [s.body.event, s.atMs - t0])).to.deep.equal([
      ['started', 0],
      ['started', 1000],
      ['started', 3000],
      ['succeeded', 3000],
    ]);
    expect(r.log.filter((l) => l.startsWith('warn'))).to.deep.equal([
      'warn webhook webhooks[0] (http://chat/…): "started" attempt 1 of 4 failed (HTTP 503); retrying in 1.0s',
      'warn webhook webhooks[0] (http://chat/…): "started" attempt 2 of 4 failed (HTTP 503); retrying in 2.0s',
    ]);
  });

  it('gives up after the configured retries, logs it, and moves on to the next delivery', async () => {
    const r = rig([hook('http://chat/all', { retries: 1 })]);
    r.answers['http://chat/all'] = [DOWN, DOWN];
    life(r, ['running', 'aborted']);
    await settle();
    r.clock.advance(1000);
    await settle();
    expect(r.sent.map((s) => s.body.event)).to.deep.equal(['started', 'started', 'aborted']);
    expect(r.log.filter((l) => l.startsWith('error'))).to.deep.equal([
      'error webhook webhooks[0] (http://chat/…): "started" of rollout r-1 not delivered after 2 attempt(s): HTTP 503',
    ]);
  });

  it('does not retry a delivery the receiver refused (4xx)', async () => {
    const r = rig([hook('http://chat/all')]);
    r.answers['http://chat/all'] = [REFUSED];
    life(r, ['running', 'succeeded']);
    await settle();
    expect(r.sent.map((s) => s.body.event)).to.deep.equal(['started', 'succeeded']);
    expect(r.log.filter((l) => l.startsWith('error'))[0]).to.contain('not delivered without retrying (the receiver refused it): HTTP 404');
  });

  it('keeps each webhook in its own queue: one that is down does not delay another', async () => {
    const r = rig([hook('http://down/x'), hook('http://up/y')]);
    r.answers['http://down/x'] = [DOWN, DOWN, DOWN];
    life(r, ['running', 'succeeded']);
    await settle();
    expect(r.sent.filter((s) => s.url === 'http://up/y').map((s) => s.body.event)).to.deep.equal(['started', 'succeeded']);
  });

  it('never throws into the controller, even for a rollout it cannot describe', async () => {
    const r = rig([hook('http://chat/all')]);
    expect(() => r.notifier.rolloutChanged(undefined, {} as Rollout, [])).to.not.throw();
    await settle();
    expect(r.log.some((l) => l.startsWith('error webhook notification not queued'))).to.equal(true);
  });

  it('on stop, waits for the queue briefly, then drops what is left and says so', async () => {
    const r = rig([hook('http://down/x', { retries: 10 })]);
    r.answers['http://down/x'] = Array.from({ length: 20 }, () => DOWN);
    life(r, ['running', 'succeeded']);
    await settle();
    const stopped = r.notifier.stop(2000);
    await settle();
    r.clock.advance(1000);
    await settle();
    r.clock.advance(1000);
    await stopped;
    expect(r.sent.map((s) => s.body.event)).to.deep.equal(['started', 'started']);
    expect(r.log).to.include('warn webhook webhooks[0] (http://down/…): 2 notification(s) not delivered: convoyd stopped');
    r.notifier.rolloutChanged(undefined, state('pending', 'r-2'), []);
    await settle();
    expect(r.sent).to.have.length(2);
  });
});
