/**
 * Connections nobody authenticated: closed promptly whatever the client does (an HTTP/2 client
 * answers pings and would otherwise be held forever), a handshake never started is cut at the
 * deadline, and a client that resets right after the handshake is logged at warn; each refusal
 * is counted in convoy_tls_refused_total.
 */
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { expect } from 'chai';
import { HANDSHAKE_TIMEOUT_MS, REFUSED_CONNECTION_MAX_MS } from '../../../coordinator/rpc/listener.js';
import { createFleet, waitFor, type Sandbox } from '../../helpers/index.js';
import { entries, logged, metric, pem } from './support.js';

const ONE = [{ name: 'hoss-a', role: 'member' as const }];
/** Slack for process scheduling on a busy machine, on top of the documented bound. */
const SLACK_MS = 2_000;

/** Resolves with how long after `since` the emitter emitted `event`; rejects after `limitMs`. */
function closedWithin(emitter: NodeJS.EventEmitter, event: string, since: number, limitMs: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} was still open after ${limitMs} ms`)), limitMs);
    emitter.once(event, () => {
      clearTimeout(timer);
      resolve(Date.now() - since);
    });
  });
}

export function connectionLimits(sandbox: Sandbox): void {
  it('closes idle unauthenticated connections: an HTTP/2 client without a certificate that answers pings, and a TCP client that never starts TLS', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, servers: ONE, cluster: false });
    const port = Number(fleet.coordinatorAddress.split(':')[1]);
    const ca = pem(fleet.tls!.ca);

    // An HTTP/2 session over TLS, no client certificate, no call: node answers pings for us.
    const session = http2.connect(`https://localhost:${port}`, { ca });
    session.on('error', () => undefined);
    const connectedAt = await new Promise<number>((resolve) => session.once('connect', () => resolve(Date.now())));
    const h2Closed = closedWithin(session, 'close', connectedAt, 4 * REFUSED_CONNECTION_MAX_MS, 'the unauthenticated HTTP/2 session');

    // A TCP connection that never sends a ClientHello.
    const raw = net.connect(port, '127.0.0.1');
    raw.on('error', () => undefined);
    const rawAt = await new Promise<number>((resolve) => raw.once('connect', () => resolve(Date.now())));
    const rawClosed = closedWithin(raw, 'close', rawAt, 3 * HANDSHAKE_TIMEOUT_MS, 'the TCP connection without a handshake');

    expect(await h2Closed, 'HTTP/2 session closed (ms)').to.be.below(REFUSED_CONNECTION_MAX_MS + SLACK_MS);
    expect(await rawClosed, 'silent TCP connection closed (ms)').to.be.within(HANDSHAKE_TIMEOUT_MS - 1000, HANDSHAKE_TIMEOUT_MS + SLACK_MS);

    const refusal = await logged(fleet.coordinator, /^refused TLS client 127\.0\.0\.1:\d+: no client certificate/);
    expect(refusal.level).to.equal('warn');
    const timeout = await logged(
      fleet.coordinator,
      /^TLS handshake with 127\.0\.0\.1:\d+ failed: the client did not finish the handshake in time/,
    );
    expect(timeout.level).to.equal('warn');
    expect(await metric(fleet, 'convoy_tls_refused_total', { reason: 'certificate' })).to.be.at.least(1);
    expect(await metric(fleet, 'convoy_tls_refused_total', { reason: 'timeout' })).to.be.at.least(1);
    expect(fleet.coordinator?.hasExited()).to.equal(false);
  });

  it('logs a client that resets right after the handshake at warn, counts it, and rate-limits a flood of them', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, servers: ONE, cluster: false });
    const port = Number(fleet.coordinatorAddress.split(':')[1]);
    const ca = pem(fleet.tls!.ca);
    const resets = 30;
    const before = await metric(fleet, 'convoy_tls_refused_total', { reason: 'reset' }); // the harness's own port probe
    for (let i = 0; i < resets; i++) {
      await new Promise<void>((resolve) => {
        const raw = net.connect(port, '127.0.0.1');
        raw.on('error', () => undefined);
        raw.once('close', () => resolve());
        const socket = tls.connect({ socket: raw, servername: 'localhost', ca, ALPNProtocols: ['h2'] });
        socket.on('error', () => undefined);
        socket.once('secureConnect', () => raw.resetAndDestroy());
      });
    }
    const first = await logged(
      fleet.coordinator,
      /reset the connection \d+ms after the handshake|closed the connection during the handshake/,
    );
    expect(first.level).to.equal('warn');
    await waitFor(async () => (await metric(fleet, 'convoy_tls_refused_total', { reason: 'reset' })) - before === resets, {
      what: `convoy_tls_refused_total{reason="reset"} to count ${resets} more`,
    });
    const lines = entries(fleet.coordinator, /reset the connection|closed the connection during the handshake/);
    expect(lines.length, 'warnings about resets (rate-limited)').to.be.within(1, 10);
  });
}
