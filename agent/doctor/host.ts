/**
 * What the host must offer an update: a health check that answers with the version (one probe,
 * the agent's own), room and permission to write backups and the agent's state, and a
 * coordinator it can reach.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { addressHost } from '../config.js';
import { findArchives, splitArchiveGlob } from '../plan/archive-glob.js';
import { BackupCatalogue } from '../plan/catalogue.js';
import { checkLabel, probeHealth } from '../plan/health.js';
import type { AgentConfig } from '../types.js';
import { systemClock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import { sameVersion } from '../../shared/versions.js';
import { fail, ok, warn, type Finding } from './verdict.js';

const MIB = 1024 * 1024;
/** Without an archive to compare with, less free space than this is worth a warning. */
const LOW_SPACE_BYTES = 100 * MIB;
const CONNECT_TIMEOUT_MS = 3000;

const mib = (n: number): string => `${(n / MIB).toFixed(n < 10 * MIB ? 1 : 0)} MiB`;

export async function checkHealth(config: AgentConfig, installedVersion: string): Promise<Finding> {
  const h = config.health;
  if (!h)
    return warn(
      'health endpoint',
      'no health: section: the health step checks nothing',
      `add health: { url: …, versionField: version } to ${config.file}`,
    );
  const state = await probeHealth(h, systemClock);
  const label = checkLabel(h);
  if (!state.healthy)
    return fail(
      'health endpoint',
      `${label}: ${state.detail}`,
      'start the service (or fix health: in agent.yaml): a rollout starts only on a healthy host',
    );
  if (!h.versionField)
    return warn(
      'health endpoint',
      `${label} answers (${state.detail}), but health.versionField is not set`,
      'set health.versionField: the health step can then require the new version, not only an answer',
    );
  if (installedVersion && !sameVersion(state.version, installedVersion))
    return warn(
      'health endpoint',
      `${label} reports version ${state.version}, but ${installedVersion} is checked out`,
      'restart the service at the checked-out version (make up), or check which version runs',
    );
  return ok('health endpoint', `${label} answers with version ${state.version}`);
}

/** Writes and removes a probe file: the only sure test of "writable" (a read-only mount, a full disk, ACLs). */
function writeProblem(dir: string): string | undefined {
  const probe = path.join(dir, `.convoy-doctor-${process.pid}`);
  try {
    fs.writeFileSync(probe, 'convoy-agent doctor\n', { mode: 0o600 });
    fs.rmSync(probe);
    return undefined;
  } catch (err) {
    fs.rmSync(probe, { force: true });
    return messageOf(err);
  }
}

function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
}

export async function checkBackupDirectory(config: AgentConfig): Promise<Finding> {
  const { dir } = splitArchiveGlob(config.serverDir, config.backup.archiveGlob);
  const item = 'backup directory';
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (st && !st.isDirectory())
    return fail(
      item,
      `${dir} (backup.archiveGlob ${config.backup.archiveGlob}) is not a directory`,
      `move it aside and create the directory (mkdir -p ${dir}), or fix backup.archiveGlob`,
    );
  if (!st)
    return warn(
      item,
      `${dir} (backup.archiveGlob ${config.backup.archiveGlob}) does not exist yet`,
      `create it (mkdir -p ${dir}), unless the backup command does`,
    );
  const denied = writeProblem(dir);
  if (denied)
    return fail(item, `cannot write in ${dir}: ${denied}`, `let the user running the backup command write there (chown/chmod ${dir})`);
  const free = freeBytes(dir);
  const newest =
    newestArchiveBytes(config) ??
    (await findArchives(config.serverDir, config.backup.archiveGlob)).reduce((m, a) => Math.max(m, a.sizeBytes), 0);
  if (newest > 0 && free < newest)
    return fail(
      item,
      `${dir}: ${mib(free)} free, less than the newest archive (${mib(newest)})`,
      `free space there, or lower backup.keep.perMinor: the next backup does not fit`,
    );
  if (newest > 0 && free < 2 * newest)
    return warn(
      item,
      `${dir}: ${mib(free)} free; an update writes two archives of about ${mib(newest)}`,
      'free space there before the next rollout',
    );
  if (newest === 0 && free < LOW_SPACE_BYTES)
    return warn(item, `${dir}: only ${mib(free)} free`, 'free space there before the first backup');
  return ok(item, `${dir} is writable, ${mib(free)} free${newest ? ` (newest archive ${mib(newest)})` : ''}`);
}

/** The newest catalogued archive's size, when the catalogue can be read. */
function newestArchiveBytes(config: AgentConfig): number | undefined {
  try {
    return new BackupCatalogue({ stateDir: config.stateDir, clock: systemClock }).list()[0]?.sizeBytes;
  } catch {
    return undefined;
  }
}

export function checkStateDirectory(config: AgentConfig): Finding {
  const item = 'state directory';
  const denied = writeProblem(config.stateDir);
  if (denied)
    return fail(
      item,
      `cannot write in ${config.stateDir}: ${denied}`,
      `make ${config.stateDir} writable by the user running convoy-agent (mode 0700)`,
    );
  const free = freeBytes(config.stateDir);
  if (free < 10 * MIB)
    return warn(item, `${config.stateDir}: only ${mib(free)} free`, 'free space there: the journal is written before and after every step');
  return ok(item, `${config.stateDir} is writable, ${mib(free)} free`);
}

/** A TCP connection to coordinator.address (TLS itself is judged by the certificate checks). */
export async function checkCoordinator(config: AgentConfig): Promise<Finding> {
  const address = config.coordinator.address;
  const host = addressHost(address).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (why?: string): void => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(`no answer within ${CONNECT_TIMEOUT_MS / 1000}s`));
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
  return problem
    ? warn(
        'coordinator',
        `cannot connect to ${address}: ${problem}`,
        'start convoyd there, or open the firewall; the agent keeps retrying meanwhile',
      )
    : ok('coordinator', `${address} accepts connections`);
}
