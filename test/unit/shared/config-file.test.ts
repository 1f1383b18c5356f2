import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { z } from 'zod';
import { boundedDuration, writeSize } from '../../../shared/bounded-values.js';
import {
  MAX_CONFIG_BYTES,
  MAX_PROBLEMS,
  limitProblems,
  parseYamlConfig,
  parseYamlDocument,
  readConfigText,
} from '../../../shared/config-file.js';
import { writeDuration } from '../../../shared/durations.js';
import { ConfigError } from '../../../shared/errors.js';

const HINT = 'Edit /etc/convoy/x.yaml and restart convoyd.';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config files (shared/config-file.ts)', () => {
  it('refuses a YAML alias bomb as a ConfigError naming the file and the fix', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 8; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    expect(problemsOf(() => parseYamlDocument('/etc/convoy/x.yaml', lines.join('\n'), HINT))).to.deep.equal([
      'x.yaml: its YAML aliases (*name) expand too far (more than 100 resolved, as in a "billion laughs" document); write the values out instead of aliasing aliases',
    ]);
  });

  it('still reads a document with a few aliases', () => {
    expect(parseYamlDocument('/x.yaml', 'a: &a [1, 2]\nb: *a\n', HINT)).to.deep.equal({ a: [1, 2], b: [1, 2] });
  });

  it('names five unknown keys and counts the rest', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n');
    const found = problemsOf(() => parseYamlConfig('/etc/convoy/x.yaml', text, z.strictObject({}), HINT));
    expect(found).to.deep.equal([
      'x.yaml: unknown keys "k0", "k1", "k2", "k3", "k4" and 19995 more (check the spelling; see docs/configuration.md for the keys)',
    ]);
  });

  it('names a single unknown key without counting', () => {
    expect(problemsOf(() => parseYamlConfig('/x.yaml', 'listn: 1\n', z.strictObject({}), HINT))).to.deep.equal([
      'x.yaml: unknown key "listn" (check the spelling; see docs/configuration.md for the keys)',
    ]);
  });

  it('lists at most MAX_PROBLEMS problems, the last counting the others', () => {
    const many = Array.from({ length: 50 }, (_, i) => `p${i}`);
    const shown = limitProblems(many);
    expect(shown).to.have.length(MAX_PROBLEMS);
    expect(shown.at(-1)).to.equal(`… and ${50 - MAX_PROBLEMS + 1} more problems (fix the ones above first)`);
    expect(limitProblems(['a', 'b'])).to.deep.equal(['a', 'b']);
  });

  it('refuses a file larger than a config file may be, before parsing it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-config-file-'));
    try {
      const big = path.join(dir, 'coordinator.yaml');
      fs.writeFileSync(big, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
      expect(problemsOf(() => readConfigText(big, 'convoyd'))).to.deep.equal([
        `${big} is ${MAX_CONFIG_BYTES + 3} bytes, more than a config file may be (1 MiB); is it the right file?`,
      ]);
      expect(problemsOf(() => readConfigText(dir, 'convoyd'))).to.deep.equal([`${dir} is a directory, not a config file`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a duration outside its bound with the range and the default', () => {
    const schema = z.strictObject({
      t: boundedDuration({ min: 1000, max: 60_000, dflt: '5s', below: 'too eager', above: 'too lazy', zero: 'zero means something else' }),
    });
    const check = (t: string): string[] => problemsOf(() => parseYamlConfig('/x.yaml', `t: ${t}\n`, schema, HINT));
    expect(check('500ms')).to.deep.equal([
      'x.yaml: t "500ms" is shorter than the minimum 1s (too eager); write a duration from 1s to 1m, e.g. "5s" (the default)',
    ]);
    expect(check('2m')).to.deep.equal([
      'x.yaml: t "2m" is longer than the maximum 1m (too lazy); write a duration from 1s to 1m, e.g. "5s" (the default)',
    ]);
    expect(check('0s')).to.deep.equal([
      'x.yaml: t "0s" zero means something else; write a duration from 1s to 1m, e.g. "5s" (the default)',
    ]);
    expect(parseYamlConfig('/x.yaml', 't: 1m\n', schema, HINT)).to.deep.equal({ t: 60_000 });
  });

  it('writes durations and sizes as operators write them', () => {
    expect([500, 1000, 90_000, 600_000, 3_600_000, 5_400_000, 86_400_000 * 3650].map(writeDuration)).to.deep.equal([
      '500ms',
      '1s',
      '1m30s',
      '10m',
      '1h',
      '1h30m',
      '3650d',
    ]);
    expect([1024 ** 2, 1024 ** 4, 1536, 100].map(writeSize)).to.deep.equal(['1MiB', '1TiB', '1536B', '100B']);
  });
});

describe('config files: repeated keys', () => {
  it('refuses a key given twice in one mapping, naming its line', () => {
    expect(problemsOf(() => parseYamlDocument('/x.yaml', 'a: 1\nb:\n  c: 1\n  c: 2\n', HINT))).to.deep.equal([
      'x.yaml: line 4, column 3 is not valid YAML: key "c" appears twice in one mapping',
    ]);
  });

  it('accepts the same key in two mappings', () => {
    expect(parseYamlDocument('/x.yaml', 'a: {c: 1}\nb: {c: 2}\n', HINT)).to.deep.equal({ a: { c: 1 }, b: { c: 2 } });
  });
});
