import path from 'node:path';
import type { Command } from 'commander';
import { nameArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { JSON_FLAG } from '../options.js';
import { formatBytes, formatTable, formatTimestamp, orDash, paint, printJson, type Paint } from '../output.js';
import type { ListBackupsResponse } from '../views.js';

/** `convoy backups <agent>` as text lines: a summary, then one row per archive. */
export function formatBackups(res: ListBackupsResponse, p: Paint): string[] {
  const rows = res.backups.map((b) => {
    const rec = b.backup;
    const restorable = !b.exists ? p.red('no (file missing)') : b.restorable ? p.green('yes') : 'no';
    return [
      rec ? path.basename(rec.path) : '-',
      orDash(rec?.version),
      rec ? formatBytes(rec.sizeBytes) : '-',
      formatTimestamp(rec?.createdAtMs ?? 0),
      orDash(rec?.sha256.slice(0, 12)),
      orDash(rec?.step),
      restorable,
    ];
  });
  const kept = res.keepPerMinor > 0 ? `keeps the newest ${res.keepPerMinor} per major.minor` : 'keeps every archive';
  const count = `${res.backups.length} backup${res.backups.length === 1 ? '' : 's'}`;
  const head = `${res.agentId}: installed ${orDash(res.installedVersion)}, ${count} (backup.keep: ${kept})`;
  if (rows.length === 0) return [head];
  return [head, '', ...formatTable(['ARCHIVE', 'VERSION', 'SIZE', 'TIME', 'SHA256', 'STEP', 'RESTORABLE'], rows)];
}

export function registerBackups(program: Command, ctx: CliContext): void {
  program
    .command('backups')
    .description("list an agent's backup catalogue and which archives restore into the installed version")
    .argument('<agent>', 'the agent id', nameArg('agent'))
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (agent: string, opts: { json?: boolean }, cmd: Command) => {
        const res = await clientFor(ctx, cmd).listBackups(agent);
        if (opts.json) printJson(ctx.out, res);
        else for (const line of formatBackups(res, paint(ctx.out.color))) ctx.out.line(line);
        return 0;
      }),
    );
}
