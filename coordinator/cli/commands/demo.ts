/**
 * `convoy demo`: a complete local sandbox. Three sample servers (an auth server and two members),
 * convoyd and three agents as real processes, then a real linked rollout from 0.1.0 to 0.2.0,
 * watched live. Everything it starts is stopped again, on success, error or Ctrl-C; with --keep
 * it all keeps running, with the environment printed for `convoy` commands, until Ctrl-C.
 */
import { isHealthy } from '../../../shared/health.js';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../../shared/clock.js';
import { messageOf } from '../../../shared/errors.js';
import type { SampleServer } from '../../../samples/sample-server.js';
import { actorName, GrpcControlClient, type ControlApi } from '../client.js';
import { terminalClient } from '../terminal-client.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { convoyPackage } from '../../../shared/package.js';
import { demoBin, keptSandboxLines, narrator, whereThingsAre, type Narrator } from '../demo/narration.js';
import { exitCodeOfRollout, type AgentView, type RolloutView } from '../views.js';
import { checkAlive, exitedError, startDaemon, stopDaemon, untilInterruptedOrExited, type DaemonChild } from '../demo/children.js';
import { createDemoCertificates, demoConnection, DEMO_OPERATOR, type DemoCertificates } from '../demo/certs.js';
import { freePorts } from '../../../shared/ports.js';
import {
  AUTH_HOST,
  DEMO_CLUSTER,
  DEMO_HOSTS,
  demoLayout,
  FROM_VERSION,
  makeSandboxDir,
  TO_VERSION,
  writeDemoConfigs,
  type DemoLayout,
} from '../demo/sandbox.js';
import { formatAgents } from './agents.js';
import { formatBackups } from './backups.js';
import { formatPlan, planProblems } from './plan.js';
import { formatRolloutStatus } from './rollout-status.js';
import { watchRollout } from './rollout-watch.js';

const COORDINATOR_START_MS = 30_000;
const AGENTS_READY_MS = 60_000;
const POLL_MS = 300;
const STOP_GRACE_MS = 10_000;

type Fixture = typeof import('../../../samples/sample-server.js');

/** Everything the demo started, so cleanup can stop exactly that. */
interface Sandbox {
  layout: DemoLayout;
  keep: boolean;
  servers: SampleServer[];
  coordinator?: DaemonChild;
  agents: DaemonChild[];
  client?: ControlApi;
}

/** Refuses early, with the fix, when something the demo needs is missing. */
function checkPrerequisites(pkgDir: string): void {
  for (const [tool, arg] of [
    ['git', '--version'],
    ['make', '--version'],
    ['openssl', 'version'],
  ] as const) {
    if (spawnSync(tool, [arg], { stdio: 'ignore' }).status !== 0) {
      throw usageError(`convoy demo needs ${tool} on the PATH. Install it, then run convoy demo again.`);
    }
  }
  for (const built of ['dist/coordinator/main.js', 'dist/agent/main.js']) {
    if (!fs.existsSync(path.join(pkgDir, built))) {
      throw usageError(`convoy demo runs the built daemons, and ${built} is missing. Run npm run build in ${pkgDir}, then npm run demo.`);
    }
  }
}

async function loadFixture(): Promise<Fixture> {
  try {
    return await import('../../../samples/sample-server.js');
  } catch (err) {
    throw new CliError(
      EXIT.usage,
      `the demo needs its sample servers (samples/ in the package), which this installation lacks (${messageOf(err)}); reinstall Convoy, or run it from a source checkout: npm run demo`,
    );
  }
}

function checkInterrupted(ctx: CliContext): void {
  if (ctx.signal.aborted) throw new Error('interrupted');
}

/** --keep: waits for Ctrl-C; a daemon that ends meanwhile ends the demo, with its log's tail. */
async function stayUntilInterrupted(ctx: CliContext, sb: Sandbox): Promise<void> {
  const daemons = [sb.coordinator, ...sb.agents].filter((d): d is DaemonChild => d !== undefined);
  const exited = await untilInterruptedOrExited(ctx.signal, daemons);
  // A terminal's Ctrl-C reaches the daemons too (same process group): that exit is no failure.
  if (exited && !ctx.signal.aborted) throw exitedError(exited, 'while the sandbox was kept');
}

