/**
 * A child process of the scale benchmark running a share of the simulated agents (several
 * processes, so the generator is not one event loop with thousands of TLS sessions). Driven
 * by the parent over IPC: `start` dials every agent at a random moment within the ramp, and
 * `stop` closes them. Every second it sends its counters and the arrival times of the step
 * requests it received since the last report.
 */
import fs from 'node:fs';
import { silentLogger } from '../../shared/logger.js';
import { agentPem } from './certs.js';
import { SimAgent, emptyCounters, type SimCounters } from './sim-agent.js';

/** parent -> worker */
export type WorkerCommand =
  | {
      kind: 'start';
      address: string;
      ids: string[];
      /** Mutual TLS with the certificates in this directory; plaintext when absent. */
      certsDir?: string;
      caFile?: string;
      rampMs: number;
      heartbeatIntervalMs: number;
      agentVersion: string;
    }
  | { kind: 'stop' };

/** worker -> parent */
export type WorkerReport =
  { kind: 'stats'; counters: SimCounters; connected: number; stepTimes: number[] } | { kind: 'stopped'; counters: SimCounters };

const REPORT_EVERY_MS = 1000;

const counters = emptyCounters();
const agents: SimAgent[] = [];
let stepTimes: number[] = [];

function send(report: WorkerReport): void {
  process.send?.(report);
}

function start(cmd: Extract<WorkerCommand, { kind: 'start' }>): void {
  const logger = silentLogger();
  const ca = cmd.caFile ? fs.readFileSync(cmd.caFile) : undefined;
  for (const id of cmd.ids) {
    const tls = cmd.certsDir && ca ? { ca, ...agentPem(cmd.certsDir, id) } : undefined;
    const agent = new SimAgent({
      id,
      address: cmd.address,
      tls,
      agentVersion: cmd.agentVersion,
      heartbeatIntervalMs: cmd.heartbeatIntervalMs,
      logger,
      counters,
      onStep: (_req, at) => stepTimes.push(at),
    });
    agents.push(agent);
    setTimeout(() => agent.start(), Math.random() * cmd.rampMs);
  }
  setInterval(() => {
    send({ kind: 'stats', counters, connected: agents.filter((a) => a.connected).length, stepTimes });
    stepTimes = [];
  }, REPORT_EVERY_MS);
}

async function stop(): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()));
  send({ kind: 'stopped', counters });
  process.exit(0);
}

process.on('message', (cmd: WorkerCommand) => {
  if (cmd.kind === 'start') start(cmd);
  else void stop();
});
process.on('disconnect', () => process.exit(0));
