/**
 * The repository an update moves: clean (the checkout refuses a dirty tree), fetchable (the
 * agent fetches tags before each inspection), and with targets to move to (version tags, or
 * the tracked branch). Read with the agent's own git module and target rules.
 */
import { GitRepo } from '../exec/git.js';
import { fetchIfEnabled } from '../plan/target.js';
import type { AgentConfig } from '../types.js';
import { messageOf } from '../../shared/errors.js';
import { sortVersionsDesc } from '../../shared/versions.js';
import { fail, ok, warn, type Finding } from './verdict.js';

export async function checkRepository(config: AgentConfig): Promise<Finding[]> {
  const git = new GitRepo(config.repo);
  let state;
  try {
    state = await git.state(config.trackedBranch);
  } catch (err) {
    return [
      fail(
        'repository',
        `cannot read ${config.repo}: ${messageOf(err)}`,
        `check that ${config.repo} is a git work tree readable by this user`,
      ),
    ];
  }
  const at = `${state.installedVersion || 'no version'} (${state.commit.slice(0, 12) || 'no commit'})`;
  const clean = state.clean
    ? ok('repository', `${config.repo} is clean at ${at}`)
    : fail(
        'repository',
        `${config.repo} is not clean at ${at}: ${state.dirtyDetail}`,
        `commit, stash or remove the changes (git -C ${config.repo} status): the checkout step refuses a dirty work tree`,
      );
  return [clean, await checkFetch(git, config), await checkTargets(git, config)];
}

async function checkFetch(git: GitRepo, config: AgentConfig): Promise<Finding> {
  if (!config.fetch)
    return warn(
      'fetch',
      'fetch: false in agent.yaml: new tags must reach the repository some other way',
      'set fetch: true, or push tags to this work tree yourself',
    );
  if (!(await git.hasRemote().catch(() => false)))
    return warn(
      'fetch',
      `${config.repo} has no remote: fetching is a no-op`,
      'add the remote the releases come from (git remote add origin <url>)',
    );
  const failed = await fetchIfEnabled(git, config);
  return failed
    ? fail(
        'fetch',
        failed,
        `make "git -C ${config.repo} fetch --tags" work as the user running convoy-agent (network, credentials, known_hosts)`,
      )
    : ok('fetch', `git fetch --tags from the remote of ${config.repo} works`);
}

async function checkTargets(git: GitRepo, config: AgentConfig): Promise<Finding> {
  const tags = sortVersionsDesc(await git.listTags().catch(() => []));
  if (config.trackedBranch) {
    const has = await git.branchExists(config.trackedBranch).catch(() => false);
    return has
      ? ok('tags', `tracked branch ${config.trackedBranch} exists${tags.length ? `; newest version tag ${tags[0]}` : ''}`)
      : fail(
          'tags',
          `trackedBranch ${config.trackedBranch} is not a local branch of ${config.repo}`,
          `git -C ${config.repo} checkout -b ${config.trackedBranch} origin/${config.trackedBranch}, or fix trackedBranch`,
        );
  }
  return tags.length
    ? ok('tags', `${tags.length} version tag${tags.length === 1 ? '' : 's'}, newest ${tags[0]}`)
    : fail(
        'tags',
        `${config.repo} has no version tags: an update moves to a tag`,
        `fetch the release tags (git -C ${config.repo} fetch --tags), or set trackedBranch`,
      );
}
