/** convoyd: composition root. Config first (before any port), then objects, then signals. */
import { Command } from 'commander';
import { ConfigError, messageOf } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import { convoyPackage } from '../shared/package.js';
import { type CoordinatorConfig, loadCoordinatorConfig } from './config.js';
import { CoordinatorDaemon } from './daemon.js';

const pkg = convoyPackage();

async function main(): Promise<void> {
  const program = new Command('convoyd')
    .description('Convoy coordinator: sequences rollouts across linked servers')
    .requiredOption('--config <file>', 'coordinator.yaml')
    .option('--check-config', 'validate the config and exit (0: valid, 2: every problem listed), opening no port')
    .version(pkg.version)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .parse();
  const opts = program.opts<{ config: string; checkConfig?: boolean }>();
  let config;
  try {
    config = loadCoordinatorConfig(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`convoyd: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n${err.hint ?? ''}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.checkConfig) {
    process.stdout.write(`convoyd: ${config.file} is valid (${describeConfig(config)})\n`);
    process.exit(0);
  }
  const logger = createLogger({ component: 'convoyd' });
  const daemon = await CoordinatorDaemon.create(config, logger, pkg.version);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn(`second ${sig}: exiting at once`);
      process.exit(130);
    }
    logger.info(`${sig} received: shutting down`);
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: messageOf(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await daemon.start();
  } catch (err) {
    logger.error(`convoyd could not start: ${messageOf(err)}`);
    process.exit(1);
  }
}

/** What --check-config confirms, in one line. */
function describeConfig(c: CoordinatorConfig): string {
  const http = c.http ? `, metrics on ${c.http}` : '';
  return `listen ${c.listen}${http}, ${c.clusters.length} cluster(s), ${c.schedules.length} schedule(s), ${c.operators.length} operator(s)`;
}

main().catch((err: unknown) => {
  process.stderr.write(`convoyd: ${messageOf(err)}\n`);
  process.exit(1);
});
