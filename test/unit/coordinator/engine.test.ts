import { expect } from 'chai';
import {
  type AgentFacts,
  type AlertFacts,
  type Effect,
  type Env,
  type Transition,
  applyAction,
  applyInspectResult,
  applyRemoteNotes,
  applyStepResult,
  reconcile,
} from '../../../coordinator/rollout/engine.js';
import type { Rollout } from '../../../coordinator/rollout/model.js';
import { createRollout } from '../../../coordinator/rollout/planner.js';
import type { InspectResult, ReleaseNote, StepOutcome, StepRequest, StepResult } from '../../../shared/wire.js';

const PLAN = ['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after'];
const T0 = Date.UTC(2026, 10, 1, 2, 0, 0);

interface World {
  r: Rollout;
  now: number;
  facts: Record<string, AgentFacts>;
  effects: Effect[];
  alerts?: AlertFacts;
}

function healthy(version = '0.2.0'): AgentFacts {
  return { connected: true, healthy: true, healthVersion: version, healthDetail: '' };
}

function newWorld(
  opts: {
    hosts?: string[];
    auth?: string;
    maxParallel?: number;
    ackPreapproved?: boolean;
    allowDowngrade?: boolean;
    rerunnable?: string[];
    autoRollback?: boolean;
    windowEndsAtMs?: number;
    plan?: string[];
    rollbackPlan?: string[];
    backupSteps?: string[];
    notesSource?: string;
    requireNotes?: boolean;
  } = {},
): World {
  const hosts = opts.hosts ?? ['auth', 'm1', 'm2'];
  const r = createRollout({
    id: 'r-1',
    cluster: 'hoss',
    target: '0.2.0',
    initiator: 'alice@ops',
    now: T0,
    ackPreapproved: opts.ackPreapproved ?? false,
    maxParallel: opts.maxParallel ?? 1,
    authHost: opts.auth ?? (opts.hosts ? '' : 'auth'),
    allowDowngrade: opts.allowDowngrade ?? false,
    autoRollback: opts.autoRollback ?? false,
    healthDeadlineMs: 60_000,
    hosts: hosts.map((agentId) => ({
      agentId,
      plan: opts.plan ?? PLAN,
      rerunnable: opts.rerunnable ?? PLAN,
      stepTimeoutsMs: { build: 120_000, health: 30_000 },
      hasRestore: true,
      rollbackPlan: opts.rollbackPlan,
      backupSteps: opts.backupSteps,
    })),
    windowEndsAtMs: opts.windowEndsAtMs,
    notesSource: opts.notesSource,
    requireNotes: opts.requireNotes,
  });
  const facts: Record<string, AgentFacts> = {};
  for (const h of hosts) facts[h] = healthy('0.1.0');
  return { r, now: T0, facts, effects: [] };
}

function take(w: World, t: Transition): void {
  w.r = t.rollout;
  w.effects.push(...t.effects);
}

function env(w: World): Env {
  return {
    agent: (id) => w.facts[id],
    alerts: () => w.alerts,
    gatesOnAlerts: () => w.alerts !== undefined,
    stepGraceMs: 1000,
  };
}

function tick(w: World): void {
  w.now += 1000;
  take(w, reconcile(w.r, env(w), w.now));
}

function inspectAll(
  w: World,
  over: Partial<Record<string, Partial<InspectResult> & { installed?: string; clean?: boolean; notes?: ReleaseNote[] }>> = {},
): void {
  tick(w);
  const asks = w.effects.filter((e): e is Extract<Effect, { kind: 'inspect' }> => e.kind === 'inspect');
  w.effects = [];
  for (const a of asks) {
    const o = over[a.agentId] ?? {};
    const result: InspectResult = {
      requestId: a.requestId,
      targetVersion: '0.2.0',
      targetExists: o.targetExists ?? true,
      error: o.error ?? '',
      repo: {
        installedVersion: o.installed ?? '0.1.0',
        commit: 'a'.repeat(40),
        clean: o.clean ?? true,
        tags: ['0.2.0', '0.1.0'],
        branch: '',
        trackedBranch: '',
        dirtyDetail: o.clean === false ? 'M server/Makefile' : '',
      },
      health: o.health ?? { healthy: true, version: o.installed ?? '0.1.0', detail: '', checkedAtMs: w.now, configured: true },
      releaseNotes: {
        fromVersion: '0.1.0',
        toVersion: '0.2.0',
        notes: o.notes ?? [],
        requiresAction: (o.notes ?? []).some((n) => n.requiresAction),
        versions: ['0.2.0'],
        lookedIn: ['tag messages (0 of 1 tags annotated)', 'CHANGELOG.md at 0.2.0'],
      },
      plan: PLAN,
      drift: o.drift ?? null,
    };
    take(w, applyInspectResult(w.r, a.agentId, result, w.now));
  }
  tick(w);
}

function runSteps(w: World): StepRequest[] {
  return w.effects.filter((e): e is Extract<Effect, { kind: 'run-step' }> => e.kind === 'run-step').map((e) => e.request);
}

function finish(w: World, req: StepRequest, outcome: StepOutcome = 'SUCCEEDED', extra: Partial<StepResult> = {}): void {
  w.effects = w.effects.filter((e) => !(e.kind === 'run-step' && e.request.requestId === req.requestId));
  w.now += 500;
  const result: StepResult = {
    requestId: req.requestId,
    rolloutId: req.rolloutId,
    step: req.step,
    outcome,
    exitCode: outcome === 'SUCCEEDED' ? 0 : 2,
    reason: outcome === 'SUCCEEDED' ? '' : `${req.step} failed`,
    outputTail: [],
    startedAtMs: w.now - 400,
    finishedAtMs: w.now,
    previousCommit: req.step === 'checkout' ? 'b'.repeat(40) : '',
    backup:
      req.step === 'backup'
        ? {
            id: `bk-${req.agentId}`,
            path: '/x',
            version: '0.1.0',
            sizeBytes: 1,
            sha256: '',
            createdAtMs: w.now,
            step: 'backup',
            rolloutId: 'r-1',
          }
        : null,
    releaseNotes: null,
    repo: null,
    health: null,
    attempt: req.attempt,
    ...extra,
  };
  take(w, applyStepResult(w.r, req.agentId, result, w.now));
  if (req.step === 'health' && outcome === 'SUCCEEDED') w.facts[req.agentId] = healthy('0.2.0');
  tick(w);
}

