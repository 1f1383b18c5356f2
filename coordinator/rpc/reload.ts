/**
 * SIGHUP: re-read coordinator.yaml and apply, without a restart, what access depends on:
 * the operator list, the deny lists of revoked agents and certificates, and the TLS certificate, key and CA
 * (rotation). The whole file is validated first; a file with any problem changes nothing,
 * the running configuration stays and the problems are logged. Other keys need a restart,
 * and the log says so.
 */
import { ConfigError, messageOf } from '../../shared/errors.js';
import { shortFingerprint } from '../../shared/cert-identity.js';
import type { Logger } from '../../shared/logger.js';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config.js';
import type { AccessPolicy } from './access.js';
import type { GrpcListener } from './listener.js';

export interface ReloadDeps {
  /** The running configuration: operators, denyAgents and denyCertificates are replaced in place (the controller reads them). */
  config: CoordinatorConfig;
  access: AccessPolicy;
  listener?: GrpcListener;
  logger: Logger;
  /** Loads the file (a test passes its own). */
  load?: (file: string) => CoordinatorConfig;
}

/** Top-level keys whose change is ignored until a restart (tls is re-read only by a TLS listener). */
function keysNeedingRestart(before: CoordinatorConfig, after: CoordinatorConfig, tlsReloaded: boolean): string[] {
  const reloaded = new Set(['file', 'operators', 'denyAgents', 'denyCertificates', ...(tlsReloaded ? ['tls'] : [])]);
  const differs = (k: string): boolean =>
    JSON.stringify(before[k as keyof CoordinatorConfig]) !== JSON.stringify(after[k as keyof CoordinatorConfig]);
  return Object.keys(after).filter((k) => !reloaded.has(k) && differs(k));
}

/** Applies coordinator.yaml again; returns false (and changes nothing) when it is invalid. */
export function reloadAccessConfig(deps: ReloadDeps): boolean {
  const { config, access, listener, logger } = deps;
  let next: CoordinatorConfig;
  try {
    next = (deps.load ?? loadCoordinatorConfig)(config.file);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [messageOf(err)];
    logger.error(`SIGHUP: ${config.file} is invalid; keeping the running configuration: ${problems.join('; ')}`, { problems });
    return false;
  }
  if (next.tls && listener) {
    try {
      listener.reload(next.tls);
    } catch (err) {
      logger.error(`SIGHUP: cannot load the TLS files; keeping the running configuration: ${messageOf(err)}`);
      return false;
    }
  }
  const ignored = keysNeedingRestart(config, next, Boolean(next.tls && listener));
  const revokedCertificates = access.newlyDeniedCertificates(next);
  const revoked = access.update(next);
  config.operators = next.operators;
  config.denyAgents = next.denyAgents;
  config.denyCertificates = next.denyCertificates;
  if (next.tls && listener) config.tls = next.tls;
  logger.info(
    `SIGHUP: reloaded ${config.file}: ${next.operators.length} operator(s), denyAgents [${next.denyAgents.join(', ')}]` +
      (revoked.length ? `; newly revoked: ${revoked.join(', ')}` : '') +
      (next.denyCertificates?.length ? `; denyCertificates: ${next.denyCertificates.length}` : '') +
      (revokedCertificates.length ? `; newly revoked certificates: ${revokedCertificates.map(shortFingerprint).join(', ')}` : '') +
      (next.tls && listener ? '; TLS certificate, key and CA re-read' : ''),
    {
      operators: next.operators.map((o) => `${o.name}:${o.role}`),
      denyAgents: next.denyAgents,
      denyCertificates: next.denyCertificates ?? [],
      revoked,
      revokedCertificates,
    },
  );
  if (ignored.length)
    logger.warn(`SIGHUP: changes to ${ignored.join(', ')} take effect only after a restart of convoyd`, { keys: ignored });
  // Now close the streams of agents revoked just now (their reconnection is refused at once),
  // and every connection presenting a certificate denied just now.
  access.publish();
  listener?.recheck?.();
  return true;
}

/** Runs `fn` on every SIGHUP until the returned function is called. */
export function onSighup(fn: () => void): () => void {
  process.on('SIGHUP', fn);
  return () => void process.off('SIGHUP', fn);
}