/** Polls `probe` until it returns a value; fails after `timeoutMs` with `describe()` as the reason. */
async function pollUntil<T>(
  ctx: CliContext,
  sb: Sandbox,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  describe: () => string,
): Promise<T> {
  const deadline = ctx.now() + timeoutMs;
  for (;;) {
    checkInterrupted(ctx);
    checkAlive([sb.coordinator, ...sb.agents]);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (ctx.now() > deadline) throw new Error(describe());
    await systemClock.sleep(POLL_MS, ctx.signal).catch(() => undefined);
  }
}

async function createServers(ctx: CliContext, sb: Sandbox, fixture: Fixture, ports: number[]): Promise<void> {
  const [authPort, ...memberPorts] = ports;
  const auth = await fixture.createSampleServer({
    dir: sb.layout.serversDir,
    name: AUTH_HOST,
    port: authPort as number,
    install: FROM_VERSION,
  });
  sb.servers.push(auth);
  checkInterrupted(ctx);
  const members = DEMO_HOSTS.slice(1).map((name, i) =>
    fixture
      .createSampleServer({
        dir: sb.layout.serversDir,
        name,
        port: memberPorts[i] as number,
        install: FROM_VERSION,
        authUrl: auth.healthUrl,
      })
      .then((server) => void sb.servers.push(server)),
  );
  const results = await Promise.allSettled(members);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  checkInterrupted(ctx);
}

async function startCoordinator(ctx: CliContext, sb: Sandbox, address: string, certs: DemoCertificates): Promise<ControlApi> {
  const { layout } = sb;
  sb.coordinator = startDaemon('convoyd', demoBin('convoyd.js'), layout.coordinatorConfig, layout.logFile('convoyd'), layout.dir);
  const client = terminalClient(new GrpcControlClient(demoConnection(address, certs, actorName(ctx.env))));
  sb.client = client;
  await pollUntil(
    ctx,
    sb,
    COORDINATOR_START_MS,
    () => client.listAgents(),
    () => `convoyd did not answer on ${address} within ${COORDINATOR_START_MS / 1000}s; see ${layout.logFile('convoyd')}`,
  );
  return client;
}

function isReady(a: AgentView | undefined): boolean {
  return Boolean(a?.connected && isHealthy(a.health));
}

async function startAgents(ctx: CliContext, sb: Sandbox, client: ControlApi): Promise<AgentView[]> {
  const { layout } = sb;
  for (const id of DEMO_HOSTS)
    sb.agents.push(startDaemon(id, demoBin('convoy-agent.js'), layout.agentConfig(id), layout.logFile(id), layout.dir));
  let last: AgentView[] = [];
  return pollUntil(
    ctx,
    sb,
    AGENTS_READY_MS,
    async () => {
      last = await client.listAgents();
      return DEMO_HOSTS.every((id) => isReady(last.find((a) => a.id === id))) ? last : undefined;
    },
    () => {
      const missing = DEMO_HOSTS.filter((id) => !isReady(last.find((a) => a.id === id)));
      return `agents not connected and healthy after ${AGENTS_READY_MS / 1000}s: ${missing.join(', ')}; see ${missing.map((id) => layout.logFile(id)).join(', ')}`;
    },
  );
}

/** Plans and runs the rollout, watching it live; returns its last view (undefined: interrupted). */
async function runRollout(ctx: CliContext, client: ControlApi, n: Narrator): Promise<RolloutView | undefined> {
  n.say(`convoy plan ${DEMO_CLUSTER} --to ${TO_VERSION}`);
  const plan = await client.plan({ cluster: DEMO_CLUSTER, host: '', targetVersion: TO_VERSION, includeDiff: false });
  n.lines(formatPlan(plan, `convoy rollout start ${DEMO_CLUSTER} --to ${TO_VERSION}`, n.p));
  if (planProblems(plan).length) throw new Error('the plan has problems (above), so the rollout would stop at preflight');
  checkInterrupted(ctx);
  const ack = plan.requiresAction ? ' --ack-release-notes' : '';
  n.say(`convoy rollout start ${DEMO_CLUSTER} --to ${TO_VERSION}${ack} --watch`);
  const started = await client.startRollout({
    cluster: DEMO_CLUSTER,
    host: '',
    targetVersion: TO_VERSION,
    ackReleaseNotes: plan.requiresAction,
  });
  ctx.out.line(`rollout ${started.id} started by ${started.initiator || actorName(ctx.env)}`);
  return watchRollout(ctx, client, started.id, { json: false });
}

