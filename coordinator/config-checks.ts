/**
 * Rules of coordinator.yaml that span keys: each value is in range on its own (config-bounds.ts),
 * but together they would break convoyd at start or in its first minute.
 */
import path from 'node:path';
import { parseAddress } from '../shared/address.js';
import { writeDuration } from '../shared/durations.js';
import { HEARTBEAT_TIMEOUT_FACTOR } from './config-bounds.js';

/** The keys these rules read, resolved (durations in ms). */
export interface TimingInput {
  listen: string;
  http?: string;
  heartbeatTimeout: number;
  heartbeatInterval: number;
}

/** Operator sentences for keys that contradict each other; [] when they agree. */
export function checkTimings(file: string, c: TimingInput): string[] {
  const name = path.basename(file);
  const problems: string[] = [];
  const least = HEARTBEAT_TIMEOUT_FACTOR * c.heartbeatInterval;
  if (c.heartbeatTimeout < least) {
    const interval = writeDuration(c.heartbeatInterval);
    problems.push(
      `${name}: heartbeatTimeout "${writeDuration(c.heartbeatTimeout)}" is shorter than ${HEARTBEAT_TIMEOUT_FACTOR} × heartbeatInterval (${interval}, the interval agents are asked to heartbeat at): ` +
        `agents would be marked disconnected between two heartbeats and reconnect forever; set heartbeatTimeout to at least ${writeDuration(least)} or heartbeatInterval to at most ${writeDuration(Math.floor(c.heartbeatTimeout / HEARTBEAT_TIMEOUT_FACTOR))}`,
    );
  }
  if (c.http && sharePort(c.listen, c.http)) {
    problems.push(
      `${name}: http "${c.http}" and listen "${c.listen}" use the same port; give http (the metrics port) a port of its own, e.g. 127.0.0.1:9464`,
    );
  }
  return problems;
}

/** Addresses that every interface (0.0.0.0, ::) overlaps with. */
const ANY = new Set(['0.0.0.0', '::', '']);

/** True when binding both would collide: the same port on the same host, or on every interface. */
function sharePort(a: string, b: string): boolean {
  const x = parseAddress(a);
  const y = parseAddress(b);
  if (!x || !y || x.port !== y.port) return false;
  return x.host === y.host || ANY.has(x.host) || ANY.has(y.host);
}
