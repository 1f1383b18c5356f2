/** A CliContext for tests: captured stdout/stderr, a fixed clock and a scripted client. */
import type { ControlApi } from '../../../coordinator/cli/client.js';
import type { CliContext } from '../../../coordinator/cli/context.js';
import type { Output } from '../../../coordinator/cli/output.js';
import type { HostView, RolloutView, StepRunView } from '../../../coordinator/cli/views.js';

export interface Captured {
  ctx: CliContext;
  stdout: () => string;
  stderr: () => string[];
  /** How many clients commands asked for (0 when a usage error stopped them first). */
  connects: () => number;
}

/** A context whose client answers from `client` (any method not given throws). */
export function fakeContext(client: Partial<ControlApi> = {}, opts: { tty?: boolean; now?: number } = {}): Captured {
  let out = '';
  const err: string[] = [];
  let connects = 0;
  const output: Output = {
    isTTY: opts.tty ?? false,
    color: false,
    columns: 120,
    rows: 40,
    write: (t) => void (out += t),
    line: (t = '') => void (out += `${t}\n`),
  };
  const api = new Proxy(client, {
    get(target, prop) {
      if (prop === 'address') return '127.0.0.1:7400';
      if (prop === 'close') return () => undefined;
      const v = (target as Record<string | symbol, unknown>)[prop];
      if (v === undefined) throw new Error(`the test client has no ${String(prop)}`);
      return v;
    },
  }) as ControlApi;
  const ctx: CliContext = {
    out: output,
    err: (l) => void err.push(l),
    env: {},
    now: () => opts.now ?? Date.UTC(2025, 0, 31, 12, 0, 0),
    connect: () => {
      connects++;
      return api;
    },
    signal: new AbortController().signal,
    handlesInterrupt: false,
    exitCode: 0,
  };
  return { ctx, stdout: () => out, stderr: () => err, connects: () => connects };
}

const T0 = Date.UTC(2025, 0, 31, 11, 58, 0);

export function stepRun(step: string, outcome: string, extra: Partial<StepRunView> = {}): StepRunView {
  return {
    step,
    attempt: 1,
    outcome,
    exitCode: 0,
    reason: '',
    startedAtMs: T0,
    finishedAtMs: outcome === 'running' ? 0 : T0 + 3200,
    durationMs: outcome === 'running' ? 0 : 3200,
    outputTail: [],
    requestId: `req-${step}`,
    phase: 'members',
    agentStartedAtMs: 0,
    agentFinishedAtMs: 0,
    ...extra,
  };
}

export function hostView(agentId: string, extra: Partial<HostView> = {}): HostView {
  return {
    agentId,
    role: 'member',
    order: 2,
    state: 'pending',
    currentStep: '',
    stepStartedAtMs: 0,
    fromVersion: '0.1.0',
    reason: '',
    steps: [],
    previousCommit: '',
    preBackupId: '',
    hostStartedAtMs: 0,
    hostFinishedAtMs: 0,
    ...extra,
  };
}

/** A failed linked rollout: auth updated, hoss-a failed in build, hoss-b untouched. */
export function failedRollout(): RolloutView {
  return {
    id: 'r-7',
    cluster: 'demo',
    targetVersion: '0.2.0',
    state: 'failed',
    phase: 'members',
    reason: 'step build failed on hoss-a (exit 2)',
    failedHost: 'hoss-a',
    failedStep: 'build',
    initiator: 'alice@ops',
    createdAtMs: T0,
    updatedAtMs: T0 + 60_000,
    finishedAtMs: T0 + 62_000,
    ackRequired: false,
    ackedBy: '',
    ackedAtMs: 0,
    maxParallel: 1,
    releaseNotes: [],
    authHost: 'hoss-auth',
    resumeAtMs: 0,
    notesMissing: [],
    notesLookedIn: [],
    requiredChanges: [],
    notesError: '',
    rollbackPossible: true,
    rollbackBlocked: '',
    hosts: [
      hostView('hoss-b', { order: 3, state: 'backed-up', steps: [stepRun('backup', 'succeeded', { phase: 'backup-all' })] }),
      hostView('hoss-auth', {
        role: 'auth',
        order: 1,
        state: 'updated',
        steps: [stepRun('backup', 'succeeded', { phase: 'backup-all' }), stepRun('build', 'succeeded', { phase: 'auth' })],
      }),
      hostView('hoss-a', {
        state: 'failed',
        currentStep: 'build',
        reason: 'build failed',
        previousCommit: 'a'.repeat(40),
        steps: [
          stepRun('backup', 'succeeded', { phase: 'backup-all' }),
          stepRun('checkout', 'succeeded', { phase: 'members' }),
          stepRun('build', 'failed', { exitCode: 2, reason: 'exit code 2', outputTail: ['compiling', 'make: *** [build] Error 2'] }),
        ],
      }),
    ],
  };
}
