/**
 * The one loopback rule (plaintext gRPC is allowed only there, and a TLS client accepts
 * DNS:localhost only for it). Decided on parsed addresses, never on text patterns: a regex
 * such as /^127\.\d+\.\d+\.\d+$/ accepts "127.0.0.999", which is no IP address at all, so
 * grpc-js resolves it as a host name through DNS, where it can point anywhere.
 */
import net from 'node:net';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
// IPv4-mapped IPv6 (::ffff:127.0.0.1) is the same loopback host.
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * True for "localhost", an IPv4 address in 127.0.0.0/8 and the IPv6 address ::1 (brackets
 * allowed: "[::1]"). Anything that does not parse as an IP address, other than "localhost", is
 * not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const family = net.isIP(bare);
  if (family === 4) return LOOPBACK.check(bare, 'ipv4');
  if (family === 6) return LOOPBACK.check(bare, 'ipv6');
  return false;
}

/** The host of "host:port" ("[::1]:7400" -> "[::1]"); the whole text when there is no port. */
export function hostOfAddress(address: string): string {
  const idx = address.lastIndexOf(':');
  if (idx < 0 || address.endsWith(']')) return address;
  const host = address.slice(0, idx);
  // a bare IPv6 address without brackets or port ("::1") has colons but no port
  return net.isIP(address) === 6 ? address : host;
}

/** True when "host:port" names a loopback host (see isLoopbackHost). */
export function isLoopbackAddress(address: string): boolean {
  return isLoopbackHost(hostOfAddress(address));
}
