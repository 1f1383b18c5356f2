/**
 * A server repository as an agent finds it: cloned from an "origin" with release tags
 * 0.1.0 (annotated), 0.2.0 (annotated; its changelog declares required changes) and
 * 0.3.0 (lightweight), checked out at 0.1.0, with `make` run in its server/ directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Plan } from '../../../../agent/plan/plan.js';
import type { AgentConfig, StepHooks } from '../../../../agent/types.js';
import { FakeClock } from '../../../../shared/clock.js';
import { silentLogger } from '../../../../shared/logger.js';
import type { StepRequest } from '../../../../shared/wire.js';
import { testAgentConfig, type TestConfigOptions } from './agent-config.js';
import { makeTempDir, TempRepo } from './temp-repo.js';

const MAKEFILE = ['config:', '\t@echo "config for $(CONVOY_TARGET_VERSION)"', 'build:', '\t@echo building; exit 2', ''].join('\n');

const CHANGELOG_010 = '# Changelog\n\n## 0.1.0\n\n- First release.\n';
const CHANGELOG_020 = '# Changelog\n\n## 0.2.0\n\n### Required changes\n\n- set `AUTH_URL` in config.env\n\n## 0.1.0\n\n- First release.\n';
const CHANGELOG_030 = CHANGELOG_020.replace('# Changelog\n', '# Changelog\n\n## 0.3.0\n\n- Faster uploads.\n');

export interface SampleRepo {
  tmp: string;
  origin: TempRepo;
  repo: TempRepo;
  stateDir: string;
  serverDir: string;
  commits: Record<'0.1.0' | '0.2.0' | '0.3.0', string>;
  /** A config for this repository; options override the defaults. */
  config(opts?: Partial<TestConfigOptions>): AgentConfig;
  /** A Plan on this repository with a fake clock. */
  plan(opts?: Partial<TestConfigOptions>): Plan;
  remove(): void;
}

export function createSampleRepo(): SampleRepo {
  const tmp = makeTempDir('plan');
  const origin = TempRepo.init(tmp.dir, 'origin');
  const c1 = origin.commit('release 0.1.0', {
    'CHANGELOG.md': CHANGELOG_010,
    'server/Makefile': MAKEFILE,
    '.gitignore': 'server/backups/\n',
  });
  origin.tag('0.1.0', 'Release 0.1.0');
  const c2 = origin.commit('release 0.2.0', { 'CHANGELOG.md': CHANGELOG_020 });
  origin.tag('0.2.0', 'Release 0.2.0\n\nSee the changelog.');
  const c3 = origin.commit('release 0.3.0', { 'CHANGELOG.md': CHANGELOG_030 });
  origin.tag('0.3.0');
  const repo = TempRepo.clone(origin, tmp.dir, 'hoss');
  repo.git('checkout', '--quiet', '--detach', '0.1.0');
  const stateDir = path.join(tmp.dir, 'state');
  fs.mkdirSync(stateDir);
  const serverDir = path.join(repo.dir, 'server');
  const config = (opts: Partial<TestConfigOptions> = {}): AgentConfig =>
    testAgentConfig({ repo: repo.dir, serverDir, stateDir, commands: { config: 'make config', build: 'make build' }, ...opts });
  return {
    tmp: tmp.dir,
    origin,
    repo,
    stateDir,
    serverDir,
    commits: { '0.1.0': c1, '0.2.0': c2, '0.3.0': c3 },
    config,
    plan: (opts) => new Plan({ config: config(opts), clock: new FakeClock(), logger: silentLogger() }),
    remove: () => tmp.remove(),
  };
}

/** A request as the coordinator would send it to agent hoss-a. */
export function stepRequest(step: string, targetVersion: string, extra: Partial<StepRequest> = {}): StepRequest {
  return {
    requestId: `req-${step}`,
    rolloutId: 'r-1',
    agentId: 'hoss-a',
    step,
    targetVersion,
    fromVersion: '0.1.0',
    backupId: '',
    restoreCommit: '',
    attempt: 1,
    healthDeadlineMs: 0,
    ...extra,
  };
}

/** Hooks that collect what a step reports. */
export function recordingHooks(signal = new AbortController().signal): StepHooks & { lines: string[]; pgids: number[] } {
  const lines: string[] = [];
  const pgids: number[] = [];
  return { signal, lines, pgids, onOutput: (l) => lines.push(...l), onProcessGroup: (p) => pgids.push(p) };
}
