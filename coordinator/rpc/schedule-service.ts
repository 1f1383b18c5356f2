/** The schedule calls of ControlService (ListSchedules, RunSchedule, SetScheduleEnabled). Thin: validate, call the scheduler, map errors. */
import type * as grpc from '@grpc/grpc-js';
import { ConvoyError } from '../../shared/errors.js';
import type { ScheduleView } from '../cli/views.js';
import type { Rollout } from '../rollout/model.js';
import type { Scheduler, ScheduleStatus } from '../schedule/scheduler.js';
import { formatLocal } from '../schedule/wall-clock.js';
import { actorOf, unary } from './errors.js';
import { bool, name } from './fields.js';

export interface ScheduleServiceDeps {
  scheduler: Scheduler;
}

function scheduleName(v: unknown): string {
  const s = name(v, 'name');
  if (!s) throw new ConvoyError('INVALID_ARGUMENT', 'a schedule name is required; run `convoy schedules` to list them');
  return s;
}

/** "started r-4 to 0.3.1 (r-4 is now awaiting-ack: …)": the stored outcome and where its rollout is now. */
function outcomeNow(outcome: string, r: Rollout | undefined): string {
  if (!r || !outcome.includes(r.id) || outcome.includes(`${r.id} is ${r.state}`)) return outcome;
  return `${outcome} (${r.id} is now ${r.state}${r.reason ? `: ${r.reason}` : ''})`;
}

/** Domain -> ScheduleView (the type generated from control.proto: a field added there fails tsc here). */
export function scheduleView(s: ScheduleStatus): ScheduleView {
  const { config, state, resolution } = s;
  const tz = config.timezone;
  return {
    name: config.name,
    cluster: config.cluster,
    cron: config.cron,
    timezone: tz,
    windowMs: config.windowMs,
    target: config.target,
    enabled: s.enabled,
    ackReleaseNotes: config.ackReleaseNotes,
    nextWindows: s.nextWindows.map((w) => ({
      startMs: w.startMs,
      endMs: w.endMs,
      startLocal: formatLocal(w.startMs, tz),
      endLocal: formatLocal(w.endMs, tz),
    })),
    resolvedTarget: resolution.kind === 'problem' ? '' : resolution.target,
    resolveProblem: resolution.kind === 'problem' ? resolution.problem : '',
    lastOutcome: outcomeNow(state.lastOutcome, s.lastRollout),
    lastRunAtMs: state.lastRunAtMs,
    lastRolloutId: state.lastRolloutId,
    windowOpen: s.openWindow !== undefined,
    windowEndMs: s.openWindow?.endMs ?? 0,
  };
}

export function scheduleServiceHandlers(deps: ScheduleServiceDeps): grpc.UntypedServiceImplementation {
  const { scheduler } = deps;
  return {
    listSchedules: unary(() => ({ schedules: scheduler.list().map(scheduleView) })),

    runSchedule: unary(async (req: { name: unknown }, call) => scheduleView(await scheduler.run(scheduleName(req.name), actorOf(call)))),

    setScheduleEnabled: unary((req: { name: unknown; enabled: unknown }, call) =>
      scheduleView(scheduler.setEnabled(scheduleName(req.name), bool(req.enabled, 'enabled'), actorOf(call))),
    ),
  };
}
