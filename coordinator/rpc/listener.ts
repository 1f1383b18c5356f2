/**
 * Where convoyd's gRPC server listens. Plaintext (insecure: true, loopback only): grpc-js
 * binds the port itself. Mutual TLS: we terminate TLS ourselves and hand each connection to
 * grpc-js (Server.createConnectionInjector), because only here can we see *why* a client
 * certificate is refused and log it: grpc-js drops failed handshakes without a word.
 *
 * A connection whose certificate fails verification (none, another CA, expired, not a client
 * certificate) never reaches the real services: it goes to a second server that answers
 * every call with UNAUTHENTICATED and the reason, and decodes nothing it is sent. So does a
 * verified certificate that coordinator.yaml revokes by fingerprint (denyCertificates); when a
 * SIGHUP revokes one, its open connections are closed (recheck).
 *
 * Nothing unauthenticated is held: a handshake must finish within HANDSHAKE_TIMEOUT_MS, and a
 * refused connection is closed REFUSED_CONNECTION_MAX_MS after it was handed to the refusing
 * server, whatever the client does (answering pings keeps no connection open). Every refusal is
 * counted (convoy_tls_refused_total) and logged at warn, rate-limited per kind.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { type Address, parseAddress } from '../../shared/address.js';
import type { Clock } from '../../shared/clock.js';
import { LogLimiter } from '../../shared/log-limiter.js';
import type { Logger } from '../../shared/logger.js';
import { loadServices, serverOptions } from '../../shared/proto.js';
import { ignoringService } from './decode.js';
import { HandshakePacer } from './handshake-pacer.js';
import { certificateRefusal, describeCertificate, handshakeFailure, handshakeFailureKind, type TlsRefusalKind } from './tls-reasons.js';

/** A bound gRPC listener. */
export interface GrpcListener {
  port: number;
  /** Re-reads the certificate, key and CA (rotation on SIGHUP); throws and keeps the old ones on error. */
  reload(files: TlsFiles): void;
  /** Closes the open connections whose client certificate is now refused (after a SIGHUP); returns the reasons. */
  recheck?(): string[];
  close(): void;
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Unauthenticated clients get this long to finish a handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A refused connection lives this long: enough to read the UNAUTHENTICATED answer and its reason. */
export const REFUSED_CONNECTION_MAX_MS = 3_000;
/** A reset this soon after the handshake is worth a warning (a probe, or a client that gave up on us). */
const RESET_AFTER_HANDSHAKE_MS = 5_000;
/** The refusing server reads nothing worth more than this. */
const REFUSAL_MAX_MESSAGE_BYTES = 16 * 1024;

/** Counts refused TLS connections (the metrics of convoyd). */
export interface TlsRefusalCounter {
  tlsRefused(kind: TlsRefusalKind): void;
}

/** What the mutual TLS listener works with besides the files. */
export interface MutualTlsOptions {
  logger: Logger;
  clock: Clock;
  /** Why a verified client certificate is nevertheless refused (revoked by fingerprint), or undefined. */
  check?: CertificateCheck;
  refusals?: TlsRefusalCounter;
}

/** host:port by the one rule (shared/address.ts); config.ts validated it before any port opens. */
function splitAddress(address: string): Address {
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`listen "${address}" is not host:port`);
  return parsed;
}

function secureContext(files: TlsFiles): tls.SecureContextOptions {
  return { ca: fs.readFileSync(files.ca), cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) };
}

/** Binds `server` in plaintext (grpc-js's own listener). */
export async function listenPlaintext(server: grpc.Server, address: string): Promise<GrpcListener> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    reload: () => undefined,
    close: () => undefined,
  };
}

/** A server whose every method answers UNAUTHENTICATED with the reason recorded for the peer. */
function refusingServer(reasons: Map<string, string>): grpc.Server {
  const server = new grpc.Server({
    ...serverOptions,
    'grpc.max_receive_message_length': REFUSAL_MAX_MESSAGE_BYTES,
    // answered at once, then idle: closed (the listener's own timer closes it anyway)
    'grpc.max_connection_idle_ms': 1_000,
    'grpc.max_connection_age_ms': REFUSED_CONNECTION_MAX_MS,
    'grpc.max_connection_age_grace_ms': 500,
  });
  const refuse = (peer: string): Partial<grpc.StatusObject> => ({
    code: grpc.status.UNAUTHENTICATED,
    details: `client certificate refused: ${reasons.get(peer) ?? 'not verified'}`,
  });
  for (const service of Object.values(loadServices())) {
    const def = ignoringService(service.service);
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, attrs] of Object.entries(def)) {
      impl[name] = (
        attrs.requestStream || attrs.responseStream
          ? (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', refuse(call.getPeer()))
          : (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(refuse(call.getPeer()))
      ) as grpc.UntypedHandleCall;
    }
    server.addService(def, impl);
  }
  return server;
}

