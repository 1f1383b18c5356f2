/** A resolved AgentConfig for unit tests, with the default plan and short timeouts. */
import path from 'node:path';
import type { AgentConfig, StepConfig } from '../../../../agent/types.js';
import { DEFAULT_PLAN } from '../../../../shared/wire.js';

const BUILTIN = new Set(['release-notes', 'checkout', 'health', 'rollback-checkout']);

export interface TestConfigOptions {
  repo: string;
  stateDir: string;
  serverDir?: string;
  /** Commands by step name; steps not named keep a harmless `true`. */
  commands?: Record<string, string | string[]>;
  timeouts?: Record<string, number>;
  disabled?: string[];
  restore?: string;
  overrides?: Partial<AgentConfig>;
}

export function testAgentConfig(opts: TestConfigOptions): AgentConfig {
  const serverDir = opts.serverDir ?? opts.repo;
  const step = (name: string, command?: string | string[]): StepConfig => ({
    name,
    command,
    timeoutMs: opts.timeouts?.[name] ?? 30_000,
    env: {},
    cwd: serverDir,
    enabled: !opts.disabled?.includes(name),
    rerunnable: true,
    builtin: command === undefined,
    expectOutput: [],
    rejectOutput: [],
    requiresBackup: name === 'restore',
  });
  const steps = DEFAULT_PLAN.map((name) => step(name, BUILTIN.has(name) ? undefined : (opts.commands?.[name] ?? 'true')));
  const restore = opts.restore === undefined ? undefined : { ...step('restore', opts.restore), rerunnable: false };
  const byName = (name: string): StepConfig[] => steps.filter((s) => s.name === name && s.enabled);
  // the agent's default rollback: back to the previous commit, rebuilt, restored, health-checked
  const rollback = [
    step('rollback-checkout'),
    ...byName('config'),
    ...byName('build'),
    ...byName('up'),
    ...(restore ? [restore] : []),
    ...byName('health'),
  ];
  return {
    file: path.join(opts.stateDir, 'agent.yaml'),
    id: 'hoss-a',
    coordinator: {
      address: '127.0.0.1:7400',
      insecure: true,
      heartbeatIntervalMs: 5000,
      backoff: { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 },
    },
    labels: {},
    repo: opts.repo,
    serverDir,
    stateDir: opts.stateDir,
    trackedBranch: 'main',
    fetch: true,
    releaseNotes: { changelog: 'CHANGELOG.md', markers: ['ACTION REQUIRED', 'Required changes'] },
    backup: { archiveGlob: 'backups/*.tar.gz', compatibility: 'same-major-minor', keepPerMinor: 3 },
    profile: '',
    steps,
    rollback,
    extraSteps: [],
    restore,
    drift: { files: [] },
    ...opts.overrides,
  };
}