async function runSandbox(ctx: CliContext, sb: Sandbox, n: Narrator): Promise<number> {
  n.say(`Sandbox in ${sb.layout.dir}`);
  const fixture = await loadFixture();
  const [grpcPort, httpPort, ...servicePorts] = await freePorts(2 + DEMO_HOSTS.length);
  const address = `127.0.0.1:${grpcPort}`;
  n.say(
    `Creating sample servers ${DEMO_HOSTS.join(', ')} at ${FROM_VERSION} (git repositories with release tags, a Makefile, an HTTP service)`,
  );
  await createServers(ctx, sb, fixture, servicePorts);
  for (const s of sb.servers) ctx.out.line(`  ${s.name.padEnd(10)} ${s.root}  serving ${s.healthUrl}`);
  n.say(`Creating the fleet's CA and certificates for convoyd, ${DEMO_HOSTS.join(', ')} and operator ${DEMO_OPERATOR} (mutual TLS)`);
  const certs = await createDemoCertificates(sb.layout);
  writeDemoConfigs(sb.layout, sb.servers, { grpc: grpcPort as number, http: httpPort as number }, { ...certs, operator: DEMO_OPERATOR });
  n.say(
    `Starting convoyd on ${address} (cluster ${DEMO_CLUSTER}: auth server ${AUTH_HOST}, members one at a time; metrics on http://127.0.0.1:${httpPort}/metrics)`,
  );
  const client = await startCoordinator(ctx, sb, address, certs);
  n.say(`Starting ${DEMO_HOSTS.length} agents and waiting until they are connected and healthy`);
  const agents = await startAgents(ctx, sb, client);
  n.lines(formatAgents(agents, ctx.now(), n.p));
  const final = await runRollout(ctx, client, n);
  if (!final) throw new Error('interrupted');
  if (exitCodeOfRollout(final) !== 0) {
    n.say(`convoy rollout status ${final.id}`);
    n.lines(formatRolloutStatus(final, ctx.now(), n.p));
  }
  n.say('convoy agents');
  n.lines(formatAgents(await client.listAgents(), ctx.now(), n.p));
  n.say('convoy backups hoss-a');
  n.lines(formatBackups(await client.listBackups('hoss-a'), n.p));
  ctx.out.line('');
  n.lines(whereThingsAre(sb.layout, certs));
  ctx.out.line('');
  if (!sb.keep) {
    ctx.out.line('Run `convoy demo --keep` to keep the sandbox running and try convoy commands against it.');
    return exitCodeOfRollout(final);
  }
  n.lines(keptSandboxLines(sb.layout, final.id, address, certs, ctx.env));
  await stayUntilInterrupted(ctx, sb);
  // Ctrl-C is how a kept sandbox ends: the exit code stays the rollout's.
  return exitCodeOfRollout(final);
}

/** Stops what the demo started: agents, then convoyd, then the sample services; removes the dir. */
async function cleanUp(ctx: CliContext, sb: Sandbox, n: Narrator): Promise<void> {
  n.say('Cleaning up: stopping the agents, convoyd and the sample services');
  sb.client?.close();
  await Promise.all(sb.agents.map((a) => stopDaemon(a, STOP_GRACE_MS)));
  if (sb.coordinator) await stopDaemon(sb.coordinator, STOP_GRACE_MS);
  await Promise.all(
    sb.servers.map((s) => s.stop().catch((err: unknown) => ctx.err(`convoy: could not stop sample server ${s.name}: ${messageOf(err)}`))),
  );
  fs.rmSync(sb.layout.dir, { recursive: true, force: true });
  ctx.out.line(`Removed ${sb.layout.dir}`);
}

/** `convoy demo` (registered in demo-command.ts, which loads this module only when the demo runs). */
export async function runDemo(ctx: CliContext, opts: { keep?: boolean; dir?: string }): Promise<number> {
  ctx.handlesInterrupt = true;
  checkPrerequisites(convoyPackage().dir);
  let dir: string;
  try {
    dir = makeSandboxDir(opts.dir, os.tmpdir());
  } catch (err) {
    throw usageError(messageOf(err));
  }
  const sb: Sandbox = { layout: demoLayout(dir), keep: Boolean(opts.keep), servers: [], agents: [] };
  const n = narrator(ctx);
  try {
    return await runSandbox(ctx, sb, n);
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.err('convoy: demo interrupted');
      return EXIT.interrupted;
    }
    ctx.err(`convoy: demo failed: ${err instanceof CliError ? err.message : messageOf(err)}`);
    return EXIT.rolloutFailed;
  } finally {
    await cleanUp(ctx, sb, n);
  }
}
