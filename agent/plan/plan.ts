/**
 * The agent's plan: the named steps this host runs, checked against its own config and
 * repository before anything runs. The daemon owns the lifecycle (journal, link); this
 * object owns what a step does.
 */
import { forgetVanished, pruneBackups, type PruneDeps, type PruneOutcome } from '../backups/prune.js';
import { GitRepo } from '../exec/git.js';
import type { AgentConfig, Plan as PlanContract, StepHooks } from '../types.js';
import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { versionSyntaxProblem } from '../../shared/versions.js';
import type { BackupRecord, Drift, HealthState, InspectResult, RepoState, StepRequest, StepResult } from '../../shared/wire.js';
import { BackupCatalogue } from './catalogue.js';
import { findHalfDoneMove } from './half-done-move.js';
import { RestorePoints } from './restore-points.js';
import { WorktreeMoves } from './worktree-moves.js';
import { probeHealth } from './health.js';
import { collectDrift, driftConfigured } from './drift.js';
import { collectReleaseNotesOnce, newReleaseNotesMemo, targetRef } from './release-notes.js';
import { runStep } from './run-step.js';
import type { StepDeps } from './step-report.js';
import { planSteps, rollbackSteps, runnableSteps } from './steps.js';
import { fetchIfEnabled, targetProblem } from './target.js';
import { validateRequest } from './validate.js';

export interface PlanOptions {
  config: AgentConfig;
  /** Timestamps, health polling and built-in step timeouts. Child processes always run on real time. */
  clock: Clock;
  logger: Logger;
}

/** The Plan of one agent: its steps, its repository and its backup catalogue. */
export class Plan implements PlanContract {
  private readonly deps: StepDeps;

  /** Loads the backup catalogue; throws a ConvoyError when it is unreadable. */
  constructor(opts: PlanOptions) {
    this.deps = {
      config: opts.config,
      clock: opts.clock,
      logger: opts.logger,
      git: new GitRepo(opts.config.repo),
      catalogue: new BackupCatalogue({ stateDir: opts.config.stateDir, clock: opts.clock }),
      restorePoints: new RestorePoints(opts.config.stateDir),
      moves: new WorktreeMoves(opts.config.stateDir),
      notes: newReleaseNotesMemo(),
    };
  }

  stepNames(): string[] {
    return planSteps(this.deps.config).map((s) => s.name);
  }

  rollbackStepNames(): string[] {
    return rollbackSteps(this.deps.config).map((s) => s.name);
  }

  backupStepNames(): string[] {
    return runnableSteps(this.deps.config)
      .filter((s) => s.requiresBackup)
      .map((s) => s.name);
  }

  rerunnableSteps(): string[] {
    return runnableSteps(this.deps.config)
      .filter((s) => s.rerunnable)
      .map((s) => s.name);
  }

  async validate(request: StepRequest): Promise<string | undefined> {
    try {
      return await validateRequest(this.deps, request);
    } catch (err) {
      return `cannot check the request against ${this.deps.config.repo}: ${messageOf(err)}`;
    }
  }

  run(request: StepRequest, hooks: StepHooks): Promise<StepResult> {
    return runStep(this.deps, request, hooks);
  }

  /** Fetch, check the target, then report repo, health and release notes. Never throws. */
  async inspect(requestId: string, targetVersion: string, opts: { includeDiff?: boolean } = {}): Promise<InspectResult> {
    const result: InspectResult = {
      requestId,
      targetVersion,
      targetExists: false,
      error: '',
      plan: this.stepNames(),
      repo: null,
      health: null,
      releaseNotes: null,
      drift: null,
    };
    result.error = await this.targetError(targetVersion);
    result.targetExists = result.error === '';
    result.repo = await this.repoState().catch((err: unknown) => {
      result.error ||= `cannot read ${this.deps.config.repo}: ${messageOf(err)}`;
      return null;
    });
    result.health = await this.probeHealth();
    if (result.targetExists && result.repo) {
      try {
        result.releaseNotes = await this.releaseNotes(result.repo.installedVersion, targetVersion);
      } catch (err) {
        // Never let missing notes pass for "no required changes".
        result.error = `cannot read the release notes up to ${targetVersion}: ${messageOf(err)}`;
      }
      result.drift = await this.drift(result.repo.commit, targetVersion, opts.includeDiff === true);
    }
    return result;
  }

  private async drift(fromCommit: string, toVersion: string, includeDiff: boolean): Promise<Drift | null> {
    const { config, git } = this.deps;
    if (!driftConfigured(config.drift)) return null;
    const toRef = await targetRef(git, toVersion).catch(() => undefined);
    if (!toRef) return null;
    return collectDrift({ git, config: config.drift, fromCommit, toRef, toVersion, includeDiff });
  }

  /**
   * The repository as the coordinator should judge it: a tree whose only changes are Convoy's
   * own half-done checkout counts as clean (the next checkout undoes it), said in dirtyDetail,
   * so a new rollout's preflight does not stop at what the agent itself left.
   */
  async repoState(): Promise<RepoState> {
    const state = await this.deps.git.state(this.deps.config.trackedBranch);
    if (state.clean) return state;
    const half = await findHalfDoneMove(this.deps.git, this.deps.moves.list()).catch(() => undefined);
    if (!half) return state;
    const { step, target } = half.move;
    return {
      ...state,
      clean: true,
      dirtyDetail: `Convoy's own half-done ${step} to ${target} (${half.dirty.length} path(s)), undone by the next checkout`,
    };
  }

  probeHealth(): Promise<HealthState> {
    return probeHealth(this.deps.config.health, this.deps.clock);
  }

  backups(): BackupRecord[] {
    return this.deps.catalogue.list();
  }

  /** backup.keep after a backup step of `rolloutId` (agent/backups/prune.ts). */
  pruneBackups(rolloutId: string): Promise<PruneOutcome> {
    return pruneBackups(this.pruneDeps(), rolloutId);
  }

  /** Drops catalogue records whose archive is no longer on disk (at start). */
  async forgetVanishedBackups(): Promise<number> {
    return (await forgetVanished(this.pruneDeps())).length;
  }

  private pruneDeps(): PruneDeps {
    const { config, catalogue, logger, git, moves } = this.deps;
    return {
      config,
      catalogue,
      logger,
      installedVersion: async () => (await git.state(config.trackedBranch)).installedVersion,
      movedBy: () => moves.list().map((m) => m.rolloutId),
    };
  }

  private async targetError(version: string): Promise<string> {
    const syntax = versionSyntaxProblem(version);
    if (syntax) return syntax;
    try {
      const fetchFailed = await fetchIfEnabled(this.deps.git, this.deps.config);
      if (fetchFailed) this.deps.logger.warn(fetchFailed, { targetVersion: version });
      const problem = await targetProblem(this.deps.git, this.deps.config, version);
      return problem && fetchFailed ? `${problem} (${fetchFailed})` : (problem ?? '');
    } catch (err) {
      return `cannot check ${version} in ${this.deps.config.repo}: ${messageOf(err)}`;
    }
  }

  private releaseNotes(from: string, to: string): ReturnType<typeof collectReleaseNotesOnce> {
    const { config, git } = this.deps;
    return collectReleaseNotesOnce(this.deps.notes, {
      git,
      repoDir: config.repo,
      changelog: config.releaseNotes.changelog,
      markers: config.releaseNotes.markers,
      fromVersion: from,
      toVersion: to,
    });
  }
}
