/**
 * `profile: hoss`: the defaults of a Hoss server, from Hoss's own documentation (HOSS.md).
 * The profile is a document of ordinary agent.yaml keys that the operator's own keys
 * override key by key; `convoy-agent --config agent.yaml --show-config` prints it expanded.
 *
 * What it reads on the host: `<home>/.env` (BACKUP_ROOT, SERVICES, EXTERNAL_HOSTNAME,
 * NAS_ROOT). While a restore has removed that file, the values recorded at the last start
 * are used (see ProfileFacts), so an agent restarted mid-rollback still knows them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues, homeProblem, resolvePath } from '../../shared/config-file.js';
import { readEnvFile } from '../../shared/env-file.js';

/** The `hoss:` section of agent.yaml. */
export const hossSettingsSchema = z.strictObject({
  /** Hoss's configuration directory (HOSS_CONFIG_DIR in its Makefile). */
  home: z.string().min(1).default('~/.hoss'),
  /** Where hossadm is installed: usually a Python virtualenv, not on a service's PATH. */
  hossadm: z.string().min(1).default('hossadm'),
  /** The server's external URL (hossadm --endpoint, health checks); default EXTERNAL_HOSTNAME from .env. */
  endpoint: z.url({ protocol: /^https?$/, error: 'is not a URL (expected http:// or https://)' }).optional(),
  /** Whether this host runs the shared auth service; default: SERVICES in .env contains auth. */
  authService: z.boolean().optional(),
});

/** What the profile read from the host, recorded so a restart during a restore still has it. */
export interface ProfileFacts {
  backupRoot: string;
  services: string[];
  endpoint: string;
  nasRoot: string;
}

export interface ProfileInput {
  file: string;
  doc: Record<string, unknown>;
  /** Facts recorded at the last start (used when .env is absent). */
  recorded?: ProfileFacts;
  add(problem: string): void;
}

/** The documented restore resets these (kept: data/nas, the object data, and $BACKUP_ROOT/backups). */
export function hossResetPaths(home: string, backupRoot: string): string[] {
  return [
    path.join(home, '.env'),
    path.join(home, 'data', 'db'),
    path.join(home, 'data', 'opensearch'),
    path.join(backupRoot, '.db'),
    path.join(backupRoot, '.opensearch'),
  ];
}

/** The profile's defaults as agent.yaml keys, and the facts they came from. */
export function hossDefaults(input: ProfileInput): { defaults: Record<string, unknown>; facts?: ProfileFacts } {
  const parsed = hossSettingsSchema.safeParse(input.doc.hoss ?? {});
  if (!parsed.success) {
    for (const p of describeIssues(input.file, { hoss: input.doc.hoss }, prefixed(parsed.error.issues)))
      input.add(p.replace(/^[^:]+: /, ''));
    return { defaults: {} };
  }
  const settings = parsed.data;
  const home = homeDir(input, settings.home);
  const env = readEnvFile(path.join(home, '.env'));
  const facts = factsFrom(env, home, settings.endpoint, input.recorded);
  const hossadm = findHossadm(input, settings.hossadm);
  const authService = settings.authService ?? facts.services.includes('auth');
  checkObjectDataKept(input, home, facts);
  const repo = typeof input.doc.repo === 'string' ? resolvePath(input.file, input.doc.repo) : undefined;
  return { defaults: defaultsDoc({ home, facts, hossadm, authService, repo }), facts };
}

function prefixed(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((i) => ({ ...i, path: ['hoss', ...i.path] }));
}

function homeDir(input: ProfileInput, written: string): string {
  const problem = homeProblem(written);
  if (problem) input.add(`hoss.home "${written}" ${problem}`);
  return resolvePath(input.file, written);
}

function factsFrom(
  env: Map<string, string> | undefined,
  home: string,
  endpoint: string | undefined,
  recorded?: ProfileFacts,
): ProfileFacts {
  if (!env && recorded) return { ...recorded, endpoint: endpoint ?? recorded.endpoint };
  const abs = (p: string | undefined, fallback: string): string => (p ? resolvePath(path.join(home, '.env'), p) : fallback);
  return {
    backupRoot: abs(env?.get('BACKUP_ROOT'), path.join(home, 'backup')),
    services: (env?.get('SERVICES') ?? '').split(/\s+/).filter(Boolean),
    endpoint: endpoint ?? (env?.get('EXTERNAL_HOSTNAME') || 'http://localhost'),
    nasRoot: abs(env?.get('NAS_ROOT'), path.join(home, 'data', 'nas')),
  };
}

