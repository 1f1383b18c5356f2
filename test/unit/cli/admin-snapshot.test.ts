/** `convoy admin snapshot save|restore` as the operator sees them (save: a scripted client; restore: real files, no convoyd). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../../coordinator/cli/program.js';
import { SCHEMA_VERSION, SqliteStore } from '../../../coordinator/store/sqlite-store.js';
import { fakeContext } from './fake-context.js';

describe('convoy admin snapshot', () => {
  it('save says the file is on convoyd’s host, what it holds, and how to restore it', async () => {
    const asked: unknown[] = [];
    const { ctx, stdout } = fakeContext({
      saveSnapshot: async (req) => {
        asked.push(req);
        return {
          path: '/var/lib/convoyd/snapshots/before.db',
          sizeBytes: 1536,
          sha256: 'ab'.repeat(32),
          schemaVersion: 2,
          convoyVersion: '0.1.0',
          takenAtMs: 0,
          rollouts: 3,
          unfinishedRollouts: ['r-3'],
        };
      },
    });
    expect(await runCli(['admin', 'snapshot', 'save', 'before.db', '--force'], ctx)).to.equal(0);
    expect(asked).to.deep.equal([{ file: 'before.db', force: true }]);
    expect(stdout().split('\n')).to.deep.equal([
      "Snapshot written on convoyd's host (not on this machine, unless convoyd runs here): /var/lib/convoyd/snapshots/before.db",
      '  1.5 KiB, mode 0600, schema 2, convoyd 0.1.0, taken -',
      '  3 rollouts; in progress: r-3',
      `  sha256 ${'ab'.repeat(32)}`,
      'Copy it off that host to keep it. To restore it there, with convoyd stopped:',
      '  convoy admin snapshot restore /var/lib/convoyd/snapshots/before.db --config /etc/convoy/coordinator.yaml',
      '',
    ]);
  });

  it('restore needs exactly one of --config and --state-file (exit 2, asking nothing of convoyd)', async () => {
    for (const args of [[], ['--config', 'a.yaml', '--state-file', 's.db']]) {
      const { ctx, stderr, connects } = fakeContext();
      expect(await runCli(['admin', 'snapshot', 'restore', 'x.db', ...args], ctx)).to.equal(2);
      expect(stderr()).to.deep.equal([
        'convoy: give either --config <coordinator.yaml> (its stateFile) or --state-file <path>, one of the two.',
      ]);
      expect(connects()).to.equal(0);
    }
  });

  it('restore puts a snapshot in place and says what to run next; refuses while the state file is held, exit 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-cli-restore-'));
    try {
      const source = new SqliteStore(path.join(dir, 'old.db'));
      source.close();
      const target = path.join(dir, 'state.db');
      const held = new SqliteStore(target);
      const refused = fakeContext();
      expect(await runCli(['admin', 'snapshot', 'restore', path.join(dir, 'old.db'), '--state-file', target], refused.ctx)).to.equal(2);
      expect(refused.stderr()[0]).to.equal(
        `convoy: the state file ${target} is in use: convoyd is running with it. Stop convoyd first (sudo systemctl stop convoyd), restore, then start it again.`,
      );
      held.close();
      const done = fakeContext();
      expect(await runCli(['admin', 'snapshot', 'restore', path.join(dir, 'old.db'), '--state-file', target], done.ctx)).to.equal(0);
      const lines = done.stdout().split('\n');
      expect(lines[0]).to.equal(`Restored ${target} from ${path.join(dir, 'old.db')} (schema ${SCHEMA_VERSION}, 0 rollouts).`);
      expect(lines[1]).to.match(
        new RegExp(`^The state it replaced is kept in ${target.replace(/[.]/g, '\\.')}\\.before-restore-\\d{8}T\\d{6}Z\\.$`),
      );
      expect(lines[2]).to.contain('Next: start convoyd (sudo systemctl start convoyd)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
