/**
 * Why convoyd could not bind a port, said with the key that names it. grpc-js reports a busy
 * port as "No address added out of total 1 resolved errors: [listen EADDRINUSE …]", and Node's
 * http server as "listen EADDRINUSE …": neither says which of convoyd's two ports it was.
 */
import path from 'node:path';
import { messageOf } from '../shared/errors.js';

/** The keys of coordinator.yaml that bind a port, as the operator knows them. */
export type ListenKey = 'listen' | 'http';

const WHAT: Record<ListenKey, string> = {
  listen: 'listen (the gRPC port of agents and the CLI)',
  http: 'http (the metrics port)',
};

/** The errno behind a bind failure, from its code or from the text grpc-js wraps it in. */
function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN)\b/.exec(messageOf(err))?.[1];
}

/** One sentence: which port, why it failed, and what to change (naming the file). */
export function describeListenFailure(key: ListenKey, address: string, configFile: string, err: unknown): string {
  const at = `${WHAT[key]} ${address}`;
  const edit = `set ${key}: in ${configFile}`;
  switch (errnoOf(err)) {
    case 'EADDRINUSE':
      return `${at} is in use by another process${key === 'listen' ? ' (another convoyd?)' : ''}; stop it, or ${edit} to a free port`;
    case 'EACCES':
      return `${at} cannot be bound by this user (ports below 1024 need privileges); ${edit} to a port from 1024 up`;
    case 'EADDRNOTAVAIL':
      return `${at} is not an address of this machine; ${edit} to one of its addresses (or 0.0.0.0 for all of them)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${at}: the host name does not resolve on this machine; ${edit} to an IP address of this machine`;
    default:
      return `${at} cannot be bound: ${messageOf(err)} (${path.basename(configFile)}, key ${key})`;
  }
}
