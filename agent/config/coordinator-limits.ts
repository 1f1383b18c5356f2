/**
 * What the coordinator accepts in a Hello (coordinator/rpc/validate.ts, helloSchema), checked
 * when agent.yaml is loaded: a config beyond it would be refused at every connection, forever,
 * with the reason only in the coordinator's log. test/unit/agent-daemon/config.test.ts checks
 * these numbers against helloSchema itself, so the two cannot drift apart unnoticed.
 */
import { printable } from '../../shared/versions.js';
import { planSteps, rollbackSteps, runnableSteps, stepTimeoutsMs } from '../plan/steps.js';
import type { AgentConfig } from '../types.js';
import { durationText } from './duration-text.js';

/** The coordinator's limits on what a Hello carries. */
export const HELLO_LIMITS = {
  labels: 64,
  labelKeyChars: 63,
  labelValueChars: 256,
  /** Steps of the update procedure, maintenance-on/off included. */
  planSteps: 32,
  /** Steps that may be re-run (of both procedures and restore). */
  rerunnableSteps: 32,
  rollbackSteps: 40,
  serverDirChars: 4096,
  /** What one step may take, its cleanup, verify and alongside step included. */
  stepTimeoutMs: 7 * 86_400_000,
} as const;

/** Sentences (without the file name) for every way `config` exceeds what the coordinator accepts. */
export function coordinatorLimitProblems(config: AgentConfig): string[] {
  return [...labelProblems(config.labels), ...planProblems(config), ...timeoutProblems(config), ...serverDirProblems(config.serverDir)];
}

function labelProblems(labels: Record<string, string>): string[] {
  const out: string[] = [];
  const count = Object.keys(labels).length;
  if (count > HELLO_LIMITS.labels) {
    out.push(
      `labels has ${count} labels; the coordinator accepts at most ${HELLO_LIMITS.labels}. Remove ${count - HELLO_LIMITS.labels} of them`,
    );
  }
  for (const [key, value] of Object.entries(labels)) {
    if (key.length > HELLO_LIMITS.labelKeyChars) {
      out.push(
        `labels key "${printable(key)}" has ${key.length} characters; the coordinator accepts label keys of at most ${HELLO_LIMITS.labelKeyChars}. Shorten the key`,
      );
    }
    if (value.length > HELLO_LIMITS.labelValueChars) {
      out.push(
        `labels.${printable(key, 40)} "${printable(value, 40)}" has ${value.length} characters; the coordinator accepts label values of at most ${HELLO_LIMITS.labelValueChars}. Shorten the value`,
      );
    }
  }
  return out;
}

function planProblems(config: AgentConfig): string[] {
  const out: string[] = [];
  const plan = planSteps(config).length;
  if (plan > HELLO_LIMITS.planSteps) {
    out.push(
      `procedures.update has ${plan} enabled steps (maintenance-on and -off included); the coordinator accepts a plan of at most ${HELLO_LIMITS.planSteps}. Merge some steps into one command, or switch some off`,
    );
  }
  const rollback = rollbackSteps(config).length;
  if (rollback > HELLO_LIMITS.rollbackSteps) {
    out.push(
      `procedures.rollback has ${rollback} enabled steps; the coordinator accepts at most ${HELLO_LIMITS.rollbackSteps}. Merge or remove some`,
    );
  }
  const rerunnable = runnableSteps(config).filter((s) => s.rerunnable).length;
  if (rerunnable > HELLO_LIMITS.rerunnableSteps) {
    out.push(
      `${rerunnable} steps of procedures.update and procedures.rollback are rerunnable; the coordinator accepts at most ${HELLO_LIMITS.rerunnableSteps}. Set rerunnable: false on some, or merge steps`,
    );
  }
  return out;
}

function timeoutProblems(config: AgentConfig): string[] {
  const limit = durationText(HELLO_LIMITS.stepTimeoutMs);
  const steps = new Map(runnableSteps(config).map((s) => [s.name, s]));
  const out: string[] = [];
  for (const [name, ms] of Object.entries(stepTimeoutsMs(config))) {
    if (ms <= HELLO_LIMITS.stepTimeoutMs) continue;
    const own = steps.get(name)?.timeoutMs ?? 0;
    if (name === 'health') {
      out.push(
        `health.deadline ${durationText(config.health?.deadlineMs ?? 0)}: the health step may run ${durationText(ms)} (the deadline plus one requestTimeout, or steps.health.timeout), longer than the ${limit} the coordinator accepts for one step. Shorten health.deadline`,
      );
    } else if (own > HELLO_LIMITS.stepTimeoutMs) {
      out.push(`steps.${name}.timeout ${durationText(own)} is longer than the ${limit} the coordinator accepts for one step. Shorten it`);
    } else {
      out.push(
        `steps.${name}.timeout ${durationText(own)} adds up to ${durationText(ms)} with the step's cleanup, verify or alongside step; the coordinator accepts at most ${limit} for one step. Shorten the timeout`,
      );
    }
  }
  return out;
}

function serverDirProblems(serverDir: string): string[] {
  if (serverDir.length <= HELLO_LIMITS.serverDirChars) return [];
  return [
    `serverDir "${printable(serverDir, 40)}" resolves to a path of ${serverDir.length} characters; the coordinator accepts at most ${HELLO_LIMITS.serverDirChars}. Use a shorter path`,
  ];
}
