/**
 * The built-in checkout steps: move the work tree to the target (a tag, or the tracked
 * branch fast-forwarded), or back to the commit recorded before the update (rollback).
 * Both refuse a dirty work tree: git would carry local edits along, or refuse half-way.
 */
import { isFullSha, type GitRepo } from '../exec/git.js';
import type { AgentConfig } from '../types.js';
import { messageOf } from '../../shared/errors.js';
import { printable } from '../../shared/versions.js';
import { dirtyTreeMessage, fetchIfEnabled, firstLine, targetProblem } from './target.js';

/** How a checkout ended. */
export interface CheckoutResult {
  ok: boolean;
  reason: string;
  /** HEAD before the step ('' when it could not be read). */
  previousCommit: string;
}

export interface CheckoutOptions {
  git: GitRepo;
  config: Pick<AgentConfig, 'repo' | 'fetch' | 'trackedBranch'>;
  target: string;
  signal: AbortSignal;
  onOutput(lines: string[]): void;
}

/** Checks out the target tag, or fast-forwards the tracked branch. */
export async function runCheckout(opts: CheckoutOptions): Promise<CheckoutResult> {
  const { git, config, target } = opts;
  let previousCommit = '';
  try {
    const before = await git.state(config.trackedBranch);
    previousCommit = before.commit;
    if (!before.clean) return { ok: false, reason: dirtyTreeMessage(config.repo, before.dirtyDetail), previousCommit };
    const fetchProblem = await fetchIfEnabled(git, config, opts.signal);
    if (fetchProblem && target === config.trackedBranch) return { ok: false, reason: fetchProblem, previousCommit };
    if (fetchProblem) opts.onOutput([`${fetchProblem}; using the tags already known locally`]);
    const problem = await targetProblem(git, config, target);
    if (problem) return { ok: false, reason: problem, previousCommit };
    if (await git.tagExists(target)) await git.checkoutTag(target, opts.signal);
    else await git.fastForward(target, opts.signal);
    return { ok: true, reason: await describeMove(git, target, previousCommit, (lines) => opts.onOutput(lines)), previousCommit };
  } catch (err) {
    return { ok: false, reason: `checkout of ${target} failed: ${firstLine(messageOf(err))}`, previousCommit };
  }
}

export interface RollbackCheckoutOptions {
  git: GitRepo;
  repo: string;
  /** The commit recorded as previousCommit by the checkout being undone. */
  restoreCommit: string;
  signal: AbortSignal;
  onOutput(lines: string[]): void;
}

/** Detaches HEAD at the commit that was checked out before the update. */
export async function runRollbackCheckout(opts: RollbackCheckoutOptions): Promise<CheckoutResult> {
  const { git, restoreCommit } = opts;
  let previousCommit = '';
  try {
    const problem = await restoreCommitProblem(git, opts.repo, restoreCommit);
    if (problem) return { ok: false, reason: problem, previousCommit };
    const before = await git.state();
    previousCommit = before.commit;
    if (!before.clean) return { ok: false, reason: dirtyTreeMessage(opts.repo, before.dirtyDetail), previousCommit };
    await git.checkoutCommit(restoreCommit, opts.signal);
    return {
      ok: true,
      reason: await describeMove(git, restoreCommit.slice(0, 12), previousCommit, (lines) => opts.onOutput(lines)),
      previousCommit,
    };
  } catch (err) {
    return { ok: false, reason: `rollback checkout of ${restoreCommit.slice(0, 12)} failed: ${firstLine(messageOf(err))}`, previousCommit };
  }
}

/** Why `sha` cannot be restored: not a full commit id, or not in this repository. */
export async function restoreCommitProblem(git: GitRepo, repo: string, sha: string): Promise<string | undefined> {
  if (!isFullSha(sha)) return `restore commit "${printable(sha)}" is not a full commit id (40 hex digits)`;
  if (!(await git.commitExists(sha))) return `restore commit ${sha} does not exist in ${repo}`;
  return undefined;
}

async function describeMove(git: GitRepo, label: string, previousCommit: string, onOutput: (lines: string[]) => void): Promise<string> {
  const now = await git.headCommit();
  const line = `HEAD is now at ${now.slice(0, 12)} (${label}), was ${previousCommit.slice(0, 12)}`;
  onOutput([line]);
  return line;
}
