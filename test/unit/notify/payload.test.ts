import { expect } from 'chai';
import type { WebhookEvent } from '../../../coordinator/config.js';
import { buildPayload, slackText, webhookEventFor } from '../../../coordinator/notify/payload.js';
import type { Rollout, RolloutState } from '../../../coordinator/rollout/model.js';
import { createRollout } from '../../../coordinator/rollout/planner.js';
import type { EventRecord } from '../../../coordinator/store/sqlite-store.js';

const T0 = Date.UTC(2026, 10, 1, 2, 0, 0);

function rollout(over: Partial<Rollout> = {}, hosts = ['hoss-auth', 'hoss-a']): Rollout {
  const r = createRollout({
    id: 'r-7',
    cluster: 'hoss',
    target: '0.2.5',
    initiator: 'alice@ops',
    now: T0,
    ackPreapproved: false,
    maxParallel: 1,
    authHost: hosts.length > 1 ? hosts[0]! : '',
    allowDowngrade: false,
    autoRollback: false,
    healthDeadlineMs: 60_000,
    hosts: hosts.map((agentId) => ({ agentId, plan: ['backup', 'checkout', 'health'], rerunnable: [] })),
  });
  return { ...r, ...over };
}

function transition(actor: string): EventRecord {
  return { atMs: T0, rolloutId: 'r-7', agentId: '', step: '', actor, kind: 'transition', message: 'running -> paused' };
}

describe('webhook payloads', () => {
  const cases: [RolloutState | undefined, RolloutState, WebhookEvent | undefined][] = [
    [undefined, 'pending', 'started'],
    ['pending', 'awaiting-ack', 'awaiting-ack'],
    ['awaiting-ack', 'running', undefined],
    ['pending', 'running', undefined],
    ['running', 'paused', 'paused'],
    ['pending', 'paused', 'paused'],
    ['paused', 'running', 'resumed'],
    ['paused', 'pending', 'resumed'],
    ['running', 'running', undefined],
    ['paused', 'paused', undefined],
    ['running', 'succeeded', 'succeeded'],
    ['pending', 'succeeded', 'succeeded'],
    ['running', 'failed', 'failed'],
    ['paused', 'aborted', 'aborted'],
    ['failed', 'failed', undefined],
  ];
  for (const [from, to, event] of cases) {
    it(`${from ?? '(new)'} -> ${to} notifies ${event ?? 'nothing'}`, () => {
      expect(webhookEventFor(from ? rollout({ state: from }) : undefined, rollout({ state: to }))).to.equal(event);
    });
  }

  it('describes each event in one Slack line', () => {
    const lines = {
      started: slackText('started', rollout(), 'alice@ops'),
      paused: slackText(
        'paused',
        rollout({ state: 'paused', reason: 'alerts firing: DiskFull; resumes by itself when they clear' }),
        'convoyd',
      ),
      resumed: slackText('resumed', rollout({ state: 'running' }), 'bob@ops'),
      failed: slackText('failed', rollout({ state: 'failed', reason: 'hoss-a: build: exited with code 2' }), 'convoyd'),
      single: slackText('succeeded', rollout({ cluster: '', state: 'succeeded', reason: 'every host runs 0.2.5' }, ['solo']), 'convoyd'),
      escaped: slackText('aborted', rollout({ state: 'aborted', reason: 'aborted by <script> & co' }), 'x'),
    };
    expect(lines).to.deep.equal({
      started: 'Convoy: rollout r-7 (cluster hoss to 0.2.5) started by alice@ops',
      paused: 'Convoy: rollout r-7 (cluster hoss to 0.2.5) paused: alerts firing: DiskFull; resumes by itself when they clear',
      resumed: 'Convoy: rollout r-7 (cluster hoss to 0.2.5) resumed by bob@ops',
      failed: 'Convoy: rollout r-7 (cluster hoss to 0.2.5) failed: hoss-a: build: exited with code 2',
      single: 'Convoy: rollout r-7 (host solo to 0.2.5) succeeded: every host runs 0.2.5',
      escaped: 'Convoy: rollout r-7 (cluster hoss to 0.2.5) aborted: aborted by &lt;script&gt; &amp; co',
    });
  });

  it('builds the JSON body with the rollout, who acted and when', () => {
    const r = rollout({
      state: 'failed',
      phase: 'done',
      reason: 'hoss-a: build: exited with code 2',
      failedHost: 'hoss-a',
      failedStep: 'build',
    });
    r.finishedAtMs = T0 + 60_000;
    const body = buildPayload('failed', r, [], T0 + 61_000);
    expect(body).to.deep.equal({
      id: `r-7/failed/${T0 + 61_000}`,
      event: 'failed',
      actor: 'convoyd',
      rollout: {
        id: 'r-7',
        cluster: 'hoss',
        host: '',
        target: '0.2.5',
        state: 'failed',
        phase: 'done',
        reason: 'hoss-a: build: exited with code 2',
        pauseKind: '',
        failedHost: 'hoss-a',
        failedStep: 'build',
        initiator: 'alice@ops',
        schedule: '',
        createdAt: '2026-11-01T02:00:00.000Z',
        finishedAt: '2026-11-01T02:01:00.000Z',
        hosts: [
          { agentId: 'hoss-auth', role: 'auth', state: 'pending' },
          { agentId: 'hoss-a', role: 'member', state: 'pending' },
        ],
      },
      text: 'Convoy: rollout r-7 (cluster hoss to 0.2.5) failed: hoss-a: build: exited with code 2',
      at: '2026-11-01T02:01:01.000Z',
    });
  });

  it('names the operator whose action caused the change, the initiator for a start, convoyd otherwise', () => {
    const paused = rollout({ state: 'paused' });
    expect(buildPayload('paused', paused, [transition('bob@ops')], T0).actor).to.equal('bob@ops');
    expect(buildPayload('paused', paused, [transition('')], T0).actor).to.equal('convoyd');
    expect(buildPayload('started', rollout(), [], T0).actor).to.equal('alice@ops');
  });
});
