import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAgentConfig } from '../../../../agent/config.js';
import { ConfigError } from '../../../../shared/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-procedures-'));
const file = path.join(dir, 'agent.yaml');
fs.mkdirSync(path.join(dir, 'hoss', '.git'), { recursive: true });
fs.mkdirSync(path.join(dir, 'hoss', 'server'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASE = 'id: hoss-a\ncoordinator:\n  address: 127.0.0.1:7400\n  insecure: true\nrepo: hoss\nserverDir: hoss/server\nstateDir: state\n';

function problems(text: string): string[] {
  try {
    parseAgentConfig(file, text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('agent config: procedures and step checks', () => {
  it('runs steps of its own in the order the procedures give, with their checks compiled', () => {
    const c = parseAgentConfig(
      file,
      `${BASE}steps:\n  down: { command: make down }\n  restore:\n    command: ./restore.sh\n    alongside: up\n    alongsideAfter: "Please start"\n    expectOutput: "/^Restore (Complete|Done)$/"\n    rejectOutput: [refused]\n    cleanup: ./reset.sh\nprocedures:\n  rollback: [rollback-checkout, down, restore, health]\n`,
    );
    expect(c.rollback.map((s) => s.name)).to.deep.equal(['rollback-checkout', 'down', 'restore', 'health']);
    const restore = c.rollback.find((s) => s.name === 'restore')!;
    expect(restore).to.include({ requiresBackup: true, rerunnable: false, cleanup: './reset.sh' });
    expect(restore.alongside?.step).to.equal('up');
    expect(restore.alongside?.after?.test('*** Ready. Please start the server! ***')).to.equal(true);
    expect(restore.expectOutput.map((p) => [p.test('Restore Done'), p.test('Restore Complete!')])).to.deep.equal([[true, false]]);
    expect(restore.rejectOutput[0]?.test('restore refused: installed')).to.equal(true);
    expect(c.rollback.find((s) => s.name === 'down')).to.include({ command: 'make down', timeoutMs: 30 * 60_000, rerunnable: false });
  });

  it('keeps the default rollback of older agents when none is configured', () => {
    const c = parseAgentConfig(file, `${BASE}steps:\n  restore: { command: ./restore.sh }\n`);
    expect(c.rollback.map((s) => s.name)).to.deep.equal(['rollback-checkout', 'config', 'build', 'up', 'restore', 'health']);
  });

  const table: [string, string, string][] = [
    [
      'a procedure naming an undefined step',
      'procedures:\n  rollback: [rollback-checkout, wipe, health]\n',
      'agent.yaml: procedures.rollback lists "wipe", which is not a built-in step and is not defined under steps: (define steps.wipe.command, or check the spelling)',
    ],
    [
      'a rollback that does not move the work tree back',
      'procedures:\n  rollback: [build, up, health]\n',
      'agent.yaml: procedures.rollback must include rollback-checkout (a rollback moves the work tree back to where the update started)',
    ],
    [
      'a step that needs the backup in the update',
      'steps:\n  reset: { command: ./reset.sh, requiresBackup: true }\nprocedures:\n  update: [backup, checkout, reset, build]\n',
      'agent.yaml: procedures.update lists reset, which needs the pre-update backup (requiresBackup); only procedures.rollback may run it',
    ],
    [
      'a step run both alongside and in the same procedure',
      'steps:\n  restore: { command: ./restore.sh, alongside: up }\nprocedures:\n  rollback: [rollback-checkout, restore, up, health]\n',
      'agent.yaml: procedures.rollback lists up, which steps.restore already starts alongside; remove one of the two',
    ],
    [
      'a checkout in the rollback',
      'procedures:\n  rollback: [rollback-checkout, checkout, health]\n',
      'agent.yaml: procedures.rollback lists checkout, which a rollback must not run (it moves the server forward or takes a new backup)',
    ],
    [
      'an alongside step that is built in',
      'steps:\n  restore: { command: ./restore.sh, alongside: health }\n',
      'agent.yaml: steps.restore.alongside names health, a built-in step; only a step with a command can run alongside',
    ],
    [
      'a step name reserved for Convoy',
      'steps:\n  rollback-data: { command: ./x }\nprocedures:\n  rollback: [rollback-checkout, rollback-data]\n',
      'agent.yaml: steps.rollback-data: names starting with "rollback-" are reserved for Convoy (choose another name)',
    ],
    [
      'a regex pattern that does not compile',
      'steps:\n  backup: { expectOutput: "/(unclosed/" }\n',
      'agent.yaml: steps.backup.expectOutput[0] is not a valid regular expression (Invalid regular expression: /(unclosed/: Unterminated group); write plain text to match a substring',
    ],
    [
      'a path with ~user',
      'drift:\n  envFile: ~hoss/.hoss/.env\n',
      'agent.yaml: drift.envFile "~hoss/.hoss/.env" uses ~user, which Convoy does not expand: write the absolute path (e.g. /home/hoss/…) or ~/… for the home directory of the user running Convoy',
    ],
  ];
  for (const [what, text, message] of table) {
    it(`names the key and the fix for ${what}`, () => {
      expect(problems(`${BASE}${text}`)).to.include(message);
    });
  }
});
