/** ControlService: the CLI's unary calls and the watch/logs streams. Thin: validate, call the domain, map errors. */
import * as grpc from '@grpc/grpc-js';
import { type Clock, systemClock } from '../../shared/clock.js';
import { ConvoyError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { isCompatibilityRule, isRestorable, type CompatibilityRule } from '../../shared/versions.js';
import { PlanInspections } from '../fleet/plan-inspections.js';
import type { Fleet } from '../fleet/registry.js';
import type { RolloutController } from '../rollout/controller.js';
import { isTerminal, type Rollout } from '../rollout/model.js';
import { ROLLOUT_ACTIONS } from '../../shared/rollout-states.js';
import { previewRollout } from '../rollout/preview.js';
import type { EventStore, LogStore } from '../store/store.js';
import type { RolloutAction } from '../rollout/engine.js';
import { agentPage } from './agent-pages.js';
import { actorOf, toServiceError, unary } from './errors.js';
import { bool, limit, name, rolloutId, stepName, str } from './fields.js';
import { logFilterProblem } from './log-filter.js';
import { agentView, eventView, logLineView, planView, rolloutView } from './views.js';

export interface ControlServiceDeps {
  fleet: Fleet;
  controller: RolloutController;
  store: EventStore & Pick<LogStore, 'listLogLines'>;
  logger: Logger;
  /** Times the Plan rate limits (default: the system clock). */
  clock?: Clock;
}

const ACTIONS: readonly string[] = ROLLOUT_ACTIONS;
const PLAN_INSPECT_TIMEOUT_MS = 60_000;
let planSeq = 0;

export function controlServiceHandlers(deps: ControlServiceDeps): grpc.UntypedServiceImplementation {
  const { fleet, controller, store } = deps;
  const clock = deps.clock ?? systemClock;
  const planInspections = new PlanInspections(() => clock.now());
  const getRollout = (raw: unknown): Rollout => {
    const id = rolloutId(raw);
    if (!id) throw new ConvoyError('INVALID_ARGUMENT', 'a rollout id is required (e.g. r-12); run `convoy rollout list`');
    const r = controller.get(id);
    if (!r) throw new ConvoyError('NOT_FOUND', `rollout ${id} does not exist; run \`convoy rollout list\``);
    return r;
  };

  /** A rollout as the CLI sees it, with whether a rollback would start (decided by the engine's own rule). */
  const view = (r: Rollout) => {
    const v = rolloutView(r, controller.rollbackVerdict(r));
    // while the state file cannot be written, every unfinished rollout says so first
    const storage = controller.storageProblem();
    return storage && !isTerminal(r.state) ? { ...v, reason: v.reason ? `${storage}; ${v.reason}` : storage } : v;
  };

  return {
    listAgents: unary((req: { pageSize: unknown; pageToken: unknown }) => {
      const page = agentPage(fleet, req);
      const agents = page.agents.map((a) => agentView(a, controller.clusterOf(a.id), fleet.healthState(a.id)));
      return { agents, nextPageToken: page.nextAfter };
    }),

    plan: unary(async (req: { cluster: unknown; host: unknown; targetVersion: unknown; includeDiff: unknown }, call) => {
      const request = {
        cluster: name(req.cluster, 'cluster'),
        host: name(req.host, 'host'),
        target: str(req.targetVersion, 'target_version'),
        ackReleaseNotes: false,
        actor: actorOf(call),
      };
      const includeDiff = bool(req.includeDiff, 'include_diff');
      const n = ++planSeq;
      const draft = controller.draft(request, `plan-${n}`);
      // Counted once valid: a refused request costs the agents nothing.
      planInspections.admitCall(actorOf(call));
      const source = controller.notesSourceFor(draft);
      const preview = await previewRollout(
        {
          draft,
          admission: (id) => controller.admissionProblem(id),
          // within each agent's plan limits; a plan with --diff does not share an answer without it
          inspect: (id, requestId, diff) =>
            planInspections.inspect(id, `${request.target}${diff ? '+diff' : ''}`, () =>
              controller.inspect(id, requestId, request.target, PLAN_INSPECT_TIMEOUT_MS, diff),
            ),
          fetchRemoteNotes: source ? (versions) => source.fetch(versions) : undefined,
          now: () => Date.now(),
        },
        { includeDiff, requestPrefix: `plan-${n}` },
      );
      return planView(preview, { fleet, includeDiff });
    }),

    startRollout: unary((req: { cluster: unknown; host: unknown; targetVersion: unknown; ackReleaseNotes: unknown }, call) =>
      view(
        controller.start({
          cluster: name(req.cluster, 'cluster'),
          host: name(req.host, 'host'),
          target: str(req.targetVersion, 'target_version'),
          ackReleaseNotes: bool(req.ackReleaseNotes, 'ack_release_notes'),
          actor: actorOf(call),
        }),
      ),
    ),

    getRollout: unary((req: { id: unknown }) => view(getRollout(req.id))),

    listRollouts: unary((req: { limit: unknown; cluster: unknown }) => {
      const cluster = name(req.cluster, 'cluster') || undefined;
      const rollouts = controller.list(limit(req.limit, 20), cluster);
      // a cluster removed from the config still lists its past rollouts
      if (cluster && rollouts.length === 0 && !controller.cluster(cluster))
        throw new ConvoyError(
          'NOT_FOUND',
          `cluster "${cluster}" is not configured and has no rollouts; run \`convoy agents\` to see the clusters`,
        );
      return { rollouts: rollouts.map(view) };
    }),

    actOnRollout: unary((req: { id: unknown; action: unknown; reason: unknown; allowSuperseded: unknown; now: unknown }, call) => {
      const action = str(req.action, 'action', 20);
      if (!ACTIONS.includes(action)) {
        throw new ConvoyError('INVALID_ARGUMENT', `unknown action "${action}" (expected one of ${ACTIONS.join(', ')})`);
      }
      const reason = str(req.reason, 'reason', 1000);
      getRollout(req.id);
      const opts = { reason, allowSuperseded: bool(req.allowSuperseded, 'allow_superseded'), now: bool(req.now, 'now') };
      return view(controller.act(rolloutId(req.id), action as RolloutAction, actorOf(call), opts));
    }),

    listEvents: unary((req: { rolloutId: unknown; limit: unknown }) => {
      const id = rolloutId(req.rolloutId, 'rollout_id') || undefined;
      // an unknown rollout is NOT_FOUND, not an empty journal (rollouts are kept; retention deletes only their events)
      if (id) getRollout(id);
      return { events: store.listEvents({ rolloutId: id, limit: limit(req.limit, 200) }).map(eventView) };
    }),

    listBackups: unary((req: { agentId: unknown }) => {
      const id = name(req.agentId, 'agent_id');
      const rec = fleet.get(id);
      if (!rec) throw new ConvoyError('NOT_FOUND', `agent "${id}" is not known; run \`convoy agents\``);
      const installed = rec.repo?.installedVersion ?? '';
      // the agent's own rule decides (it is the one that refuses an incompatible restore)
      const rule: CompatibilityRule = isCompatibilityRule(rec.backupCompatibility) ? rec.backupCompatibility : 'same-major-minor';
      return {
        agentId: id,
        installedVersion: installed,
        keepPerMinor: rec.backupKeepPerMinor ?? 0,
        backups: [...rec.backups]
          .sort((a, b) => b.createdAtMs - a.createdAtMs)
          .map((b) => ({ backup: b, restorable: installed !== '' && isRestorable(b.version, installed, rule), exists: true })),
      };
    }),

    watchRollout: (call: grpc.ServerWritableStream<{ id: unknown }, unknown>) => {
      let r: Rollout;
      try {
        r = getRollout(call.request.id);
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      call.write(view(r));
      if (isTerminal(r.state)) return call.end();
      const unsubscribe = controller.watch(r.id, (next) => {
        call.write(view(next));
        if (isTerminal(next.state)) {
          unsubscribe();
          call.end();
        }
      });
      call.on('cancelled', unsubscribe);
      call.on('close', unsubscribe);
    },

    rolloutLogs: (call: grpc.ServerWritableStream<{ id: unknown; follow: unknown; host: unknown; step: unknown }, unknown>) => {
      let r: Rollout;
      let filter: { host: string; step: string };
      try {
        r = getRollout(call.request.id);
        filter = { host: name(call.request.host, 'host'), step: stepName(call.request.step) };
        const problem = logFilterProblem(r, filter);
        if (problem) throw new ConvoyError('NOT_FOUND', problem);
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      let lastSeq = 0;
      const send = (lines: { seq: number; agentId: string; step: string }[]): void => {
        for (const l of lines) {
          if (l.seq <= lastSeq) continue;
          if ((filter.host && l.agentId !== filter.host) || (filter.step && l.step !== filter.step)) continue;
          lastSeq = l.seq;
          call.write(logLineView(l as Parameters<typeof logLineView>[0]));
        }
      };
      const follow = call.request.follow === true && !isTerminal(r.state);
      const buffered: Parameters<typeof logLineView>[0][] = [];
      let live = false;
      const unsubscribeLines = follow
        ? controller.watchLogs(r.id, (lines) => {
            if (live) send(lines);
            else buffered.push(...lines);
          })
        : () => undefined;
      for (;;) {
        const page = store.listLogLines(r.id, lastSeq, filter);
        if (!page.length) break;
        send(page);
      }
      if (!follow) return call.end();
      send(buffered);
      live = true;
      const unsubscribeState = controller.watch(r.id, (next) => {
        if (!isTerminal(next.state)) return;
        stop();
        call.end();
      });
      const stop = (): void => {
        unsubscribeLines();
        unsubscribeState();
      };
      call.on('cancelled', stop);
      call.on('close', stop);
    },
  };
}
