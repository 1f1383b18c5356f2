/**
 * `convoy-agent doctor --config agent.yaml`: checks on this host everything an update will
 * need, with the agent's own modules (config, git, health probe, command runner), and prints a
 * verdict per item: ok, warn (an update may still work) or fail, with the fix. Exit 0 when
 * nothing fails, 1 otherwise. It changes nothing but a `git fetch --tags` (what the agent does
 * before every inspection) and a probe file it writes and removes in the directories it checks.
 */
import path from 'node:path';
import { Command } from 'commander';
import { loadAgentConfig } from '../config.js';
import { GitRepo } from '../exec/git.js';
import { planSteps, rollbackSteps } from '../plan/steps.js';
import type { AgentConfig } from '../types.js';
import { ConfigError, messageOf } from '../../shared/errors.js';
import { inertText } from '../../shared/terminal-text.js';
import { checkCertificates } from './certificates.js';
import { checkMakeTargets, checkPrograms } from './commands.js';
import { checkBackupDirectory, checkCoordinator, checkHealth, checkStateDirectory } from './host.js';
import { checkRepository } from './repository.js';
import { exitCodeOf, fail, ok, type Finding } from './verdict.js';

/** Every check, in the order an update meets them. */
export async function diagnose(config: AgentConfig): Promise<Finding[]> {
  const names = (steps: { name: string }[]): string => steps.map((s) => s.name).join(', ');
  const installed = await new GitRepo(config.repo)
    .state(config.trackedBranch)
    .then((s) => s.installedVersion)
    .catch(() => '');
  return [
    ok(
      'config',
      `${path.basename(config.file)} is valid${config.profile ? ` (profile ${config.profile})` : ''}; update: ${names(planSteps(config))}; rollback: ${names(rollbackSteps(config))}`,
    ),
    ...(await checkRepository(config)),
    ...checkPrograms(config),
    ...(await checkMakeTargets(config)),
    await checkHealth(config, installed),
    await checkBackupDirectory(config),
    checkStateDirectory(config),
    ...checkCertificates(config),
    await checkCoordinator(config),
  ];
}

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** The report as text lines. */
export function formatFindings(file: string, agentId: string, findings: readonly Finding[]): string[] {
  const width = Math.max(...findings.map((f) => f.item.length));
  const lines = [`convoy-agent doctor: ${file}${agentId ? ` (agent ${agentId})` : ''}`];
  for (const f of findings) {
    lines.push(inertText(`${LABEL[f.verdict]}  ${f.item.padEnd(width)}  ${f.detail}`));
    if (f.fix && f.verdict !== 'ok') lines.push(inertText(`      ${' '.repeat(width)}  fix: ${f.fix}`));
  }
  const count = (v: Finding['verdict']): number => findings.filter((f) => f.verdict === v).length;
  const failed = count('fail');
  lines.push(
    `${failed} failed, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}, ${count('ok')} ok: ` +
      (failed ? 'fix the failures before the next rollout (exit 1)' : 'this host is ready for an update (exit 0)'),
  );
  return lines;
}

/** Runs the doctor for `argv` (after `doctor`); resolves with the exit code. */
export async function runDoctor(argv: string[], out: (text: string) => void): Promise<number> {
  const program = new Command('convoy-agent doctor')
    .description('check on this host everything an update will need; exit 0 when nothing fails, 1 otherwise')
    .requiredOption('--config <file>', 'agent.yaml')
    .option('--json', 'print the findings as JSON')
    .exitOverride()
    .parse(argv, { from: 'user' });
  const opts = program.opts<{ config: string; json?: boolean }>();
  let findings: Finding[];
  let agentId = '';
  try {
    const config = loadAgentConfig(opts.config);
    agentId = config.id;
    findings = await diagnose(config);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [messageOf(err)];
    findings = problems.map((p) => fail('config', p, `edit ${path.resolve(opts.config)}; convoy-agent --check-config lists every problem`));
  }
  if (opts.json)
    out(`${JSON.stringify({ config: path.resolve(opts.config), agentId, findings, exitCode: exitCodeOf(findings) }, null, 2)}\n`);
  else out(`${formatFindings(path.resolve(opts.config), agentId, findings).join('\n')}\n`);
  return exitCodeOf(findings);
}
