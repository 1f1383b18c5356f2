import type { Command } from 'commander';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { formatAgo, formatTable, orDash, paint, printJson, type Paint } from '../output.js';
import type { AgentView } from '../views.js';

/** The health cell: healthy, unhealthy, "-" without a health check, unknown (with the age of the last report) while disconnected. */
export function healthCell(agent: AgentView, now: number, p: Paint): string {
  switch (agent.healthState) {
    case 'healthy':
      return p.green('healthy');
    case 'unhealthy':
      return p.red('unhealthy');
    case 'none':
      return '-';
    default:
      return p.yellow(agent.healthReportedAtMs ? `unknown (last report ${formatAgo(agent.healthReportedAtMs, now)})` : 'unknown');
  }
}

/** The served cell: what the service reports; "?" while unknown; marked when it differs from the checkout. */
function servedCell(agent: AgentView, p: Paint): string {
  if (agent.healthState === 'unknown') return '?';
  if (!agent.servedVersion) return '-';
  const differs = agent.checkedOutVersion && agent.servedVersion.replace(/^v/, '') !== agent.checkedOutVersion.replace(/^v/, '');
  return differs ? p.yellow(agent.servedVersion) : agent.servedVersion;
}

/** `convoy agents` as table lines, ordered by cluster, then id. */
export function formatAgents(agents: AgentView[], now: number, p: Paint): string[] {
  const sorted = [...agents].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.id.localeCompare(b.id));
  const rows = sorted.map((a) => [
    a.id,
    orDash(a.cluster),
    orDash(a.role),
    a.connected ? 'yes' : p.red('no'),
    healthCell(a, now, p),
    orDash(a.checkedOutVersion || a.repo?.installedVersion),
    servedCell(a, p),
    a.repo ? (a.repo.clean ? 'yes' : p.yellow('no')) : '-',
    a.connected ? formatAgo(a.lastSeenMs, now) : p.yellow(formatAgo(a.lastSeenMs, now)),
    orDash(a.agentVersion),
  ]);
  return formatTable(['ID', 'CLUSTER', 'ROLE', 'CONNECTED', 'HEALTH', 'CHECKED OUT', 'SERVED', 'CLEAN', 'LAST SEEN', 'AGENT'], rows);
}

export function registerAgents(program: Command, ctx: CliContext): void {
  program
    .command('agents')
    .description(
      'list the agents the coordinator knows: health, the version checked out, the version served and the convoy-agent release (AGENT)',
    )
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (opts: { json?: boolean }, cmd: Command) => {
        const agents = await clientFor(ctx, cmd).listAgents();
        if (opts.json) printJson(ctx.out, agents);
        else if (agents.length === 0) ctx.out.line('No agents yet. Start convoy-agent on a server host with its agent.yaml.');
        else for (const line of formatAgents(agents, ctx.now(), paint(ctx.out.color))) ctx.out.line(line);
        return 0;
      }),
    );
}
