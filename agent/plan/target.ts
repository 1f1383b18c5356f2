/** Whether a requested version can be installed here: an existing tag, or the tracked branch. */
import type { GitRepo, GitRun } from '../exec/git.js';
import type { AgentConfig } from '../types.js';
import { messageOf } from '../../shared/errors.js';
import { versionSyntaxProblem } from '../../shared/versions.js';

/** Tags named in a "does not exist" message. */
const KNOWN_TAGS_SHOWN = 5;

/** Why `version` cannot be a target in this repository, or undefined when it can. */
export async function targetProblem(
  git: GitRepo,
  config: Pick<AgentConfig, 'repo' | 'trackedBranch'>,
  version: string,
): Promise<string | undefined> {
  const syntax = versionSyntaxProblem(version);
  if (syntax) return syntax;
  if (await git.tagExists(version)) return undefined;
  if (config.trackedBranch && version === config.trackedBranch) {
    if (await git.branchExists(version)) return undefined;
    return `version ${version} is the tracked branch, but ${config.repo} has no local branch ${version}`;
  }
  const tags = await git.listTags();
  const shown = tags.slice(0, KNOWN_TAGS_SHOWN).join(', ');
  const known = tags.length === 0 ? 'the repository has no tags' : `known: ${shown}${tags.length > KNOWN_TAGS_SHOWN ? ', …' : ''}`;
  return `version ${version} does not exist in ${config.repo}: no such tag (${known})`;
}

/** Fetches when the config asks for it and a remote exists; returns the failure, if any. */
export async function fetchIfEnabled(git: GitRepo, config: Pick<AgentConfig, 'fetch'>, run?: GitRun): Promise<string | undefined> {
  if (!config.fetch) return undefined;
  try {
    await git.fetchTags(run);
    return undefined;
  } catch (err) {
    return `git fetch failed: ${firstLine(messageOf(err))}`;
  }
}

/** The refusal for a work tree with local changes. */
export function dirtyTreeMessage(repo: string, dirtyDetail: string): string {
  return `work tree ${repo} is not clean: ${dirtyDetail} — commit, stash or remove the changes, then retry`;
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}
