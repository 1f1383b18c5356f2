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
 */
import fs from 'node:fs';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../shared/logger.js';
import { loadServices, serverOptions } from '../../shared/proto.js';
import { ignoringService } from './decode.js';
import { certificateRefusal, describeCertificate, handshakeFailure } from './tls-reasons.js';

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
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** The refusing server reads nothing worth more than this. */
const REFUSAL_MAX_MESSAGE_BYTES = 16 * 1024;

function splitAddress(address: string): { host: string; port: number } {
  const idx = address.lastIndexOf(':');
  return { host: address.slice(0, idx).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(idx + 1)) };
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
  const server = new grpc.Server({ ...serverOptions, 'grpc.max_receive_message_length': REFUSAL_MAX_MESSAGE_BYTES });
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

/** Serves `server` over mutual TLS on `address`; certificates that fail verification are refused with the reason logged. */
/** Why a verified client certificate is nevertheless refused (revoked by fingerprint), or undefined. */
export type CertificateCheck = (cert: tls.PeerCertificate) => string | undefined;

export async function listenMutualTls(
  server: grpc.Server,
  address: string,
  files: TlsFiles,
  logger: Logger,
  check: CertificateCheck = () => undefined,
): Promise<GrpcListener> {
  const trusted = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const reasons = new Map<string, string>();
  const refuser = refusingServer(reasons);
  const refused = refuser.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const open = new Set<tls.TLSSocket>();
  const refuse = (socket: tls.TLSSocket, peer: string, reason: string, cert: tls.PeerCertificate): void => {
    logger.warn(`refused TLS client ${peer}: ${reason}`, { peer, reason, ...describeCertificate(cert) });
    reasons.set(peer, reason);
    socket.once('close', () => reasons.delete(peer));
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
    if (socket.alpnProtocol !== 'h2') {
      logger.warn(`refused TLS client ${peer}: it does not speak gRPC (no h2 ALPN)`, { peer });
      socket.destroy();
      return;
    }
    const cert = socket.getPeerCertificate();
    if (socket.authorized) {
      const revoked = check(cert);
      if (revoked) return refuse(socket, peer, revoked, cert);
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      trusted.injectConnection(socket);
      return;
    }
    refuse(socket, peer, certificateRefusal(String(socket.authorizationError ?? ''), cert), cert);
  });
  tlsServer.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'a client';
    const why = handshakeFailure(err);
    // A connection closed before saying anything is a port probe (health checks, scanners): not worth a warning.
    const level = err.code === 'ECONNRESET' ? 'debug' : 'warn';
    logger.log(level, `TLS handshake with ${peer} failed: ${why}`, { peer, code: err.code });
  });
  const { host, port } = splitAddress(address);
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(port, host, () => {
      tlsServer.off('error', reject);
      resolve();
    });
  });
  tlsServer.on('error', (err) => logger.error(`TLS listener error: ${err.message}`));
  return {
    port: (tlsServer.address() as { port: number }).port,
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
      tlsServer.close();
      trusted.destroy();
      refused.destroy();
      refuser.forceShutdown();
    },
  };
}