/** Why a verified client certificate is nevertheless refused (revoked by fingerprint), or undefined. */
export type CertificateCheck = (cert: tls.PeerCertificate) => string | undefined;

/** Serves `server` over mutual TLS on `address`; certificates that fail verification are refused with the reason logged. */
export async function listenMutualTls(
  server: grpc.Server,
  address: string,
  files: TlsFiles,
  opts: MutualTlsOptions,
): Promise<GrpcListener> {
  const { logger, clock } = opts;
  const check = opts.check ?? (() => undefined);
  const warnings = new LogLimiter(logger, () => clock.now());
  const refusedAs = (kind: TlsRefusalKind, message: string, fields: Record<string, unknown>): void => {
    opts.refusals?.tlsRefused(kind);
    warnings.log(kind, 'warn', message, fields);
  };
  const trusted = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const reasons = new Map<string, string>();
  const refuser = refusingServer(reasons);
  const refused = refuser.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const open = new Set<tls.TLSSocket>();
  const refuse = (socket: tls.TLSSocket, peer: string, reason: string, cert: tls.PeerCertificate, kind: TlsRefusalKind): void => {
    refusedAs(kind, `refused TLS client ${peer}: ${reason}`, { peer, reason, ...describeCertificate(cert) });
    reasons.set(peer, reason);
    const cancelLifetime = clock.setTimer(REFUSED_CONNECTION_MAX_MS, () => socket.destroy());
    socket.once('close', () => {
      cancelLifetime();
      reasons.delete(peer);
    });
    refused.injectConnection(socket);
  };
  const tlsServer = tls.createServer({
    ...secureContext(files),
    requestCert: true,
    // Verification still happens; we look at its verdict ourselves to log and answer the reason.
    rejectUnauthorized: false,
    ALPNProtocols: ['h2'],
    minVersion: 'TLSv1.2',
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  tlsServer.on('secureConnection', (socket) => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    watchEarlyReset(socket, peer, clock, refusedAs);
    if (socket.alpnProtocol !== 'h2') {
      refusedAs('no-h2', `refused TLS client ${peer}: it does not speak gRPC (no h2 ALPN)`, { peer });
      socket.destroy();
      return;
    }
    const cert = socket.getPeerCertificate();
    if (socket.authorized) {
      const revoked = check(cert);
      if (revoked) return refuse(socket, peer, revoked, cert, 'revoked');
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      trusted.injectConnection(socket);
      return;
    }
    refuse(socket, peer, certificateRefusal(String(socket.authorizationError ?? ''), cert), cert, 'certificate');
  });
  tlsServer.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'a client';
    // Port probes (health checks, scanners) land here too: counted and logged like any refusal,
    // rate-limited so that a scan does not drown the log.
    refusedAs(handshakeFailureKind(err), `TLS handshake with ${peer} failed: ${handshakeFailure(err)}`, { peer, code: err.code });
    // node reports a handshake timeout but leaves the socket open: a client that never says a
    // word would hold its descriptor for good.
    socket.destroy();
  });
  // TCP is accepted here and handed to the TLS server a few connections per turn (handshake-pacer.ts)
  const pacer = new HandshakePacer((socket) => tlsServer.emit('connection', socket));
  const tcpServer = net.createServer((socket) => pacer.admit(socket));
  const { host, port } = splitAddress(address);
  await new Promise<void>((resolve, reject) => {
    tcpServer.once('error', reject);
    tcpServer.listen(port, host, () => {
      tcpServer.off('error', reject);
      resolve();
    });
  });
  tcpServer.on('error', (err) => logger.error(`TLS listener error: ${err.message}`));
  return {
    port: (tcpServer.address() as { port: number }).port,
    reload: (next) => tlsServer.setSecureContext(secureContext(next)),
    recheck: () => {
      const closed: string[] = [];
      for (const socket of [...open]) {
        const reason = check(socket.getPeerCertificate());
        if (!reason) continue;
        const peer = `${socket.remoteAddress}:${socket.remotePort}`;
        logger.warn(`closing the connection of TLS client ${peer}: ${reason}`, { peer, reason });
        open.delete(socket);
        socket.destroy();
        closed.push(reason);
      }
      return closed;
    },
    close: () => {
      tcpServer.close();
      pacer.stop();
      trusted.destroy();
      refused.destroy();
      refuser.forceShutdown();
    },
  };
}

/** A client that resets the connection right after the handshake: warn (rate-limited) and count it. */
function watchEarlyReset(
  socket: tls.TLSSocket,
  peer: string,
  clock: Clock,
  refusedAs: (kind: TlsRefusalKind, message: string, fields: Record<string, unknown>) => void,
): void {
  const since = clock.now();
  let seen = false;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    const afterMs = clock.now() - since;
    if (seen || err.code !== 'ECONNRESET' || afterMs > RESET_AFTER_HANDSHAKE_MS) return;
    seen = true;
    refusedAs('reset', `TLS client ${peer} reset the connection ${afterMs}ms after the handshake`, { peer, code: err.code });
  });
}
