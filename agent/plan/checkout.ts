/**
 * The built-in checkout steps: move the work tree to the target (a tag, or the tracked
 * branch fast-forwarded), or back to the commit recorded before the update (rollback).
 *
 * Both refuse a dirty work tree (git would carry local edits along, or refuse half-way),
 * except for Convoy's own half-done move, which they undo first (half-done-move.ts). Before
 * git touches the tree, the move is recorded (worktree-moves.json) and, for the checkout, the
 * commit it leaves becomes a restore point: a re-run, however the last attempt ended, reports
 * the commit the rollout started from, never the target it may already have reached.
 */
import { isFullSha, type GitRepo, type GitRun } from '../exec/git.js';
import type { AgentConfig } from '../types.js';
import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import { printable } from '../../shared/versions.js';
import { cleanOwnHalfDoneMove } from './half-done-move.js';
import type { RestorePoints } from './restore-points.js';
import { ROLLBACK_CHECKOUT } from './steps.js';
import { fetchIfEnabled, firstLine, targetProblem } from './target.js';
import { moveBelongsTo, type WorktreeMove, type WorktreeMoves } from './worktree-moves.js';

/** How a checkout ended. */
export interface CheckoutResult {
  ok: boolean;
  reason: string;
  /** HEAD before the rollout's first move ('' when it could not be read). */
  previousCommit: string;
}

/** What both checkout steps use. */
export interface MoveOptions {
  git: GitRepo;
  moves: WorktreeMoves;
  clock: Clock;
  rolloutId: string;
  /** The step's signal, output and process-group hooks: every git that changes the tree runs under them. */
  run: GitRun & { signal: AbortSignal; onOutput: (lines: string[]) => void };
}

export interface CheckoutOptions extends MoveOptions {
  config: Pick<AgentConfig, 'repo' | 'fetch' | 'trackedBranch'>;
  restorePoints: RestorePoints;
  target: string;
}

/** Checks out the target tag, or fast-forwards the tracked branch. */
export async function runCheckout(opts: CheckoutOptions): Promise<CheckoutResult> {
  const { git, config, target } = opts;
  let previousCommit = '';
  try {
    const before = await git.state(config.trackedBranch);
    previousCommit = startingCommit(opts, 'checkout', target, before.commit);
    const dirt = before.clean ? undefined : await cleanOwnHalfDoneMove(moveCleanup(opts, config.repo), before.dirtyDetail);
    if (dirt) return { ok: false, reason: dirt, previousCommit };
    const fetchProblem = await fetchIfEnabled(git, config, opts.run);
    if (fetchProblem && target === config.trackedBranch) return { ok: false, reason: fetchProblem, previousCommit };
    if (fetchProblem) opts.run.onOutput([`${fetchProblem}; using the tags already known locally`]);
    const problem = await targetProblem(git, config, target);
    if (problem) return { ok: false, reason: problem, previousCommit };
    const isTag = await git.tagExists(target);
    const to = await targetCommit(git, target, isTag);
    // the commit left behind becomes the one place a rollback may return to, before anything moves
    await opts.restorePoints.add(previousCommit);
    await moveRecorded(opts, { step: 'checkout', target, from: previousCommit, to }, async () => {
      if (isTag) await git.checkoutTag(target, opts.run);
      else await git.fastForward(target, opts.run);
    });
    return { ok: true, reason: await describeMove(git, target, previousCommit, opts.run.onOutput), previousCommit };
  } catch (err) {
    return { ok: false, reason: `checkout of ${target} failed: ${firstLine(messageOf(err))}`, previousCommit };
  }
}

export interface RollbackCheckoutOptions extends MoveOptions {
  repo: string;
  /** The commit recorded as previousCommit by the checkout being undone. */
  restoreCommit: string;
}

/** Detaches HEAD at the commit that was checked out before the update. */
export async function runRollbackCheckout(opts: RollbackCheckoutOptions): Promise<CheckoutResult> {
  const { git, restoreCommit } = opts;
  let previousCommit = '';
  try {
    const problem = await restoreCommitProblem(git, opts.repo, restoreCommit);
    if (problem) return { ok: false, reason: problem, previousCommit };
    const before = await git.state();
    previousCommit = startingCommit(opts, ROLLBACK_CHECKOUT, restoreCommit, before.commit);
    const dirt = before.clean ? undefined : await cleanOwnHalfDoneMove(moveCleanup(opts, opts.repo), before.dirtyDetail);
    if (dirt) return { ok: false, reason: dirt, previousCommit };
    await moveRecorded(opts, { step: ROLLBACK_CHECKOUT, target: restoreCommit, from: previousCommit, to: restoreCommit }, () =>
      git.checkoutCommit(restoreCommit, opts.run),
    );
    const label = restoreCommit.slice(0, 12);
    return { ok: true, reason: await describeMove(git, label, previousCommit, opts.run.onOutput), previousCommit };
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

/**
 * The commit this step's rollout started from: the recorded move's when it is this request's
 * own (the same rollout, or an unfinished move to the same target), HEAD otherwise.
 */
function startingCommit(opts: MoveOptions, step: string, target: string, head: string): string {
  const recorded = opts.moves.get(step);
  return moveBelongsTo(recorded, opts.rolloutId, target) ? recorded.from : head;
}

function moveCleanup(opts: MoveOptions, repo: string): Parameters<typeof cleanOwnHalfDoneMove>[0] {
  return { git: opts.git, repo, moves: opts.moves, run: opts.run, onOutput: opts.run.onOutput };
}

/** The commit a tag points to, or the one the tracked branch fast-forwards to (its upstream, else itself). */
async function targetCommit(git: GitRepo, target: string, isTag: boolean): Promise<string> {
  const ref = isTag ? `refs/tags/${target}` : ((await git.upstreamOf(target)) ?? `refs/heads/${target}`);
  const sha = await git.commitOf(ref);
  if (!sha) throw new Error(`${ref} does not point to a commit`);
  return sha;
}

/**
 * Records the move before `move` touches the tree (a record that cannot be written stops the
 * step there), and as done after it. A done mark that cannot be written is only said: the
 * record still names this rollout and its starting commit.
 */
async function moveRecorded(
  opts: MoveOptions,
  move: Pick<WorktreeMove, 'step' | 'target' | 'from' | 'to'>,
  perform: () => Promise<void>,
): Promise<void> {
  const record: WorktreeMove = { ...move, rolloutId: opts.rolloutId, state: 'moving', atMs: opts.clock.now() };
  await opts.moves.record(record);
  await perform();
  try {
    await opts.moves.record({ ...record, state: 'done', atMs: opts.clock.now() });
  } catch (err) {
    opts.run.onOutput([`${messageOf(err)} (the move itself is done; a re-run still knows where it started)`]);
  }
}

async function describeMove(git: GitRepo, label: string, previousCommit: string, onOutput: (lines: string[]) => void): Promise<string> {
  const now = await git.headCommit();
  const line = `HEAD is now at ${now.slice(0, 12)} (${label}), was ${previousCommit.slice(0, 12)}`;
  onOutput([line]);
  return line;
}
