import type { Command } from 'commander';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { formatAgo, formatTable, orDash, paint, printJson, type Paint } from '../output.js';
import type { AgentView } from '../views.js';

/** The health cell: "healthy", "unhealthy" or "-" when the agent has no health check. */
export function healthCell(agent: AgentView, p: Paint): string {
  const h = agent.health;
  if (!h?.configured) return '-';
  return h.healthy ? p.green('healthy') : p.red('unhealthy');
}

/** `convoy agents` as table lines, ordered by cluster, then id. */
export function formatAgents(agents: AgentView[], now: number, p: Paint): string[] {
  const sorted = [...agents].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.id.localeCompare(b.id));
  const rows = sorted.map((a) => [
    a.id,
    orDash(a.cluster),
    orDash(a.role),
    a.connected ? 'yes' : p.red('no'),
    healthCell(a, p),
    orDash(a.repo?.installedVersion),
    a.repo ? (a.repo.clean ? 'yes' : p.yellow('no')) : '-',
    a.connected ? formatAgo(a.lastSeenMs, now) : p.yellow(formatAgo(a.lastSeenMs, now)),
  ]);
  return formatTable(['ID', 'CLUSTER', 'ROLE', 'CONNECTED', 'HEALTH', 'VERSION', 'CLEAN', 'LAST SEEN'], rows);
}

export function registerAgents(program: Command, ctx: CliContext): void {
  program
    .command('agents')
    .description('list the agents the coordinator knows, their health and installed version')
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
