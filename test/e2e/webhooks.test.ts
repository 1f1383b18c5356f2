/**
 * Issue 6: webhook notifications. A test HTTP server receives what convoyd POSTs for a rollout
 * that succeeds and one that fails; the notifications arrive in order, the first attempt of
 * each rollout's first notification is refused (503) and retried, and a receiver that never
 * answers delays nothing.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, onCleanup, useSandbox, waitFor, type Fleet, type FleetServerSpec } from '../helpers/index.js';
import { start, waitRollout, TERMINAL } from './support.js';

interface Received {
  path: string;
  status: number;
  contentType: string;
  userAgent: string;
  body: {
    id: string;
    event: string;
    actor: string;
    text: string;
    at: string;
    rollout: { id: string; state: string; pauseKind: string; failedHost: string; failedStep: string; initiator: string; reason: string };
  };
}

/** Records every POST; /all answers 503 to the first attempt of each rollout's first notification; /hang never answers. */
async function startReceiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const refused = new Set<string>();
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/hang') return; // keeps the connection open, never answers
      const body = JSON.parse(text) as Received['body'];
      const refuse = req.url === '/all' && body.event === 'started' && !refused.has(body.id);
      if (refuse) refused.add(body.id);
      const status = refuse ? 503 : 200;
      received.push({
        path: req.url ?? '',
        status,
        contentType: req.headers['content-type'] ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        body,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  onCleanup('webhook receiver', () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, received };
}

/** Accepted notifications to `path`, as "rollout event". */
function delivered(received: Received[], at: string): string[] {
  return received.filter((r) => r.path === at && r.status === 200).map((r) => `${r.body.rollout.id} ${r.body.event}`);
}

async function cli(fleet: Fleet, args: string[]): Promise<void> {
  const res = await fleet.cli(args);
  expect(res.code, `convoy ${args.join(' ')}: ${res.stderr}`).to.equal(0);
}

describe('e2e: webhook notifications', function () {
  this.timeout(240_000);
  const sandbox = useSandbox();

  it('POSTs every state change in order, for a rollout that succeeds and one that fails', async () => {
    const receiver = await startReceiver();
    // hoss-a's build waits for this file: the failing rollout fails only after the test paused and resumed it
    const gate = path.join(sandbox.dir, 'release-hoss-a-build');
    fs.writeFileSync(gate, '');
    const servers: FleetServerSpec[] = [
      { name: 'hoss-auth', role: 'auth' },
      {
        name: 'hoss-a',
        role: 'member',
        agent: { steps: { build: { command: `while [ ! -e '${gate}' ]; do sleep 0.1; done; make build` } } },
      },
      { name: 'hoss-b', role: 'member' },
    ];
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers,
      coordinatorOverrides: {
        webhooks: [
          { url: `${receiver.url}/all`, retries: 3, timeout: '5s' },
          { url: `${receiver.url}/failures`, events: ['failed'] },
          { url: `${receiver.url}/hang`, retries: 1, timeout: '1s' },
        ],
      },
    });

    const ok = await start(fleet, ['hoss', '--to', '0.2.0']);
    const first = await waitRollout(fleet, ok, 'to finish', (r) => TERMINAL.includes(r.state), 120_000);
    expect(first.state).to.equal('succeeded');

    fs.rmSync(gate);
    fleet.host('hoss-a').server.setKnob('fail-build');
    const bad = await start(fleet, ['hoss', '--to', '0.3.0']); // 0.3.0 declares required changes
    await waitRollout(fleet, bad, 'awaiting-ack', (r) => r.state === 'awaiting-ack', 60_000);
    await cli(fleet, ['rollout', 'ack', bad]);
    await cli(fleet, ['rollout', 'pause', bad]);
    await cli(fleet, ['rollout', 'resume', bad]);
    fs.writeFileSync(gate, '');
    const second = await waitRollout(fleet, bad, 'to finish', (r) => TERMINAL.includes(r.state), 120_000);
    expect(second.state).to.equal('failed');

    const expected = [
      `${ok} started`,
      `${ok} succeeded`,
      ...['started', 'awaiting-ack', 'paused', 'resumed', 'failed'].map((e) => `${bad} ${e}`),
    ];
    await waitFor(() => delivered(receiver.received, '/all').length >= expected.length, {
      what: 'every notification to /all',
      timeoutMs: 30_000,
      describe: () => JSON.stringify(delivered(receiver.received, '/all')),
    });
    expect(delivered(receiver.received, '/all')).to.deep.equal(expected);
    expect(delivered(receiver.received, '/failures')).to.deep.equal([`${bad} failed`]);

    const all = receiver.received.filter((r) => r.path === '/all');
    const refusedIds = all.filter((r) => r.status === 503).map((r) => r.body.id);
    expect(refusedIds, 'the first attempt of each start was refused').to.have.length(2);
    for (const id of refusedIds) expect(all.filter((r) => r.body.id === id).map((r) => r.status)).to.deep.equal([503, 200]);
    expect(all.every((r) => r.contentType === 'application/json' && /^convoyd\//.test(r.userAgent))).to.equal(true);

    const body = (event: string): Received['body'] => all.find((r) => r.body.rollout.id === bad && r.body.event === event)!.body;
    const initiator = body('started').rollout.initiator;
    expect(body('started').actor).to.equal(initiator);
    expect(body('awaiting-ack').text).to.contain(`convoy rollout ack ${bad}`);
    expect([body('paused').actor, body('paused').rollout.pauseKind]).to.deep.equal([initiator, 'operator']);
    expect(body('resumed').actor).to.equal(initiator);
    const failed = body('failed');
    expect([failed.actor, failed.rollout.failedHost, failed.rollout.failedStep]).to.deep.equal(['convoyd', 'hoss-a', 'build']);
    expect(failed.text).to.equal(`Convoy: rollout ${bad} (cluster hoss to 0.3.0) failed: ${second.reason}`);

    const log = fleet.coordinator!.jsonLines().map((l) => String(l.message));
    expect(
      log.some((m) =>
        /^webhook webhooks\[0\] \(http:\/\/127\.0\.0\.1:\d+\/…\): "started" attempt 1 of 4 failed \(HTTP 503\); retrying in/.test(m),
      ),
    ).to.equal(true);
    expect(log.some((m) => m.startsWith('webhook webhooks[2]') && m.includes('no answer within 1.0s'))).to.equal(true);
    expect(await fleet.stopCoordinator(), 'convoyd stops gracefully with a webhook that never answers').to.equal(0);
  });
});
