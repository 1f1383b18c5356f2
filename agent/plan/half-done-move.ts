/**
 * Convoy's own half-done checkout. git checkout writes the work tree file by file, then the
 * index, then HEAD; killed on the way it leaves HEAD at the old commit and a tree whose
 * changed files are each at the target's content or missing (git removes a file before it
 * writes the new one). When the dirt of the tree is exactly that — for a move recorded in
 * worktree-moves.json — it is Convoy's, and is undone before the step moves the tree again.
 * Anything else is the operator's and is refused, as always.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DirtyPath, GitRepo, GitRun } from '../exec/git.js';
import { dirtyTreeMessage } from './target.js';
import type { WorktreeMove, WorktreeMoves } from './worktree-moves.js';

/** Paths named in the line that says what is undone. */
const PATHS_SHOWN = 5;

/** A recorded move whose half-done state the tree is in. */
export interface HalfDoneMove {
  move: WorktreeMove;
  dirty: DirtyPath[];
}

/**
 * The unfinished recorded move that explains every change of the tree: HEAD still at its
 * `from`, each changed path one the move changes, each such file present only at the target's
 * content. Undefined when the tree is clean or its dirt is anything else.
 */
export async function findHalfDoneMove(git: GitRepo, moves: WorktreeMove[]): Promise<HalfDoneMove | undefined> {
  const unfinished = moves.filter((m) => m.state === 'moving');
  if (unfinished.length === 0) return undefined;
  const dirty = await git.dirtyPaths();
  if (dirty.length === 0) return undefined;
  const head = await git.headCommit();
  for (const move of unfinished) {
    if (move.from === head && (await explainsAll(git, move, dirty))) return { move, dirty };
  }
  return undefined;
}

async function explainsAll(git: GitRepo, move: WorktreeMove, dirty: DirtyPath[]): Promise<boolean> {
  const changed = new Set(await git.pathsChangedBetween(move.from, move.to));
  if (!dirty.every((d) => changed.has(d.path))) return false;
  const paths = dirty.map((d) => d.path);
  const present = paths.filter((p) => exists(path.join(git.dir, p)));
  const targetBlobs = await git.blobsAt(move.to, present);
  // a file the target does not have, still present, was not put there by this move
  if (present.some((p) => !targetBlobs.has(p))) return false;
  const hashes = await git.hashWorkTreeFiles(present);
  return present.every((p, i) => hashes[i] === targetBlobs.get(p));
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Puts the tree back at HEAD: the files the move already added (untracked, at the target's
 * content) are removed, then the tracked ones are reset. Throws when the tree is still not clean.
 */
export async function undoHalfDoneMove(git: GitRepo, found: HalfDoneMove, run: GitRun): Promise<void> {
  for (const d of found.dirty) if (d.status === '??') fs.rmSync(path.join(git.dir, d.path), { force: true });
  await git.resetHard(run);
  const left = await git.dirtyPaths();
  if (left.length > 0) throw new Error(`the work tree is still not clean after undoing the half-done checkout: ${describe(left)}`);
}

/** What a step that moves the tree needs to clean up after itself. */
export interface OwnDirtOptions {
  git: GitRepo;
  repo: string;
  moves: WorktreeMoves;
  run: GitRun;
  onOutput(lines: string[]): void;
}

/**
 * For a dirty tree: undoes Convoy's own half-done move and returns undefined, or returns the
 * refusal for dirt that is not Convoy's (the operator's local changes are never touched).
 */
export async function cleanOwnHalfDoneMove(opts: OwnDirtOptions, dirtyDetail: string): Promise<string | undefined> {
  const found = await findHalfDoneMove(opts.git, opts.moves.list());
  if (!found) return dirtyTreeMessage(opts.repo, dirtyDetail);
  const { move } = found;
  opts.onOutput([
    `work tree ${opts.repo} holds Convoy's own half-done ${move.step} to ${move.target} (rollout ${move.rolloutId || '-'}, from ${move.from.slice(0, 12)}): ` +
      `${describe(found.dirty)}; undoing it before moving the tree again`,
  ]);
  await undoHalfDoneMove(opts.git, found, opts.run);
  return undefined;
}

function describe(dirty: DirtyPath[]): string {
  const shown = dirty.slice(0, PATHS_SHOWN).map((d) => `${d.status.trim()} ${d.path}`);
  const more = dirty.length - shown.length;
  return `${dirty.length} changed path(s): ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
