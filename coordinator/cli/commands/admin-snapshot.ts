/**
 * `convoy admin snapshot save|restore`: a consistent copy of convoyd's state, and putting one
 * back. `save` asks the running convoyd (operator role) and the file lands on convoyd's host;
 * `restore` runs on that host, offline, against a stopped convoyd's state file
 * (coordinator/store/snapshot-restore.ts says what makes it safe). docs/upgrading.md.
 */
import type { Command } from 'commander';
import type { RestoreReport } from '../../store/snapshot-restore.js';
import { action, clientFor, type CliContext } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { JSON_FLAG } from '../options.js';
import { formatBytes, formatTimestamp, printJson } from '../output.js';
import type { SnapshotView } from '../views.js';

/** `save` as text: where the file is (on convoyd's host), what it holds, how to restore it. */
export function formatSnapshot(s: SnapshotView): string[] {
  const unfinished = s.unfinishedRollouts.length ? `; in progress: ${s.unfinishedRollouts.join(', ')}` : '';
  return [
    `Snapshot written on convoyd's host (not on this machine, unless convoyd runs here): ${s.path}`,
    `  ${formatBytes(s.sizeBytes)}, mode 0600, schema ${s.schemaVersion}, convoyd ${s.convoyVersion}, taken ${formatTimestamp(s.takenAtMs)}`,
    `  ${s.rollouts} rollout${s.rollouts === 1 ? '' : 's'}${unfinished}`,
    `  sha256 ${s.sha256}`,
    'Copy it off that host to keep it. To restore it there, with convoyd stopped:',
    `  convoy admin snapshot restore ${s.path} --config /etc/convoy/coordinator.yaml`,
  ];
}

/** `restore` as text: what replaced what, where the old state is, what to run next. */
export function formatRestore(r: RestoreReport, schemaVersion: number): string[] {
  const unfinished = r.unfinished.length ? `; in progress: ${r.unfinished.join(', ')}` : '';
  const lines = [
    `Restored ${r.stateFile} from ${r.snapshot} (schema ${r.schemaVersion}, ${r.rollouts} rollout${r.rollouts === 1 ? '' : 's'}${unfinished}).`,
  ];
  if (r.schemaVersion < schemaVersion)
    lines.push(`convoyd migrates it from schema ${r.schemaVersion} to ${schemaVersion} when it starts (after a copy of its own).`);
  lines.push(r.previous ? `The state it replaced is kept in ${r.previous}.` : 'There was no state file before.');
  lines.push('Next: start convoyd (sudo systemctl start convoyd); the agents reconnect and report what they did since the snapshot.');
  return lines;
}

interface RestoreOptions {
  config?: string;
  stateFile?: string;
  json?: boolean;
}

function registerSave(snapshot: Command, ctx: CliContext): void {
  snapshot
    .command('save')
    .description(
      "ask the running convoyd for an online, consistent copy of its state; written on convoyd's host, in snapshots/ next to its stateFile (mode 0600)",
    )
    .argument('<file>', 'a file name (e.g. before-0.4.0.db), or an absolute path in that snapshots/ directory')
    .option('--force', 'replace a snapshot of that name')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (file: string, opts: { force?: boolean; json?: boolean }, cmd: Command) => {
        const s = await clientFor(ctx, cmd).saveSnapshot({ file, force: opts.force === true });
        if (opts.json) printJson(ctx.out, s);
        else for (const line of formatSnapshot(s)) ctx.out.line(line);
        return EXIT.ok;
      }),
    );
}

function registerRestore(snapshot: Command, ctx: CliContext): void {
  snapshot
    .command('restore')
    .description(
      "on convoyd's host, with convoyd stopped: put a snapshot in place of its state file (refused while convoyd runs; the replaced state is kept)",
    )
    .argument('<file>', 'the snapshot file (on this host)')
    .option('--config <file>', 'coordinator.yaml: restore into its stateFile (and refuse while something listens on its address)')
    .option('--state-file <path>', 'restore into this state file instead')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (file: string, opts: RestoreOptions) => {
        if (Boolean(opts.config) === Boolean(opts.stateFile))
          throw usageError('give either --config <coordinator.yaml> (its stateFile) or --state-file <path>, one of the two.');
        const { restoreFromCli } = await import('./admin-restore.js');
        const outcome = await restoreFromCli({ snapshot: file, config: opts.config, stateFile: opts.stateFile, now: () => ctx.now() });
        if ('refused' in outcome) throw new CliError(EXIT.usage, outcome.refused);
        if (opts.json) printJson(ctx.out, outcome.report);
        else for (const line of formatRestore(outcome.report, outcome.schemaVersion)) ctx.out.line(line);
        return EXIT.ok;
      }),
    );
}

export function registerAdmin(program: Command, ctx: CliContext): void {
  const admin = program.command('admin').description('administer convoyd itself: snapshots of its state (docs/upgrading.md)');
  const snapshot = admin.command('snapshot').description("save convoyd's state online, or restore it into a stopped convoyd");
  registerSave(snapshot, ctx);
  registerRestore(snapshot, ctx);
}
