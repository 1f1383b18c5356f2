/**
 * Least authority, on the agent's side: a request names a step of this agent's own plan
 * and a version that exists in this agent's repository, or it is refused before anything
 * runs. Every value checked here may come from the network.
 */
import type { GitRepo } from '../exec/git.js';
import type { AgentConfig } from '../types.js';
import { isRestorable, printable, versionSyntaxProblem } from '../../shared/versions.js';
import type { StepRequest } from '../../shared/wire.js';
import type { BackupCatalogue } from './catalogue.js';
import { restoreCommitProblem } from './checkout.js';
import type { RestorePoints } from './restore-points.js';
import { findHalfDoneMove } from './half-done-move.js';
import type { WorktreeMoves } from './worktree-moves.js';
import { describedBase } from './release-notes.js';
import { rolloutIdProblem } from './step-log.js';
import { findStep, ROLLBACK_CHECKOUT, stepProblem } from './steps.js';
import { dirtyTreeMessage, fetchIfEnabled, targetProblem } from './target.js';

/** What validation reads. */
export interface ValidateContext {
  config: AgentConfig;
  git: GitRepo;
  catalogue: BackupCatalogue;
  restorePoints: RestorePoints;
  moves: WorktreeMoves;
}

/** Steps that move the work tree: git would refuse or carry local edits along. */
const NEEDS_CLEAN_TREE: ReadonlySet<string> = new Set(['checkout', ROLLBACK_CHECKOUT]);
const ROLLBACK_ONLY: ReadonlySet<string> = new Set([ROLLBACK_CHECKOUT]);
/** Longer delays make setTimeout fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
/** Request ids as the coordinator makes them (r-3.hoss-a.build.1, plan-2.hoss-a); they are echoed back and journalled. */
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,300}$/;

/** Why a request id from the network is not one to answer, or undefined. */
export function requestIdProblem(id: unknown): string | undefined {
  if (typeof id === 'string' && REQUEST_ID_RE.test(id)) return undefined;
  return `request id "${printable(String(id))}" is not valid (1 to 300 letters, digits, '.', '_', ':' or '-')`;
}

/** The refusal reason, or undefined when the request may run. */
export async function validateRequest(ctx: ValidateContext, request: StepRequest): Promise<string | undefined> {
  const shape = requestProblem(ctx.config, request);
  if (shape) return shape;
  if (request.step === ROLLBACK_CHECKOUT) {
    const problem = await restoreCommitProblem(ctx.git, ctx.config.repo, request.restoreCommit);
    if (problem) return problem;
    if (!ctx.restorePoints.has(request.restoreCommit)) {
      return `restore commit ${request.restoreCommit} refused: this agent's checkout never left that commit (a rollback only returns to where an update started)`;
    }
    return dirtyProblem(ctx);
  }
  if (findStep(ctx.config, request.step)?.requiresBackup) return backupArchiveProblem(ctx, request.step, request.backupId);
  const target = await existingTargetProblem(ctx, request.targetVersion);
  if (target) return target;
  return NEEDS_CLEAN_TREE.has(request.step) ? dirtyProblem(ctx) : undefined;
}

/** Checks that need no repository: agent id, rollout id, step name, version syntax. */
export function requestProblem(config: AgentConfig, request: StepRequest): string | undefined {
  if (request.agentId !== config.id) return `request for agent ${printable(request.agentId)} refused: this is agent ${config.id}`;
  if (request.rolloutId !== '') {
    const rollout = rolloutIdProblem(request.rolloutId);
    if (rollout) return rollout;
  }
  const step = stepProblem(config, request.step);
  if (step) return step;
  const optionalTarget =
    (ROLLBACK_ONLY.has(request.step) || findStep(config, request.step)?.requiresBackup === true) && request.targetVersion === '';
  const target = optionalTarget ? undefined : versionSyntaxProblem(request.targetVersion);
  if (target) return `target version refused: ${target}`;
  const from = request.fromVersion === '' ? undefined : versionSyntaxProblem(request.fromVersion);
  if (from) return `from version refused: ${from}`;
  const attempt = Number(request.attempt ?? 0);
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > 1000)
    return `attempt ${printable(String(request.attempt))} is not a number from 0 to 1000`;
  if (String(request.backupId ?? '').length > 200) return 'backup id is longer than 200 characters';
  const deadline = Number(request.healthDeadlineMs ?? 0);
  if (!Number.isInteger(deadline) || deadline < 0 || deadline > MAX_TIMER_MS)
    return `health deadline ${printable(String(request.healthDeadlineMs))} is not a number of milliseconds`;
  return undefined;
}

/** The coordinator's health deadline for this request, or undefined to use the agent's own. */
export function requestedHealthDeadline(request: StepRequest): number | undefined {
  const ms = Number(request.healthDeadlineMs ?? 0);
  return Number.isInteger(ms) && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** The target must be a tag or the tracked branch; fetch once before giving up on it. */
async function existingTargetProblem(ctx: ValidateContext, version: string): Promise<string | undefined> {
  const local = await targetProblem(ctx.git, ctx.config, version);
  if (!local || !ctx.config.fetch) return local;
  const fetchFailed = await fetchIfEnabled(ctx.git, ctx.config);
  const fetched = await targetProblem(ctx.git, ctx.config, version);
  return fetched && fetchFailed ? `${fetched} (${fetchFailed})` : fetched;
}

/** A dirty tree is refused, unless its dirt is only Convoy's own half-done move, which the step undoes first. */
async function dirtyProblem(ctx: ValidateContext): Promise<string | undefined> {
  const state = await ctx.git.state(ctx.config.trackedBranch);
  if (state.clean || (await findHalfDoneMove(ctx.git, ctx.moves.list()))) return undefined;
  return dirtyTreeMessage(ctx.config.repo, state.dirtyDetail);
}

/** A restore (or a reset before it) needs an archive from this agent's own catalogue that fits the installed version. */
async function backupArchiveProblem(ctx: ValidateContext, step: string, backupId: string): Promise<string | undefined> {
  if (backupId === '') return `${step} needs a backup id (see: convoy backups ${ctx.config.id})`;
  const record = ctx.catalogue.find(backupId);
  if (!record)
    return `backup "${printable(backupId)}" is not in the catalogue of agent ${ctx.config.id} (see: convoy backups ${ctx.config.id})`;
  const installed = (await ctx.git.state(ctx.config.trackedBranch)).installedVersion;
  const rule = ctx.config.backup.compatibility;
  if (!isRestorable(record.version, describedBase(installed), rule)) {
    return `backup ${record.id} was taken at ${record.version} and cannot be restored into ${installed} (backup.compatibility: ${rule}); roll back the checkout first`;
  }
  return undefined;
}
