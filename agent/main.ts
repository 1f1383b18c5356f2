/** convoy-agent: composition root. Config first, then the objects, then signals. */
import os from 'node:os';
import { Command, CommanderError } from 'commander';
import { systemClock } from '../shared/clock.js';
import { ConfigError, ConvoyError, messageOf } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import path from 'node:path';
import YAML from 'yaml';
import { readConfigText } from '../shared/config-file.js';
import { expandAgentDocument, loadAgentConfig } from './config.js';
import { DEFAULT_GRACE_MS, Daemon } from './daemon.js';
import { killProcessGroup, processGroupAlive, signalProcessGroup } from './exec/command.js';
import { Journal, processGroupsOf } from './journal.js';
import { grpcStreamOpener } from './link/client.js';
import { HealthMonitor } from './link/health-monitor.js';
import { Link } from './link/link.js';
import { runDoctor } from './doctor/doctor.js';
import { Plan } from './plan/plan.js';
import type { AgentConfig } from './types.js';
import { convoyPackage } from '../shared/package.js';

/** CONVOY_AGENT_GRACE_MS lets tests shorten the shutdown grace period. */
function graceFromEnv(logger: Logger): number {
  const text = process.env.CONVOY_AGENT_GRACE_MS;
  if (text === undefined || text === '') return DEFAULT_GRACE_MS;
  const ms = Number(text);
  if (Number.isInteger(ms) && ms >= 0) return ms;
  logger.warn(`CONVOY_AGENT_GRACE_MS "${text}" is not a number of milliseconds; using ${DEFAULT_GRACE_MS}`);
  return DEFAULT_GRACE_MS;
}

function loadConfigOrExit(file: string): AgentConfig {
  try {
    return loadAgentConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`convoy-agent: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n${err.hint ?? ''}\n`);
    process.exit(2);
  }
}

/** --show-config: the document the agent validates, profile defaults included (YAML). */
function showConfig(file: string): void {
  try {
    const { doc, profile } = expandAgentDocument(file, readConfigText(path.resolve(file), 'convoy-agent'));
    const header = profile ? `# ${file} with profile ${profile} expanded: the keys below are what convoy-agent runs with\n` : '';
    process.stdout.write(header + YAML.stringify(doc));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`convoy-agent: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n${err.hint ?? ''}\n`);
    process.exit(2);
  }
}

/** --check-config: valid; say what the agent would run. */
function checkConfig(config: AgentConfig): void {
  const names = (steps: { name: string; enabled: boolean }[]): string =>
    steps
      .filter((s) => s.enabled)
      .map((s) => s.name)
      .join(', ');
  process.stdout.write(
    [
      `${config.file}: valid${config.profile ? ` (profile ${config.profile})` : ''}`,
      `  agent ${config.id} -> ${config.coordinator.address}`,
      `  repo ${config.repo}, make in ${config.serverDir}, state in ${config.stateDir}`,
      `  update: ${names(config.steps)}`,
      `  rollback: ${names(config.rollback)}`,
      '',
    ].join('\n'),
  );
}

/** Builds the object graph: each constructor gets what it uses, nothing global. */
function wire(config: AgentConfig, logger: Logger, version: string): { daemon: Daemon; journal: Journal } {
  const clock = systemClock;
  const plan = new Plan({ config, clock, logger });
  const journal = Journal.open({ stateDir: config.stateDir, clock, logger });
  const link = new Link({
    address: config.coordinator.address,
    agentId: config.id,
    agentVersion: version,
    heartbeatIntervalMs: config.coordinator.heartbeatIntervalMs,
    backoff: config.coordinator.backoff,
    clock,
    logger,
    openStream: grpcStreamOpener(config),
  });
  const health = new HealthMonitor({
    probe: () => plan.probeHealth(),
    intervalMs: config.health?.monitorIntervalMs,
    clock,
    logger,
    onChange: (h) => link.send({ health: { health: h } }),
  });
  const processes = { killProcessGroup, processGroupAlive };
  const daemon = new Daemon({
    config,
    plan,
    journal,
    link,
    health,
    clock,
    logger,
    processes,
    agentVersion: version,
    hostname: os.hostname(),
    graceMs: graceFromEnv(logger),
  });
  return { daemon, journal };
}

/** On a second signal the operator wants out now; the step's own process group goes with us. */
function exitAtOnce(sig: NodeJS.Signals, journal: Journal, logger: Logger): never {
  const entry = journal.inFlight;
  const killed: number[] = [];
  for (const pgid of entry ? processGroupsOf(entry) : []) {
    try {
      if (signalProcessGroup(pgid, 'SIGKILL')) killed.push(pgid);
    } catch {
      // leave it to the next start's recovery, which kills what the journal names
    }
  }
  logger.warn(
    `second ${sig}: exiting at once${killed.length ? ` (killed process group ${killed.join(', ')} of step ${entry?.step})` : ''}`,
  );
  process.exit(130);
}

function installSignalHandlers(daemon: Daemon, journal: Journal, logger: Logger): void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) exitAtOnce(sig, journal, logger);
    logger.info(`${sig} received: finishing the step in flight, then stopping`);
    daemon.stop(`${sig} received`).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${messageOf(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  const version = convoyPackage().version;
  // `convoy-agent doctor --config agent.yaml` checks the host and exits (agent/doctor/)
  if (process.argv[2] === 'doctor') {
    const code = await runDoctor(process.argv.slice(3), (text) => process.stdout.write(text)).catch((err: unknown) => {
      if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
      throw err;
    });
    process.exit(code);
  }
  const program = new Command('convoy-agent')
    .description("Convoy agent: runs its server's update steps for the coordinator")
    .addHelpText(
      'after',
      '\nCheck a host before its first update:\n  convoy-agent doctor --config agent.yaml   (exit 0: nothing failed, 1: a check failed)',
    )
    .requiredOption('--config <file>', 'agent.yaml')
    .option('--check-config', 'validate agent.yaml (and what its profile reads on this host), print the plan, exit 0 or 2')
    .option('--show-config', 'print agent.yaml with its profile expanded (the keys the agent really runs with), then exit')
    .version(version)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .parse();
  const opts = program.opts<{ config: string; checkConfig?: boolean; showConfig?: boolean }>();
  if (opts.showConfig) return showConfig(opts.config);
  const config = loadConfigOrExit(opts.config);
  if (opts.checkConfig) return checkConfig(config);
  const logger = createLogger({ component: 'convoy-agent', fields: { agentId: config.id } });
  process.on('unhandledRejection', (err) => {
    // A daemon in an unknown state is worse than a restarted one: systemd restarts us and the journal recovers.
    logger.error(`unexpected error: ${messageOf(err)}`, { stack: err instanceof Error ? err.stack : undefined });
    process.exit(1);
  });
  try {
    const { daemon, journal } = wire(config, logger, version);
    installSignalHandlers(daemon, journal, logger);
    await daemon.start();
  } catch (err) {
    const hint = err instanceof ConvoyError && err.hint ? ` ${err.hint}` : '';
    logger.error(`convoy-agent ${config.id} could not start: ${messageOf(err)}${hint}`);
    process.exit(1);
  }
  logger.info(`convoy-agent ${config.id} started`, { version, coordinator: config.coordinator.address, stateDir: config.stateDir });
}

main().catch((err: unknown) => {
  process.stderr.write(`convoy-agent: ${messageOf(err)}\n`);
  process.exit(1);
});
