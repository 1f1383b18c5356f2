/**
 * TLS for the two clients of convoyd (the agent's link and the CLI): credentials and the
 * channel options that make an IP address work as a target.
 *
 * TLS sends the target's name in SNI, and an IP address is not allowed there (node warns
 * DEP0123 on every start). For an IP target we send "localhost" as SNI (convoyd ignores it)
 * and check the certificate against the address actually dialed: its IP subjectAltName,
 * or DNS:localhost when the address is a loopback one.
 */
import net from 'node:net';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { isLoopbackHost } from './loopback.js';

/** PEM contents; without `ca` the system's roots verify convoyd. */
export interface ClientTlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** "127.0.0.1" of "127.0.0.1:7400", "::1" of "[::1]:7400". */
export function hostOf(address: string): string {
  const idx = address.lastIndexOf(':');
  const host = idx < 0 ? address : address.slice(0, idx);
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** Checks convoyd's certificate against the IP that was dialed. */
export function checkServerIp(ip: string, cert: tls.PeerCertificate): Error | undefined {
  const byIp = tls.checkServerIdentity(ip, cert);
  if (!byIp || !isLoopbackHost(ip)) return byIp;
  return tls.checkServerIdentity('localhost', cert) ? byIp : undefined;
}

/** Credentials and channel options for a TLS connection to `address`. */
export function tlsChannel(
  address: string,
  material: ClientTlsMaterial,
): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const host = hostOf(address);
  if (!net.isIP(host)) {
    return { credentials: grpc.credentials.createSsl(material.ca ?? null, material.key ?? null, material.cert ?? null), options: {} };
  }
  const credentials = grpc.credentials.createSsl(material.ca ?? null, material.key ?? null, material.cert ?? null, {
    checkServerIdentity: (_name, cert) => checkServerIp(host, cert),
  });
  return { credentials, options: { 'grpc.ssl_target_name_override': 'localhost' } };
}