/** hossadm as a path (checked) or a name looked up on PATH now, so a missing tool is found at start, not mid-rollout. */
function findHossadm(input: ProfileInput, written: string): string {
  const fix = 'hossadm is usually installed in a Python virtualenv: set hoss.hossadm to its path, e.g. /opt/hoss/venv/bin/hossadm';
  if (written.includes('/') || written.startsWith('~')) {
    const problem = homeProblem(written);
    if (problem) {
      input.add(`hoss.hossadm "${written}" ${problem}`);
      return written;
    }
    const abs = resolvePath(input.file, written);
    if (!isExecutable(abs)) input.add(`hoss.hossadm "${written}" is not an executable file (${fix})`);
    return abs;
  }
  const found = (process.env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((dir) => path.join(dir, written))
    .find(isExecutable);
  if (!found) input.add(`hoss.hossadm "${written}" is not on PATH (${fix})`);
  return found ?? written;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The reset must never reach the object data, wherever NAS_ROOT points. */
function checkObjectDataKept(input: ProfileInput, home: string, facts: ProfileFacts): void {
  for (const p of hossResetPaths(home, facts.backupRoot)) {
    const rel = path.relative(p, facts.nasRoot);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      input.add(
        `profile hoss: NAS_ROOT ${facts.nasRoot} lies inside ${p}, which a restore resets; the object data would be deleted. Move NAS_ROOT out of it, or define your own steps.reset`,
      );
    }
  }
}

interface DefaultsInput {
  home: string;
  facts: ProfileFacts;
  hossadm: string;
  authService: boolean;
  repo?: string;
}

function defaultsDoc({ home, facts, hossadm, authService, repo }: DefaultsInput): Record<string, unknown> {
  const { backupRoot, endpoint } = facts;
  const reset = hossResetPaths(home, backupRoot);
  const base = endpoint.replace(/\/+$/, '');
  const withSync = facts.services.includes('sync');
  return {
    ...(repo ? { serverDir: path.join(repo, 'server') } : {}),
    health: {
      url: `${base}/core/v1/discover`,
      versionField: 'version',
      alsoUrls: authService ? [`${base}/auth/v1/ping`] : [],
      deadline: '5m',
    },
    backup: { archiveGlob: path.join(backupRoot, 'backups', '*.tar.gz') },
    steps: {
      backup: {
        command: [hossadm, 'backup', '--endpoint', endpoint],
        expectOutput: ['Backup Complete'],
        rejectOutput: ['Backup cancelled'],
        cleanup: ['rm', '-rf', '--', path.join(backupRoot, '.current')],
        rerunnable: true,
      },
      down: { command: 'make down', rerunnable: true },
      reset: { command: ['rm', '-rf', '--', ...reset], requiresBackup: true, rerunnable: true },
      restore: {
        command: 'exec "$HOSSADM" restore --endpoint "$HOSS_ENDPOINT" "$CONVOY_BACKUP_ARCHIVE"',
        env: { HOSSADM: hossadm, HOSS_ENDPOINT: endpoint },
        alongside: 'up',
        alongsideAfter: 'Please start the server',
        expectOutput: ['Restore Complete'],
        rejectOutput: ['An existing installation is detected', 'is not compatible with the backup version', 'Failed to prepare filesystem'],
        requiresBackup: true,
        rerunnable: true,
        // an interrupted restore left a half-restored install: stop it (it runs only if its .env
        // was restored) and reset again first
        cleanup: ['sh', '-c', 'if [ -e "$1" ]; then make down || exit 1; fi; exec rm -rf -- "$@"', 'hoss-reset', ...reset],
        timeout: '30m',
      },
      ...(withSync ? { 'restart-sync': { command: 'make restart SERVICE_NAME=sync', rerunnable: true } } : {}),
      'restart-core': { command: 'make restart SERVICE_NAME=core', rerunnable: true },
    },
    procedures: {
      rollback: ['rollback-checkout', 'build', 'down', 'reset', 'restore', ...(withSync ? ['restart-sync'] : []), 'restart-core', 'health'],
    },
    drift: {
      files: ['server/**/*.tmpl', 'server/**/docker-compose*.yaml', 'server/**/docker-compose*.yml'],
      envFile: path.join(home, '.env'),
      envKeysFrom: { file: 'server/Makefile', target: 'env' },
    },
  };
}
