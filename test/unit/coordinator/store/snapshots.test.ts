import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { Rollout } from '../../../../coordinator/rollout/model.js';
import { restoreSnapshot } from '../../../../coordinator/store/snapshot-restore.js';
import { saveSnapshot, snapshotDir } from '../../../../coordinator/store/snapshot-save.js';
import { SCHEMA_VERSION, SqliteStore } from '../../../../coordinator/store/sqlite-store.js';
import { ConvoyError } from '../../../../shared/errors.js';

function rollout(id: string, state: Rollout['state']): Rollout {
  return { id, cluster: 'hoss', target: '0.2.0', state, phase: 'members', createdAtMs: 1, updatedAtMs: 2, hosts: [] } as unknown as Rollout;
}

/** The ConvoyError a promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<ConvoyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConvoyError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('coordinator/store: snapshots (save online, restore offline)', () => {
  let dir: string;
  let stateFile: string;
  let store: SqliteStore;
  const now = () => Date.UTC(2026, 0, 2, 3, 4, 5);
  const save = (file: string, force = false) => saveSnapshot(store, { stateFile, file, force, convoyVersion: '9.9.9', now });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-snapshots-'));
    stateFile = path.join(dir, 'state.db');
    store = new SqliteStore(stateFile);
    store.saveRollout(rollout('r-1', 'succeeded'), []);
    store.saveRollout(rollout('r-2', 'running'), [
      { atMs: 1, rolloutId: 'r-2', agentId: '', step: '', actor: 'alice', kind: 'action', message: 'started' },
    ]);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a whole, self-contained snapshot in snapshots/ next to the state file, mode 0600, and says what it holds', async () => {
    const s = await save('before-upgrade.db');
    expect(s.path).to.equal(path.join(dir, 'snapshots', 'before-upgrade.db'));
    expect(fs.statSync(s.path).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(snapshotDir(stateFile)).mode & 0o777).to.equal(0o700);
    expect(s).to.include({ schemaVersion: SCHEMA_VERSION, convoyVersion: '9.9.9', rollouts: 2, takenAtMs: now() });
    expect(s.unfinishedRollouts).to.deep.equal(['r-2']);
    expect(s.sizeBytes).to.equal(fs.statSync(s.path).size);
    expect(s.sha256).to.match(/^[0-9a-f]{64}$/);
    // nothing beside it: no temporary file, no -wal or -shm (it is not a WAL-mode file)
    expect(fs.readdirSync(path.dirname(s.path))).to.deep.equal(['before-upgrade.db']);
    const copy = new Database(s.path, { readonly: true });
    expect(copy.prepare('SELECT id FROM rollouts ORDER BY seq').all()).to.deep.equal([{ id: 'r-1' }, { id: 'r-2' }]);
    expect(copy.prepare('SELECT message FROM events').all()).to.deep.equal([{ message: 'started' }]);
    copy.close();
    expect(fs.readdirSync(path.dirname(s.path))).to.deep.equal(['before-upgrade.db']);
  });

  it('includes what convoyd writes while the copy is made (the copy is as of its end)', async () => {
    const taking = save('busy.db');
    store.saveRollout(rollout('r-3', 'pending'), []);
    const s = await taking;
    expect(s.rollouts).to.equal(3);
  });

  it('never replaces a snapshot without force, and replaces it with force', async () => {
    await save('nightly.db');
    const again = await refusal(save('nightly.db'));
    expect(again.code).to.equal('ALREADY_EXISTS');
    expect(again.message).to.equal(
      `snapshot ${path.join(dir, 'snapshots', 'nightly.db')} already exists on convoyd's host; choose another name, or pass --force to replace it`,
    );
    store.saveRollout(rollout('r-3', 'pending'), []);
    expect((await save('nightly.db', true)).rollouts).to.equal(3);
  });

  for (const bad of ['../state.db', '/etc/cron.d/x', 'sub/dir.db', '.hidden', '', 'a b.db']) {
    it(`writes nowhere but its snapshot directory: refuses ${JSON.stringify(bad)}`, async () => {
      const err = await refusal(save(bad));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.contain(`nor a path in ${snapshotDir(stateFile)}`);
    });
  }

  it('accepts an absolute path inside the snapshot directory', async () => {
    const s = await save(path.join(snapshotDir(stateFile), 'abs.db'));
    expect(s.path).to.equal(path.join(dir, 'snapshots', 'abs.db'));
  });

  it('refuses to restore while convoyd holds the state file, and changes nothing', async () => {
    const s = await save('snap.db');
    const err = await refusal(restoreSnapshot({ snapshot: s.path, stateFile, now }));
    expect(err.message).to.equal(`the state file ${stateFile} is in use: convoyd is running with it`);
    expect(err.hint).to.contain('systemctl stop convoyd');
    expect(fs.readdirSync(dir).filter((f) => f.includes('restore'))).to.deep.equal([]);
  });

  it('a second convoyd cannot open a state file another one holds', () => {
    expect(() => new SqliteStore(stateFile, { openWaitMs: 50 })).to.throw(
      `the state file ${stateFile} is in use by another process (another convoyd with this stateFile, or a restore in progress)`,
    );
  });

  it('restores into a stopped convoyd: the snapshot replaces the state, the replaced state is kept, convoyd opens it', async () => {
    const s = await save('snap.db');
    store.saveRollout(rollout('r-3', 'running'), []);
    store.close();
    const report = await restoreSnapshot({ snapshot: s.path, stateFile, now });
    expect(report).to.include({ stateFile, snapshot: s.path, schemaVersion: SCHEMA_VERSION, rollouts: 2 });
    expect(report.previous).to.equal(`${stateFile}.before-restore-20260102T030405Z`);
    expect(fs.statSync(stateFile).mode & 0o777).to.equal(0o600);
    store = new SqliteStore(stateFile);
    expect(store.listRollouts({ limit: 10 }).map((r) => r.id)).to.deep.equal(['r-2', 'r-1']);
    const kept = new Database(report.previous, { readonly: true });
    expect(kept.prepare('SELECT COUNT(*) AS n FROM rollouts').get()).to.deep.equal({ n: 3 });
    kept.close();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).to.deep.equal([]);
  });

  it('restores into a new state file (a fresh convoyd), leaving the snapshot as it was', async () => {
    const s = await save('snap.db');
    const before = fs.readFileSync(s.path);
    const fresh = path.join(dir, 'new', 'state.db');
    fs.mkdirSync(path.dirname(fresh), { mode: 0o700 });
    const report = await restoreSnapshot({ snapshot: s.path, stateFile: fresh, now });
    expect(report.previous).to.equal('');
    expect(fs.readFileSync(s.path).equals(before)).to.equal(true);
    expect(fs.readdirSync(path.dirname(s.path))).to.deep.equal(['snap.db']);
    const restored = new SqliteStore(fresh);
    expect(restored.unfinishedRollouts().map((r) => r.id)).to.deep.equal(['r-2']);
    restored.close();
  });

  it('refuses a snapshot of a newer schema, naming both schemas', async () => {
    const s = await save('snap.db');
    const db = new Database(s.path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    store.close();
    const err = await refusal(restoreSnapshot({ snapshot: s.path, stateFile, now }));
    expect(err.message).to.equal(
      `the snapshot ${s.path} has schema ${SCHEMA_VERSION + 1}, written by a newer Convoy (this one knows up to schema ${SCHEMA_VERSION})`,
    );
    store = new SqliteStore(stateFile);
    expect(store.listRollouts({ limit: 10 })).to.have.length(2);
  });

  it('refuses what is not a Convoy snapshot: another SQLite file, or not SQLite at all', async () => {
    store.close();
    const other = path.join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    expect((await refusal(restoreSnapshot({ snapshot: other, stateFile, now }))).message).to.equal(
      `${other} is an SQLite file but not a Convoy state snapshot (it has no rollouts table)`,
    );
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'x'.repeat(4096));
    expect((await refusal(restoreSnapshot({ snapshot: junk, stateFile, now }))).message).to.equal(
      `cannot read the snapshot ${junk}: it is not an SQLite database`,
    );
    const missing = path.join(dir, 'missing.db');
    expect((await refusal(restoreSnapshot({ snapshot: missing, stateFile, now }))).message).to.equal(
      `the snapshot ${missing} does not exist (or is not a file)`,
    );
    store = new SqliteStore(stateFile);
  });

  it('refuses while something listens on convoyd address', async () => {
    const s = await save('snap.db');
    store.close();
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await refusal(restoreSnapshot({ snapshot: s.path, stateFile, listen: `127.0.0.1:${port}`, now }));
      expect(err.message).to.equal(`something listens on convoyd's address 127.0.0.1:${port}: convoyd is running`);
    } finally {
      server.close();
    }
    store = new SqliteStore(stateFile);
  });
});
