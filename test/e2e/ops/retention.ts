/**
 * backup.keep on a real agent over several rollouts: after each one the archives on disk are
 * exactly what the policy keeps and `convoy backups` lists exactly those files; an archive
 * deleted by hand leaves the catalogue with a log line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createFleet, waitFor, type Fleet, type Sandbox } from '../../helpers/index.js';

const VERSIONS = ['0.1.0', '0.1.1', '0.1.2', '0.2.0', '0.2.1'].map((version) => ({ version, changelog: `- ${version}` }));

interface Listed {
  keepPerMinor: number;
  backups: { backup: { path: string; version: string; step: string } }[];
}

async function listed(fleet: Fleet): Promise<Listed> {
  const res = await fleet.cli(['backups', 'hoss-a', '--json']);
  if (res.code !== 0) throw new Error(`convoy backups exited ${res.code}: ${res.stderr}`);
  return res.json as Listed;
}

/**
 * Waits until `convoy backups` lists `expected` ("step@version", newest first), then checks that
 * it names exactly the files on disk. The agent prunes right after its backup step has reported,
 * and its catalogue reaches convoyd with the report that follows: a rollout is seen finished a
 * moment before that report arrives.
 */
async function expectKept(fleet: Fleet, expected: string[]): Promise<void> {
  const dir = fleet.host('hoss-a').server.backupsDir;
  let last: Listed | undefined;
  const names = (l: Listed): string[] => l.backups.map((b) => `${b.backup.step}@${b.backup.version}`);
  await waitFor(
    async () => {
      last = await listed(fleet);
      return JSON.stringify(names(last)) === JSON.stringify(expected);
    },
    {
      what: `convoy backups hoss-a to list ${expected.join(', ')}`,
      timeoutMs: 15_000,
      describe: () => JSON.stringify(last && names(last)),
    },
  );
  const files = fs.readdirSync(dir).sort();
  expect(last!.backups.map((b) => path.basename(b.backup.path)).sort(), '`convoy backups` agrees with ls').to.deep.equal(files);
  for (const b of last!.backups) expect(path.dirname(b.backup.path)).to.equal(dir);
}

async function rollTo(fleet: Fleet, version: string): Promise<void> {
  const res = await fleet.cli(['rollout', 'start', '--host', 'hoss-a', '--to', version, '--watch'], { timeoutMs: 90_000 });
  expect(res.code, `rollout to ${version}: ${res.stderr}`).to.equal(0);
}

export function retentionChecks(sandbox: Sandbox): void {
  it('keeps exactly what backup.keep says over several rollouts, `convoy backups` agreeing with ls; an archive deleted by hand leaves the catalogue', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', versions: VERSIONS, agent: { backup: { keep: { perMinor: 2 } } } }],
      cluster: false,
    });
    expect((await listed(fleet)).keepPerMinor).to.equal(2);

    await rollTo(fleet, '0.1.1');
    await expectKept(fleet, ['backup-after@0.1.1', 'backup@0.1.0']);
    // 0.1 has four archives before the last pruning: the newest two stay (one of them the pre-update backup of r-2)
    await rollTo(fleet, '0.1.2');
    await expectKept(fleet, ['backup-after@0.1.2', 'backup@0.1.1']);
    await rollTo(fleet, '0.2.0');
    await expectKept(fleet, ['backup-after@0.2.0', 'backup@0.1.2', 'backup-after@0.1.2']);

    // someone deletes an archive by hand: the next backup step drops it from the catalogue, and says so
    const gone = (await listed(fleet)).backups.find((b) => b.backup.step === 'backup-after' && b.backup.version === '0.1.2')!.backup.path;
    fs.rmSync(gone);
    const agent = fleet.host('hoss-a').agent!;
    const from = agent.lines.length;
    await rollTo(fleet, '0.2.1');
    await agent.waitForLine((l) => l.includes(`archive ${gone} is no longer on disk; dropped from the backup catalogue`), 10_000, { from });
    await expectKept(fleet, ['backup-after@0.2.1', 'backup@0.2.0', 'backup@0.1.2']);
    expect(agent.lines.filter((l) => l.includes('deleted backup archive')).length).to.be.greaterThan(0);

    const text = await fleet.cli(['backups', 'hoss-a']);
    expect(text.stdout.split('\n')[0]).to.equal('hoss-a: installed 0.2.1, 3 backups (backup.keep: keeps the newest 2 per major.minor)');

    // a restarted agent reports the same catalogue
    await fleet.restartAgent('hoss-a');
    await fleet.waitAgentsConnected(['hoss-a']);
    await expectKept(fleet, ['backup-after@0.2.1', 'backup@0.2.0', 'backup@0.1.2']);
  });
}