/** Completes every dispatched step until none is pending; returns the order steps ran in. */
function runToEnd(w: World, stopAt?: (req: StepRequest) => StepOutcome | undefined): string[] {
  const order: string[] = [];
  for (let i = 0; i < 200; i++) {
    const next = runSteps(w)[0];
    if (!next) break;
    order.push(`${next.agentId}:${next.step}`);
    finish(w, next, stopAt?.(next) ?? 'SUCCEEDED');
  }
  return order;
}

describe('rollout engine', () => {
  it('inspects every member first and touches nothing before preflight passes', () => {
    const w = newWorld();
    tick(w);
    expect(w.effects.filter((e) => e.kind === 'inspect').map((e) => (e as { agentId: string }).agentId)).to.deep.equal([
      'auth',
      'm1',
      'm2',
    ]);
    expect(runSteps(w)).to.have.length(0);
    expect(w.r.state).to.equal('pending');
  });

  it('backs up all hosts in parallel before any host is updated', () => {
    const w = newWorld();
    inspectAll(w);
    expect(w.r.phase).to.equal('backup-all');
    expect(runSteps(w).map((s) => `${s.agentId}:${s.step}`)).to.deep.equal(['auth:backup', 'm1:backup', 'm2:backup']);
    expect(w.r.hosts.map((h) => h.state)).to.deep.equal(['backing-up', 'backing-up', 'backing-up']);
  });

  it('updates the auth server first, then members one at a time, and succeeds', () => {
    const w = newWorld();
    inspectAll(w);
    const order = runToEnd(w);
    const firstAuthStep = order.indexOf('auth:release-notes');
    expect(order.slice(0, 3).sort()).to.deep.equal(['auth:backup', 'm1:backup', 'm2:backup']);
    expect(order.slice(firstAuthStep, firstAuthStep + 7)).to.deep.equal(PLAN.slice(1).map((s) => `auth:${s}`));
    expect(order.slice(firstAuthStep + 7)).to.deep.equal([...PLAN.slice(1).map((s) => `m1:${s}`), ...PLAN.slice(1).map((s) => `m2:${s}`)]);
    expect(w.r.state).to.equal('succeeded');
    expect(w.r.phase).to.equal('done');
    expect(w.r.hosts.every((h) => h.state === 'updated')).to.equal(true);
    expect(w.r.hosts[0]?.previousCommit).to.equal('b'.repeat(40));
  });

  it('runs two members at once with maxParallel 2 and never more', () => {
    const w = newWorld({ hosts: ['auth', 'm1', 'm2', 'm3'], auth: 'auth', maxParallel: 2 });
    inspectAll(w);
    let maxConcurrent = 0;
    for (let i = 0; i < 200; i++) {
      const next = runSteps(w)[0];
      if (!next) break;
      const busy = w.r.hosts.filter((h) => h.role === 'member' && (h.state === 'updating' || h.state === 'waiting-healthy')).length;
      maxConcurrent = Math.max(maxConcurrent, busy);
      finish(w, next);
    }
    expect(maxConcurrent).to.equal(2);
    expect(w.r.state).to.equal('succeeded');
  });

  it('fails in the auth phase when the auth health check fails and touches no member', () => {
    const w = newWorld();
    inspectAll(w);
    const order = runToEnd(w, (req) => (req.agentId === 'auth' && req.step === 'health' ? 'FAILED' : undefined));
    expect(w.r.state).to.equal('failed');
    expect(w.r.failedHost).to.equal('auth');
    expect(w.r.failedStep).to.equal('health');
    expect(order.filter((s) => s.startsWith('m') && !s.endsWith(':backup'))).to.deep.equal([]);
    expect(w.r.hosts.filter((h) => h.role === 'member').map((h) => h.state)).to.deep.equal(['backed-up', 'backed-up']);
  });

  it('halts at a member whose build fails: later members are not touched', () => {
    const w = newWorld();
    inspectAll(w);
    const order = runToEnd(w, (req) => (req.agentId === 'm1' && req.step === 'build' ? 'FAILED' : undefined));
    expect(w.r.state).to.equal('failed');
    expect(w.r.reason).to.equal('m1: build: build failed');
    expect([w.r.failedHost, w.r.failedStep]).to.deep.equal(['m1', 'build']);
    expect(order.filter((s) => s.startsWith('m2:') && s !== 'm2:backup')).to.deep.equal([]);
    expect(w.r.hosts.map((h) => h.state)).to.deep.equal(['updated', 'failed', 'backed-up']);
    expect(order.includes('m1:up')).to.equal(false);
  });

  it('stops any backup failure before a server is touched', () => {
    const w = newWorld();
    inspectAll(w);
    const order = runToEnd(w, (req) => (req.agentId === 'm2' && req.step === 'backup' ? 'FAILED' : undefined));
    expect(w.r.state).to.equal('failed');
    expect(order.every((s) => s.endsWith(':backup'))).to.equal(true);
  });

  it('waits in awaiting-ack when release notes require changes, then continues after ack', () => {
    const w = newWorld();
    const note: ReleaseNote = {
      version: '0.2.0',
      source: 'tag',
      text: 'ACTION REQUIRED: add search.index',
      requiresAction: true,
      requiredLines: ['ACTION REQUIRED: add search.index'],
    };
    inspectAll(w, { auth: { notes: [note] } });
    expect(w.r.state).to.equal('awaiting-ack');
    expect(w.r.reason).to.contain('convoy rollout ack r-1');
    expect(runSteps(w)).to.have.length(0);
    tick(w);
    expect(runSteps(w)).to.have.length(0);
    take(w, applyAction(w.r, 'ack', 'bob@ops', w.now) as Transition);
    tick(w);
    expect(w.r.ackedBy).to.equal('bob@ops');
    expect(runSteps(w).map((s) => s.step)).to.deep.equal(['backup', 'backup', 'backup']);
  });

  it('treats --ack-release-notes as the initiator acknowledging', () => {
    const w = newWorld({ ackPreapproved: true });
    inspectAll(w, { m1: { notes: [{ version: '0.2.0', source: 'CHANGELOG.md', text: 'x', requiresAction: true, requiredLines: ['x'] }] } });
    expect(w.r.state).to.equal('running');
    expect(w.r.ackedBy).to.equal('alice@ops');
  });

  const preflightTable: { name: string; over: Parameters<typeof inspectAll>[1]; opts?: Parameters<typeof newWorld>[0]; reason: RegExp }[] =
    [
      {
        name: 'a dirty work tree',
        over: { m1: { clean: false } },
        reason: /^m1: preflight: work tree is not clean \(M server\/Makefile\)/,
      },
      { name: 'a missing target', over: { m2: { targetExists: false } }, reason: /^m2: preflight: version 0.2.0 does not exist/ },
      {
        name: 'an agent-side refusal',
        over: { auth: { error: '"1.2.0; rm -rf /" is not a version' } },
        reason: /^auth: preflight: "1.2.0; rm -rf \/" is not a version/,
      },
      { name: 'a downgrade', over: { m1: { installed: '0.3.0' } }, reason: /downgrade from 0.3.0 \(set allowDowngrade: true/ },
    ];
  for (const row of preflightTable) {
    it(`fails preflight on ${row.name} and dispatches no step`, () => {
      const w = newWorld(row.opts);
      inspectAll(w, row.over);
      expect(w.r.state).to.equal('failed');
      expect(w.r.reason).to.match(row.reason);
      expect(runSteps(w)).to.have.length(0);
    });
  }

  it('allows a downgrade when the cluster allows it', () => {
    const w = newWorld({ allowDowngrade: true });
    inspectAll(w, { m1: { installed: '0.3.0' } });
    expect(w.r.state).to.equal('running');
  });

  it('skips hosts already at the target and succeeds at once when all are', () => {
    const w = newWorld();
    inspectAll(w, { auth: { installed: '0.2.0' }, m1: { installed: '0.2.0' }, m2: { installed: '0.2.0' } });
    expect(w.r.state).to.equal('succeeded');
    expect(w.r.hosts.map((h) => h.state)).to.deep.equal(['skipped', 'skipped', 'skipped']);
  });

  it('updates again, not skips, a host whose tree is at the target while it still serves the old version', () => {
    const w = newWorld({ hosts: ['solo'] });
    const health = { healthy: true, version: '0.1.0', detail: '', checkedAtMs: w.now, configured: true };
    inspectAll(w, { solo: { installed: '0.2.0', health } });
    expect(w.r.state).to.equal('running');
    expect(w.r.hosts[0]?.state).to.equal('backing-up');
    expect(w.effects).to.deep.include({
      kind: 'event',
      event: { kind: 'preflight', message: 'solo: its work tree is at 0.2.0 but it serves 0.1.0; it is updated again', agentId: 'solo' },
    });
  });

  for (const served of ['', '0.2.0', 'v0.2.0']) {
    it(`skips a host at the target whose health check reports ${served ? `"${served}"` : 'no version'}`, () => {
      const w = newWorld({ hosts: ['solo'] });
      const health = { healthy: true, version: served, detail: '', checkedAtMs: w.now, configured: true };
      inspectAll(w, { solo: { installed: '0.2.0', health } });
      expect(w.r.state).to.equal('succeeded');
      expect(w.r.hosts[0]?.state).to.equal('skipped');
    });
  }

  it('waits for an unhealthy auth server with the reason shown, pauses after the deadline, and resumes when asked', () => {
    const w = newWorld();
    inspectAll(w);
    for (let i = 0; i < 100 && runSteps(w)[0]?.step !== 'backup-after'; i++) finish(w, runSteps(w)[0] as StepRequest);
    // the auth server turns unhealthy while its post-update backup runs
    w.facts.auth = { connected: true, healthy: false, healthVersion: '', healthDetail: 'status 503' };
    finish(w, runSteps(w)[0] as StepRequest);
    expect(w.r.hosts[0]?.state).to.equal('updated');
    expect(w.r.state).to.equal('running');
    expect(w.r.reason).to.match(
      /^waiting for the auth server: auth server auth is not healthy \(status 503\); no member starts until it is back \(pauses at /,
    );
    expect(runSteps(w)).to.have.length(0);
    for (let i = 0; i < 61; i++) tick(w); // past the deadline (60s, the healthDeadline of this rollout)
    expect(w.r.state).to.equal('paused');
    expect(w.r.reason).to.match(/^auth server auth is not healthy \(status 503\) for 1m00s; no member was started/);
    w.facts.auth = healthy('0.2.0');
    take(w, applyAction(w.r, 'resume', 'bob', w.now) as Transition);
    tick(w);
    expect(runSteps(w).map((s) => `${s.agentId}:${s.step}`)).to.deep.equal(['m1:release-notes']);
  });

  it('starts the members by itself when the auth server comes back within the wait (a restarted coordinator)', () => {
    const w = newWorld();
    inspectAll(w);
    for (let i = 0; i < 100 && runSteps(w)[0]?.step !== 'backup-after'; i++) finish(w, runSteps(w)[0] as StepRequest);
    w.facts.auth = { connected: false, healthy: true, healthVersion: '0.2.0', healthDetail: '', disconnectedAtMs: w.now };
    finish(w, runSteps(w)[0] as StepRequest);
    for (let i = 0; i < 10; i++) tick(w);
    expect([w.r.state, runSteps(w).length]).to.deep.equal(['running', 0]);
    w.facts.auth = healthy('0.2.0');
    tick(w);
    expect(w.r.state).to.equal('running');
    expect(runSteps(w).map((s) => `${s.agentId}:${s.step}`)).to.deep.equal(['m1:release-notes']);
  });

  it('pause --now lets the step in flight finish and starts nothing until resume', () => {
    const w = newWorld({ hosts: ['solo'] });
    inspectAll(w);
    finish(w, runSteps(w)[0] as StepRequest); // backup
    const inFlight = runSteps(w)[0] as StepRequest;
    take(w, applyAction(w.r, 'pause', 'carol', w.now, { now: true }) as Transition);
    expect(w.r.state).to.equal('paused');
    expect(w.r.reason).to.equal('paused by carol before the next step');
    finish(w, inFlight);
    expect(runSteps(w)).to.have.length(0);
    take(w, applyAction(w.r, 'resume', 'carol', w.now) as Transition);
    tick(w);
    expect(runSteps(w).map((s) => s.step)).to.deep.equal(['checkout']);
  });

  it('pause stops at the next safe point: the host in flight finishes its update and health gate, no other host starts', () => {
    const w = newWorld({ hosts: ['m1', 'm2'] });
    inspectAll(w);
    for (const b of runSteps(w)) finish(w, b); // backups
    const checkout = runSteps(w).find((r) => r.step === 'release-notes');
    expect(checkout?.agentId).to.equal('m1');
    take(w, applyAction(w.r, 'pause', 'carol', w.now) as Transition);
    expect(w.r.reason).to.equal('paused by carol; m1 finishes the update and health gate first');
    const order = runToEnd(w);
    expect(order).to.deep.equal(['m1:release-notes', 'm1:checkout', 'm1:config', 'm1:build', 'm1:up', 'm1:health', 'm1:backup-after']);
    expect(w.r.state).to.equal('paused');
    expect(w.r.hosts.map((h) => h.state)).to.deep.equal(['updated', 'backed-up']);
    take(w, applyAction(w.r, 'resume', 'carol', w.now) as Transition);
    tick(w);
    expect(runSteps(w).map((s) => `${s.agentId}:${s.step}`)).to.deep.equal(['m2:release-notes']);
  });

  it('cancels the step in flight on abort and records who aborted', () => {
    const w = newWorld({ hosts: ['solo'] });
    inspectAll(w);
    const backup = runSteps(w)[0] as StepRequest;
    const t = applyAction(w.r, 'abort', 'dave', w.now) as Transition;
    take(w, t);
    expect(w.r.state).to.equal('aborted');
    expect(w.r.reason).to.equal('aborted by dave');
    expect(t.effects.filter((e) => e.kind === 'cancel-step')).to.deep.equal([
      { kind: 'cancel-step', agentId: 'solo', requestId: backup.requestId, reason: 'rollout r-1 aborted by dave' },
    ]);
    finish(w, backup, 'CANCELLED');
    expect(w.r.state).to.equal('aborted');
    expect(runSteps(w).filter((s) => s.requestId !== backup.requestId)).to.have.length(0);
  });

  it('refuses illegal actions with words', () => {
    const w = newWorld({ hosts: ['solo'] });
    inspectAll(w);
    runToEnd(w);
    expect(w.r.state).to.equal('succeeded');
    expect(applyAction(w.r, 'pause', 'x', w.now)).to.deep.equal({ error: 'cannot pause rollout r-1: it already succeeded' });
    const fresh = newWorld();
    expect(applyAction(fresh.r, 'ack', 'x', T0)).to.deep.equal({ error: 'cannot ack rollout r-1: it is pending, not awaiting-ack' });
    expect(applyAction(fresh.r, 'resume', 'x', T0)).to.deep.equal({ error: 'cannot resume rollout r-1: it is pending, not paused' });
  });

  it('ignores a result delivered twice', () => {
    const w = newWorld({ hosts: ['solo'] });
    inspectAll(w);
    const backup = runSteps(w)[0] as StepRequest;
    finish(w, backup);
    const before = JSON.stringify(w.r);
    const again = applyStepResult(
      w.r,
      'solo',
      {
        requestId: backup.requestId,
        rolloutId: 'r-1',
        step: 'backup',
        outcome: 'FAILED',
        exitCode: 1,
        reason: 'late duplicate',
        outputTail: [],
        startedAtMs: 0,
        finishedAtMs: 0,
        previousCommit: '',
        backup: null,
        releaseNotes: null,
        repo: null,
        health: null,
        attempt: 1,
      },
      w.now,
    );
    expect(JSON.stringify(again.rollout)).to.equal(before);
    expect(again.effects).to.deep.equal([]);
  });

  it('re-runs an interrupted re-runnable step as a new attempt', () => {
    const w = newWorld({ hosts: ['solo'] });
    inspectAll(w);
    const order = runToEnd(w, (req) => (req.step === 'build' && req.attempt === 1 ? 'INTERRUPTED' : undefined));
    expect(order.filter((s) => s === 'solo:build')).to.have.length(2);
    expect(w.r.state).to.equal('succeeded');
    expect(w.r.hosts[0]?.runs.filter((r) => r.step === 'build').map((r) => [r.attempt, r.outcome])).to.deep.equal([
      [1, 'interrupted'],
      [2, 'succeeded'],
    ]);
  });

  it('fails the host when an interrupted step is not re-runnable', () => {
    const w = newWorld({ hosts: ['solo'], rerunnable: PLAN.filter((s) => s !== 'build') });
    inspectAll(w);
    runToEnd(w, (req) => (req.step === 'build' ? 'INTERRUPTED' : undefined));
    expect(w.r.state).to.equal('failed');
    expect(w.r.failedStep).to.equal('build');
  });

  it('single-host rollouts run the whole plan in order', () => {
    const w = newWorld({ hosts: ['solo'] });
    inspectAll(w);
    expect(w.r.hosts[0]?.role).to.equal('single');
    expect(runToEnd(w)).to.deep.equal(PLAN.map((s) => `solo:${s}`));
    expect(w.r.state).to.equal('succeeded');
  });

  it('is deterministic: the same inputs give the same request ids', () => {
    const a = newWorld();
    const b = newWorld();
    inspectAll(a);
    inspectAll(b);
    expect(runSteps(a).map((s) => s.requestId)).to.deep.equal(runSteps(b).map((s) => s.requestId));
    expect(runSteps(a)[0]?.requestId).to.equal('r-1.auth.backup.1');
  });

  describe('rollback', () => {
    it('rolls a member back after a failed build with autoRollback: previous commit, rebuild, restore, health', () => {
      const w = newWorld({ autoRollback: true });
      inspectAll(w);
      const order = runToEnd(w, (req) =>
        req.agentId === 'm1' && req.step === 'build' && !req.restoreCommit && req.targetVersion === '0.2.0' ? 'FAILED' : undefined,
      );
      const rollback = order.slice(order.indexOf('m1:build') + 1);
      expect(rollback).to.deep.equal(['m1:rollback-checkout', 'm1:config', 'm1:build', 'm1:up', 'm1:restore', 'm1:health']);
      expect(w.r.state).to.equal('failed');
      expect(w.r.reason).to.equal('m1: build: build failed; m1 rolled back to 0.1.0');
      const m1 = w.r.hosts.find((h) => h.agentId === 'm1');
      expect(m1?.state).to.equal('rolled-back');
      expect(order.some((s) => s.startsWith('m2:') && s !== 'm2:backup')).to.equal(false);
    });

    it('sends the previous commit, the old version and the pre-update backup to the agent', () => {
      const w = newWorld({ hosts: ['solo'], autoRollback: true });
      inspectAll(w);
      const requests: StepRequest[] = [];
      runToEnd(w, (req) => {
        requests.push(req);
        return req.step === 'up' && req.targetVersion === '0.2.0' ? 'FAILED' : undefined;
      });
      const checkout = requests.find((r) => r.step === 'rollback-checkout');
      const restore = requests.find((r) => r.step === 'restore');
      expect(checkout).to.include({ restoreCommit: 'b'.repeat(40), targetVersion: '0.1.0', requestId: 'r-1.solo.rollback-checkout.1' });
      expect(restore?.backupId).to.equal('bk-solo');
      expect(requests.filter((r) => r.step === 'health').map((r) => r.targetVersion)).to.deep.equal(['0.1.0']);
    });

    it('leaves the host failed with both reasons when the rollback fails', () => {
      const w = newWorld({ hosts: ['solo'], autoRollback: true });
      inspectAll(w);
      runToEnd(w, (req) => (req.step === 'build' ? 'FAILED' : undefined));
      const h = w.r.hosts[0];
      expect(h?.state).to.equal('failed');
      expect(h?.reason).to.equal('build: build failed; rollback build: build failed');
      expect(w.r.reason).to.equal('solo: build: build failed; rollback of solo failed at build');
    });

    it("follows the agent's own rollback procedure and sends the pre-update backup to every step that needs it", () => {
      const HOSS_ROLLBACK = ['rollback-checkout', 'build', 'down', 'reset', 'restore', 'restart-core', 'health'];
      const w = newWorld({ hosts: ['solo'], autoRollback: true, rollbackPlan: HOSS_ROLLBACK, backupSteps: ['reset', 'restore'] });
      inspectAll(w);
      const requests: StepRequest[] = [];
      runToEnd(w, (req) => {
        requests.push(req);
        return req.step === 'build' && req.targetVersion === '0.2.0' ? 'FAILED' : undefined;
      });
      const rollback = requests.filter((r) => r.requestId.includes('.rollback-'));
      expect(rollback.map((r) => r.step)).to.deep.equal(HOSS_ROLLBACK);
      expect(rollback.filter((r) => r.backupId !== '').map((r) => [r.step, r.backupId])).to.deep.equal([
        ['reset', 'bk-solo'],
        ['restore', 'bk-solo'],
      ]);
      expect(rollback.every((r) => r.targetVersion === '0.1.0')).to.equal(true);
      expect(w.r.hosts[0]?.state).to.equal('rolled-back');
    });

    it('does not start a rollback whose procedure needs the pre-update backup when none was taken, and says why', () => {
      const w = newWorld({
        hosts: ['solo'],
        autoRollback: true,
        plan: PLAN.filter((s) => s !== 'backup'),
        rollbackPlan: ['rollback-checkout', 'down', 'reset', 'restore', 'health'],
        backupSteps: ['reset', 'restore'],
      });
      inspectAll(w);
      const order = runToEnd(w, (req) => (req.step === 'build' ? 'FAILED' : undefined));
      expect(order.some((s) => s.includes('reset') || s.includes('rollback-checkout'))).to.equal(false);
      expect(w.r.hosts[0]?.state).to.equal('failed');
      expect(applyAction(w.r, 'rollback', 'erin', w.now)).to.deep.equal({
        error:
          "cannot rollback rollout r-1: solo's rollback procedure needs the pre-update backup (reset, restore) and none was taken; restore it by hand",
      });
    });

    it('does not roll back a host that failed before its checkout', () => {
      const w = newWorld({ hosts: ['solo'], autoRollback: true });
      inspectAll(w);
      const order = runToEnd(w, (req) => (req.step === 'release-notes' ? 'FAILED' : undefined));
      expect(order).to.deep.equal(['solo:backup', 'solo:release-notes']);
      expect(applyAction(w.r, 'rollback', 'erin', w.now)).to.deep.equal({
        error: 'cannot rollback rollout r-1: solo failed before its checkout (nothing was changed that a rollback would undo)',
      });
    });

    it('rolls back by hand when asked after a failure', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      runToEnd(w, (req) => (req.step === 'health' ? 'FAILED' : undefined));
      expect(w.r.hosts[0]?.state).to.equal('failed');
      take(w, applyAction(w.r, 'rollback', 'erin', w.now) as Transition);
      tick(w);
      const order = runToEnd(w);
      expect(order).to.deep.equal(['solo:rollback-checkout', 'solo:config', 'solo:build', 'solo:up', 'solo:restore', 'solo:health']);
      expect(w.r.hosts[0]?.state).to.equal('rolled-back');
      expect(w.r.hosts[0]?.rollback?.requestedBy).to.equal('erin');
    });
  });

  describe('lost agents', () => {
    it('keeps waiting for a disconnected agent until the step timeout, then fails with "agent disconnected"', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      for (let i = 0; i < 10 && runSteps(w)[0]?.step !== 'build'; i++) finish(w, runSteps(w)[0] as StepRequest);
      const build = runSteps(w)[0] as StepRequest;
      w.facts.solo = { ...healthy('0.1.0'), connected: false };
      w.now += 120_000; // the build's own timeout: still within the grace
      take(w, reconcile(w.r, env(w), w.now));
      expect(w.r.state).to.equal('running');
      w.now += 1000;
      take(w, reconcile(w.r, env(w), w.now));
      expect(w.r.state).to.equal('failed');
      expect(w.r.reason).to.equal('solo: build: agent disconnected during step build');
      expect(w.r.hosts[0]?.runs.find((r) => r.requestId === build.requestId)?.outcome).to.equal('disconnected');
    });

    it('after a coordinator restart, gives the agent the grace to reconnect even when the step deadline passed during the outage', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      for (let i = 0; i < 10 && runSteps(w)[0]?.step !== 'build'; i++) finish(w, runSteps(w)[0] as StepRequest);
      const build = runSteps(w)[0] as StepRequest;
      // convoyd was down for 10 minutes, far past the build's own timeout; it restarts knowing nothing
      w.now += 600_000;
      w.facts.solo = { ...healthy('0.1.0'), connected: false, disconnectedAtMs: w.now };
      take(w, reconcile(w.r, env(w), w.now));
      w.now += 999;
      take(w, reconcile(w.r, env(w), w.now));
      expect(w.r.state).to.equal('running');
      w.facts.solo = healthy('0.1.0');
      finish(w, build);
      expect(w.r.hosts[0]?.runs.find((r) => r.requestId === build.requestId)?.outcome).to.equal('succeeded');
      expect(runSteps(w).map((r) => r.step)).to.deep.equal(['up']);
    });

    it('after a coordinator restart, fails the step once the grace passed without the agent', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      for (let i = 0; i < 10 && runSteps(w)[0]?.step !== 'build'; i++) finish(w, runSteps(w)[0] as StepRequest);
      w.now += 600_000;
      w.facts.solo = { ...healthy('0.1.0'), connected: false, disconnectedAtMs: w.now };
      w.now += 1000;
      take(w, reconcile(w.r, env(w), w.now));
      expect(w.r.state).to.equal('failed');
      expect(w.r.reason).to.equal('solo: build: agent disconnected during step build');
    });

    it('accepts the result of an agent that comes back in time', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      const backup = runSteps(w)[0] as StepRequest;
      w.facts.solo = { ...healthy('0.1.0'), connected: false };
      w.now += 60_000;
      take(w, reconcile(w.r, env(w), w.now));
      w.facts.solo = healthy('0.1.0');
      finish(w, backup);
      expect(w.r.hosts[0]?.state).to.equal('updating');
    });
  });

  describe('maintenance windows', () => {
    it('starts no host after the window closes; the host in progress finishes; then pauses', () => {
      const w = newWorld({ windowEndsAtMs: T0 + 3_600_000 });
      inspectAll(w);
      for (let i = 0; i < 100 && !(runSteps(w)[0]?.agentId === 'm1' && runSteps(w)[0]?.step === 'build'); i++)
        finish(w, runSteps(w)[0] as StepRequest);
      w.now = T0 + 3_600_000; // the window closes while m1 builds
      take(w, reconcile(w.r, env(w), w.now));
      expect(w.r.state).to.equal('running');
      const order = runToEnd(w);
      expect(order).to.deep.equal(['m1:build', 'm1:up', 'm1:health', 'm1:backup-after']);
      expect(w.r.state).to.equal('paused');
      expect(w.r.reason).to.equal('maintenance window closed');
      expect(w.r.pauseKind).to.equal('window');
      expect(w.r.hosts.map((h) => h.state)).to.deep.equal(['updated', 'updated', 'backed-up']);
    });

    it('does not resume on its own while the window is closed, and refuses to start backups after it', () => {
      const w = newWorld({ windowEndsAtMs: T0 + 500 });
      inspectAll(w);
      expect(w.r.state).to.equal('paused');
      expect(w.r.reason).to.equal('maintenance window closed');
      expect(runSteps(w)).to.have.length(0);
      w.now += 86_400_000;
      tick(w);
      expect(w.r.state).to.equal('paused');
    });
  });

  describe('blocking on alerts', () => {
    it('asks for a fresh alert check before each host and pauses while alerts fire', () => {
      const w = newWorld({ hosts: ['solo'] });
      w.alerts = { checkedAtMs: 0, firing: [], error: '' };
      inspectAll(w);
      expect(w.effects.filter((e) => e.kind === 'check-alerts')).to.have.length.greaterThan(0);
      expect(runSteps(w)).to.have.length(0);
      w.alerts = { checkedAtMs: w.now, firing: ['DiskFull', 'BackupStale'], error: '' };
      tick(w);
      expect(w.r.state).to.equal('paused');
      expect(w.r.reason).to.equal('alerts firing: DiskFull, BackupStale; resumes by itself when they clear');
      w.alerts = { checkedAtMs: w.now + 1, firing: [], error: '' };
      tick(w);
      expect(w.r.state).to.equal('running');
      expect(runSteps(w).map((s) => s.step)).to.deep.equal(['backup']);
    });
  });

  describe('release notes and required changes', () => {
    const note = (version: string, requiresAction = false): ReleaseNote => ({
      version,
      source: 'github:acme/hoss',
      text: requiresAction ? 'ACTION REQUIRED: reindex' : 'fixes',
      requiresAction,
      requiredLines: requiresAction ? ['ACTION REQUIRED: reindex'] : [],
    });
    const events = (w: World): string[] => w.effects.flatMap((e) => (e.kind === 'event' ? [e.event.message] : []));

    it('reports a version without notes as none found, naming where it looked, and goes on when the cluster does not require notes', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      expect(w.r.state).to.equal('running');
      expect(w.r.notes?.missing).to.deep.equal(['0.2.0']);
      expect(events(w)).to.include(
        'release notes: none found for 0.2.0 (looked in: solo: tag messages (0 of 1 tags annotated); solo: CHANGELOG.md at 0.2.0); that is not "no action required"',
      );
    });

    it('waits for an acknowledgement when the cluster requires notes and a version has none', () => {
      const w = newWorld({ hosts: ['solo'], requireNotes: true });
      inspectAll(w);
      expect(w.r.state).to.equal('awaiting-ack');
      expect(w.r.reason).to.match(/^no release notes found for 0\.2\.0 \(looked in: solo: tag messages/);
      expect(runSteps(w)).to.have.length(0);
    });

    it("asks the coordinator's source once the versions are known, again after a restart, and uses its answer", () => {
      const w = newWorld({ hosts: ['solo'], notesSource: 'GitHub releases of acme/hoss', requireNotes: true });
      inspectAll(w);
      const asks = w.effects.filter((e) => e.kind === 'fetch-release-notes');
      expect(asks.map((e) => (e as { versions: string[] }).versions)).to.deep.equal([['0.2.0']]);
      expect(w.r.state).to.equal('pending');
      w.effects = [];
      tick(w); // a restarted coordinator asks again: nothing else moves meanwhile
      expect(w.effects.filter((e) => e.kind === 'fetch-release-notes')).to.have.length(1);
      take(
        w,
        applyRemoteNotes(w.r, { source: 'GitHub releases of acme/hoss', notes: [note('0.2.0')], notPublished: [], unavailable: [] }, w.now),
      );
      tick(w);
      expect(w.r.state).to.equal('running');
      expect(w.r.releaseNotes.map((n) => n.source)).to.deep.equal(['github:acme/hoss']);
      expect(w.r.notes?.missing).to.deep.equal([]);
    });

    it('waits for an acknowledgement when the source could not be read, whatever the cluster requires', () => {
      const w = newWorld({ hosts: ['solo'], notesSource: 'GitHub releases of acme/hoss' });
      inspectAll(w);
      take(
        w,
        applyRemoteNotes(
          w.r,
          {
            source: 'GitHub releases of acme/hoss',
            notes: [],
            notPublished: [],
            unavailable: [{ version: '0.2.0', reason: 'no answer within 10s' }],
          },
          w.now,
        ),
      );
      tick(w);
      expect(w.r.state).to.equal('awaiting-ack');
      expect(w.r.reason).to.include('GitHub releases of acme/hoss could not be read for 0.2.0: no answer within 10s');
    });

    it('waits for an acknowledgement for a required change the drift found, and goes on once acknowledged', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w, {
        solo: { drift: { files: [], diffLines: [], requiredChanges: ['.env lacks SYNC_WORKERS'], error: '', diffTruncated: false } },
      });
      expect(w.r.state).to.equal('awaiting-ack');
      expect(w.r.reason).to.match(/^1 required configuration change\(s\): solo: \.env lacks SYNC_WORKERS/);
      take(w, applyAction(w.r, 'ack', 'erin', w.now) as Transition);
      tick(w);
      expect(w.r.state).to.equal('running');
      expect(runSteps(w).map((r) => r.step)).to.deep.equal(['backup']);
    });
  });

  describe('truthful state (issue 11)', () => {
    const buildFails = (req: StepRequest): StepOutcome | undefined =>
      req.step === 'build' && req.targetVersion === '0.2.0' ? 'FAILED' : undefined;

    it('keeps an auto-rolled-back rollout running (phase rollback) until its rollback has ended, then ends failed naming both', () => {
      const w = newWorld({ hosts: ['solo'], autoRollback: true });
      inspectAll(w);
      const seen: string[] = [];
      for (let i = 0; i < 100; i++) {
        const next = runSteps(w)[0];
        if (!next) break;
        finish(w, next, buildFails(next) ?? 'SUCCEEDED');
        seen.push(`${w.r.state}/${w.r.phase}`);
      }
      const afterFailure = seen.slice(seen.indexOf('running/rollback'));
      expect(
        afterFailure.slice(0, -1).every((s) => s === 'running/rollback'),
        seen.join(' '),
      ).to.equal(true);
      expect(seen.at(-1)).to.equal('failed/done');
      expect(w.r.reason).to.equal('solo: build: build failed; solo rolled back to 0.1.0');
      expect([w.r.failedHost, w.r.failedStep]).to.deep.equal(['solo', 'build']);
    });

    it('reopens a failed rollout for a rollback by hand and ends it failed again, with the rollback in its reason', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      runToEnd(w, buildFails);
      expect(w.r.state).to.equal('failed');
      take(w, applyAction(w.r, 'rollback', 'erin', w.now) as Transition);
      expect([w.r.state, w.r.phase, w.r.finishedAtMs]).to.deep.equal(['running', 'rollback', 0]);
      expect(applyAction(w.r, 'rollback', 'erin', w.now)).to.deep.equal({
        error: 'cannot rollback rollout r-1: it is rolling solo back now; follow it with `convoy rollout watch r-1`',
      });
      tick(w);
      runToEnd(w);
      expect(w.r.state).to.equal('failed');
      expect(w.r.reason).to.equal('solo: build: build failed; solo rolled back to 0.1.0');
      expect(applyAction(w.r, 'rollback', 'erin', w.now)).to.deep.equal({
        error: 'cannot rollback rollout r-1: solo was already rolled back',
      });
    });

    it('refuses a rollback of a rollout a later one superseded on that host, unless told to go past it', () => {
      const w = newWorld({ hosts: ['solo'] });
      inspectAll(w);
      runToEnd(w, buildFails);
      const later = structuredClone(w.r);
      later.id = 'r-2';
      later.target = '0.3.0';
      const checkout = later.hosts[0]!.runs.find((r) => r.step === 'checkout')!;
      checkout.requestId = 'r-2.solo.checkout.1';
      expect(applyAction(w.r, 'rollback', 'erin', w.now, { later: [later] })).to.deep.equal({
        error:
          'cannot rollback rollout r-1: rollout r-2 changed solo after it (to 0.3.0); rolling r-1 back would move solo back past r-2 and restore a backup older than it. Roll back r-2 instead, or add --allow-superseded to do it anyway (docs/operations.md)',
      });
      const forced = applyAction(w.r, 'rollback', 'erin', w.now, { later: [later], allowSuperseded: true }) as Transition;
      expect(forced.rollout.phase).to.equal('rollback');
      // a later rollout that never moved the host (it failed in its backup) supersedes nothing
      checkout.outcome = 'refused';
      expect('error' in applyAction(w.r, 'rollback', 'erin', w.now, { later: [later] })).to.equal(false);
    });

    it('lets members start when the auth server reports the bare version of a v-prefixed tag', () => {
      const w = newWorld();
      w.r.target = 'v0.2.0';
      inspectAll(w, { auth: { installed: 'v0.1.0' }, m1: { installed: 'v0.1.0' }, m2: { installed: 'v0.1.0' } });
      runSteps(w).forEach((b) => finish(w, b));
      for (let i = 0; i < 30 && w.r.hosts[0]?.state !== 'updated'; i++) finish(w, runSteps(w)[0]!);
      w.facts.auth = healthy('0.2.0');
      tick(w);
      expect(w.r.state, w.r.reason).to.equal('running');
      expect(runSteps(w).map((r) => `${r.agentId}:${r.step}`)).to.deep.equal(['m1:release-notes']);
    });

    it('decides with its own clock: an agent an hour fast does not hold an alert-gated rollout for an hour', () => {
      const w = newWorld({ hosts: ['m1', 'm2'] });
      w.alerts = { checkedAtMs: 0, firing: [], error: '' };
      inspectAll(w);
      w.alerts = { checkedAtMs: w.now, firing: [], error: '' };
      tick(w);
      const HOUR = 3_600_000;
      for (const b of runSteps(w)) finish(w, b, 'SUCCEEDED', { startedAtMs: w.now + HOUR, finishedAtMs: w.now + HOUR });
      w.alerts = { checkedAtMs: w.now + 1, firing: [], error: '' };
      tick(w);
      expect(runSteps(w).map((r) => `${r.agentId}:${r.step}`)).to.deep.equal(['m1:release-notes']);
      const backup = w.r.hosts[0]!.runs.find((r) => r.step === 'backup')!;
      expect(backup.finishedAtMs).to.be.below(w.now + 1);
      expect(backup.agentFinishedAtMs).to.be.above(w.now + HOUR - 5000);
    });

    it('takes a result only from the agent the request was sent to, even when its id is part of the other id', () => {
      const w = newWorld({ hosts: ['1', 'build', 'm1'] });
      inspectAll(w);
      const m1Backup = runSteps(w).find((r) => r.agentId === 'm1')!;
      for (const impostor of ['1', 'build', 'm']) {
        const result: StepResult = {
          requestId: m1Backup.requestId,
          rolloutId: 'r-1',
          step: 'backup',
          outcome: 'FAILED',
          exitCode: 9,
          reason: 'forged',
          outputTail: [],
          startedAtMs: w.now,
          finishedAtMs: w.now,
          previousCommit: '',
          backup: null,
          releaseNotes: null,
          repo: null,
          health: null,
          attempt: 1,
        };
        const t = applyStepResult(w.r, impostor, result, w.now);
        expect(t.rollout, impostor).to.equal(w.r);
        expect(t.effects, impostor).to.deep.equal([]);
      }
      expect(w.r.hosts.find((h) => h.agentId === 'm1')?.runs[0]?.outcome).to.equal('running');
    });
  });

  it('rolls back to where the first checkout started, even when a re-run of it reports the target as its previous commit', () => {
    const w = newWorld({ hosts: ['solo'], autoRollback: true, rerunnable: PLAN });
    inspectAll(w);
    const sent: StepRequest[] = [];
    let checkouts = 0;
    for (let i = 0; i < 100; i++) {
      const next = runSteps(w)[0];
      if (!next) break;
      sent.push(next);
      if (next.step === 'checkout' && checkouts++ === 0) {
        finish(w, next, 'INTERRUPTED', { previousCommit: '' }); // the agent died mid-checkout: no previous commit in its report
        continue;
      }
      if (next.step === 'checkout')
        finish(w, next, 'SUCCEEDED', { previousCommit: 'c'.repeat(40) }); // the target's own commit
      else finish(w, next, next.step === 'build' && next.targetVersion === '0.2.0' ? 'FAILED' : 'SUCCEEDED');
    }
    // where preflight saw the tree, not the target the re-run found it at
    expect(sent.find((r) => r.step === 'rollback-checkout')?.restoreCommit).to.equal('a'.repeat(40));
  });
});
