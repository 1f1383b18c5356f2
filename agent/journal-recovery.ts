/**
 * What a restarted agent does about the processes of a step it left in flight: kill the groups
 * the journal names, unless the host rebooted since (the ids may belong to someone else now).
 */
import fs from 'node:fs';
import { messageOf } from '../shared/errors.js';
import { processGroupsOf, type JournalInFlight, type ProcessGroups } from './journal.js';

/** The kernel's boot id; undefined where there is none. */
export function readBootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Kills what is left of the entry's process groups; returns what happened, for the INTERRUPTED reason. */
export async function cleanUpProcessGroups(entry: JournalInFlight, processes: ProcessGroups, boot: string | undefined): Promise<string> {
  const groups = processGroupsOf(entry);
  if (groups.length === 0) return 'no process group was recorded';
  if (entry.bootId && boot && entry.bootId !== boot) return `the host rebooted since, so process group ${groups.join(', ')} is gone`;
  const outcomes: string[] = [];
  for (const pgid of groups) {
    if (!processes.processGroupAlive(pgid)) {
      outcomes.push(`process group ${pgid} had already exited`);
      continue;
    }
    try {
      await processes.killProcessGroup(pgid);
      outcomes.push(`process group ${pgid} killed`);
    } catch (err) {
      outcomes.push(`process group ${pgid} could not be killed (${messageOf(err)}); check the host for leftover processes`);
    }
  }
  return outcomes.join('; ');
}
