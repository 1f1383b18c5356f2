/**
 * Configuration drift between the installed version and the target: configuration files
 * (templates, compose files) that change on the way, with their diff on request, and keys
 * the target's env target writes that the host's env file lacks (Hoss's `make env` writes
 * ~/.hoss/.env once, so a key added by a newer version must be added by hand).
 */
import path from 'node:path';
import type { GitRepo } from '../exec/git.js';
import type { DriftConfig } from '../types.js';
import { messageOf } from '../../shared/errors.js';
import { keysWrittenByTarget, readEnvFile } from '../../shared/env-file.js';
import type { Drift } from '../../shared/wire.js';

/** The diff sent to the coordinator is cut here (a plan is read by a person). */
export const MAX_DIFF_CHARS = 64 * 1024;
const MAX_FILES = 200;

export interface DriftInput {
  git: GitRepo;
  config: DriftConfig;
  /** The installed commit (full sha). */
  fromCommit: string;
  /** The target as a qualified ref (refs/tags/0.2.13). */
  toRef: string;
  toVersion: string;
  includeDiff: boolean;
}

/** Whether the agent has anything to compute. */
export function driftConfigured(config: DriftConfig): boolean {
  return config.files.length > 0 || config.envFile !== undefined;
}

/** Never throws: a failure is reported in `error`, and nothing is claimed. */
export async function collectDrift(input: DriftInput): Promise<Drift> {
  const drift: Drift = { files: [], diffLines: [], requiredChanges: [], error: '', diffTruncated: false };
  try {
    if (input.config.files.length > 0) {
      drift.files = (await input.git.changedFiles(input.fromCommit, input.toRef, input.config.files)).slice(0, MAX_FILES);
      if (input.includeDiff && drift.files.length > 0) {
        const diff = await input.git.diff(input.fromCommit, input.toRef, input.config.files);
        drift.diffTruncated = diff.length > MAX_DIFF_CHARS;
        drift.diffLines = (drift.diffTruncated ? diff.slice(0, MAX_DIFF_CHARS) : diff).replace(/\n$/, '').split('\n');
      }
    }
    drift.requiredChanges = await missingEnvKeys(input);
  } catch (err) {
    drift.error = `cannot compute the configuration drift to ${input.toVersion}: ${messageOf(err)}`;
  }
  return drift;
}

async function missingEnvKeys(input: DriftInput): Promise<string[]> {
  const { envFile, envKeysFrom } = input.config;
  if (!envFile || !envKeysFrom) return [];
  const makefile = await input.git.showFile(input.toRef, envKeysFrom.file);
  if (makefile === undefined) return [];
  const wanted = keysWrittenByTarget(makefile, envKeysFrom.target);
  const have = readEnvFile(envFile);
  if (!have) return [];
  const where = `\`make ${envKeysFrom.target}\` of ${input.toVersion} (${envKeysFrom.file})`;
  return wanted
    .filter((k) => !have.has(k))
    .map(
      (k) =>
        `${path.basename(envFile)} (${envFile}) lacks ${k}, which ${where} writes; make ${envKeysFrom.target} does not add it to an existing file: add ${k} by hand (see the release notes for its value)`,
    );
}
