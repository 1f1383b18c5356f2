/**
 * A state file written by the first Convoy (schema 0), migrated by today's convoyd on start with
 * nothing lost. The fixture state-schema-0.db is real: `convoy demo --keep` of commit 3e09d34 (the
 * first release) left it after rollout r-1 of cluster demo (hoss-auth, hoss-a, hoss-b) to 0.2.0.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { createFleet, type Sandbox } from '../../helpers/index.js';
import { rolloutEvents, waitFinished } from '../faults/support.js';
import { start, status } from '../support.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'state-schema-0.db');

interface OldFacts {
  events: string[];
  logLines: string[];
  steps: number;
  allEvents: number;
}

/** What the first Convoy stored about r-1, read from its own tables (in `file`, a copy: SQLite in WAL mode writes beside a file it reads). */
function oldFacts(file: string): OldFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('user_version', { simple: true })).to.equal(0);
    const events = db.prepare("SELECT message FROM events WHERE rollout_id = 'r-1' ORDER BY seq").all() as { message: string }[];
    const lines = db
      .prepare("SELECT line FROM log_lines WHERE rollout_id = 'r-1' AND agent_id = 'hoss-a' AND step = 'build' ORDER BY seq")
      .all() as { line: string }[];
    const steps = db.prepare("SELECT COUNT(*) AS n FROM step_runs WHERE rollout_id = 'r-1'").get() as { n: number };
    const all = db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number };
    return { events: events.map((e) => e.message), logLines: lines.map((l) => l.line), steps: steps.n, allEvents: all.n };
  } finally {
    db.close();
  }
}

export function migrationChecks(sandbox: Sandbox): void {
  it("migrates the first Convoy's state file on start, keeps a copy, loses no rollout, event or output, and goes on numbering rollouts", async () => {
    const original = path.join(sandbox.dir, 'state-schema-0.db');
    fs.copyFileSync(FIXTURE, original);
    const old = oldFacts(original);
    expect(old.events.length).to.be.greaterThan(20);
    expect(old.logLines.length).to.be.greaterThan(0);
    const fleet = await createFleet({ dir: sandbox.dir, cluster: { name: 'demo' }, start: false });
    fs.mkdirSync(path.dirname(fleet.stateFile), { recursive: true, mode: 0o700 });
    fs.copyFileSync(FIXTURE, fleet.stateFile);
    // as convoyd itself creates it: a clean clone checks the fixture out with the umask's mode (0644 in CI)
    fs.chmodSync(fleet.stateFile, 0o600);

    const convoyd = await fleet.startCoordinator();
    const copy = `${fleet.stateFile}.schema-0.bak`;
    await convoyd.waitForLine(/migrated from schema 0 to \d+; the file as it was is kept as/);
    expect(convoyd.output()).to.contain(`state file ${fleet.stateFile} migrated from schema 0 to`);
    expect(convoyd.output()).to.contain(`kept as ${copy}`);
    expect(fs.statSync(copy).mode & 0o777).to.equal(0o600);
    const kept = new Database(copy, { readonly: true });
    expect((kept.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).to.equal(old.allEvents);
    kept.close();

    const r1 = await status(fleet, 'r-1');
    expect([r1.state, r1.cluster, r1.targetVersion]).to.deep.equal(['succeeded', 'demo', '0.2.0']);
    expect(r1.hosts.map((h) => [h.agentId, h.state])).to.deep.equal([
      ['hoss-auth', 'updated'],
      ['hoss-a', 'updated'],
      ['hoss-b', 'updated'],
    ]);
    expect(r1.hosts.flatMap((h) => h.steps).length).to.equal(old.steps);
    expect((await rolloutEvents(fleet, 'r-1')).map((e) => e.message)).to.deep.equal(old.events);
    const logs = await fleet.cli(['rollout', 'logs', 'r-1', '--host', 'hoss-a', '--step', 'build']);
    expect(logs.code, logs.stderr).to.equal(0);
    for (const line of old.logLines) expect(logs.stdout).to.contain(line);

    // the migrated file goes on: the next rollout is r-2, and a second start migrates nothing
    for (const h of fleet.hosts) fleet.startAgent(h.name);
    await fleet.waitAgentsConnected(fleet.hosts.map((h) => h.name));
    const id = await start(fleet, ['demo', '--to', '0.2.0']);
    expect(id).to.equal('r-2');
    expect((await waitFinished(fleet, id)).state).to.equal('succeeded');
    await fleet.stopCoordinator();
    const again = await fleet.startCoordinator();
    expect(again.output()).to.not.contain('migrated from schema');
    expect((await status(fleet, 'r-1')).state).to.equal('succeeded');
  });
}
