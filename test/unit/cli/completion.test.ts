/**
 * `convoy completion bash|zsh|fish` and the examples under `--help`. The bash script runs in a
 * real bash (its completion function called as bash's `complete -F` would); fish answers its
 * own `complete -C`; zsh runs the generated function with zsh's completion builtins replaced
 * by stubs that print what would be offered (zsh's completion system needs a terminal).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../../coordinator/cli/program.js';
import { EXAMPLES } from '../../../coordinator/cli/help.js';
import { fakeContext } from './fake-context.js';

async function script(shell: string): Promise<string> {
  const { ctx, stdout, stderr } = fakeContext();
  const code = await runCli(['completion', shell], ctx);
  expect(code, stderr().join('\n')).to.equal(0);
  return stdout();
}

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

function run(shell: string, args: string[], input: string): string {
  const res = spawnSync(shell, args, { input, encoding: 'utf8', timeout: 10_000 });
  expect(res.status, `${shell} failed: ${res.stderr}`).to.equal(0);
  return res.stdout;
}

/** What bash offers after the words (the last one is the word being completed). */
function bashOffers(text: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `${text}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _convoy; printf '%s\\n' "\${COMPREPLY[@]}"\n`;
  return run('bash', ['--norc', '-s'], program).split('\n').filter(Boolean);
}

describe('convoy completion', () => {
  it('refuses a shell it does not know (exit 2)', async () => {
    const { ctx, stderr } = fakeContext();
    expect(await runCli(['completion', 'tcsh'], ctx)).to.equal(2);
    expect(stderr().join('\n')).to.include('bash, zsh, fish');
  });

  describe('bash', () => {
    let text = '';
    before(async () => {
      text = await script('bash');
    });

    const cases: [string[], string[]][] = [
      [['convoy', 'ro'], ['rollout']],
      [
        ['convoy', 'rollout', 'st'],
        ['start', 'status'],
      ],
      [
        ['convoy', '--coordinator', '127.0.0.1:7400', 'rollout', 'l'],
        ['logs', 'list'],
      ],
      [['convoy', 'certs', 'issue', 'o'], ['operator']],
      [['convoy', 'completion', 'z'], ['zsh']],
      [['convoy', 'rollout', 'start', '--t'], ['--to']],
      [['convoy', 'rollout', 'logs', 'r-3', '--f'], ['--follow']],
      // a value: left to bash's default (file names), nothing from the script
      [['convoy', 'rollout', 'start', '--to', ''], []],
    ];
    for (const [words, expected] of cases) {
      it(`offers ${JSON.stringify(expected)} for "${words.join(' ')}"`, () => {
        expect(bashOffers(text, words)).to.deep.equal(expected);
      });
    }

    it('offers the global options after a subcommand, and every rollout action', () => {
      const offers = bashOffers(text, ['convoy', 'rollout', '']);
      expect(offers).to.include.members(['start', 'status', 'watch', 'logs', 'list', 'ack', 'pause', 'resume', 'abort', 'rollback']);
      expect(offers).to.include.members(['--coordinator', '--ca', '--cert', '--key']);
      expect(offers).to.not.include('--version');
    });
  });

  describe('fish', () => {
    before(function () {
      if (!has('fish')) this.skip(); // fish is not installed (Debian package fish; .ci/run installs it)
    });

    it('completes subcommands with their descriptions, options of the command and files for --ca', async () => {
      // fish reads no script from node's stdin (a socket): give it a file
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-completion-'));
      try {
        const file = path.join(dir, 'convoy.fish');
        fs.writeFileSync(file, await script('fish'));
        run('fish', ['--no-execute', file], '');
        const complete = (line: string): string[] =>
          run('fish', ['--no-config', '-c', `source ${file}; complete -C${JSON.stringify(line)}`], '')
            .split('\n')
            .filter(Boolean);
        expect(complete('convoy rollout st')).to.deep.equal([
          'start\tstart a rollout of a cluster (or of one host) to a version; prints its id',
          'status\tshow a rollout: its state, each host and each step run',
        ]);
        expect(complete('convoy completion ')).to.deep.equal(['bash', 'fish', 'zsh']);
        expect(complete('convoy rollout start --t').map((l) => l.split('\t')[0])).to.deep.equal(['--to']);
        expect(complete(`convoy --ca ${dir}/`)).to.deep.equal([file]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('zsh', () => {
    before(function () {
      if (!has('zsh')) this.skip(); // zsh is not installed (Debian package zsh; .ci/run installs it)
    });

    it('parses, and its function offers what follows the words typed, files after --ca', async () => {
      const text = await script('zsh');
      run('zsh', ['-n'], text);
      const stubs = [
        'compdef() { :; }',
        // _describe TAG DESCRIPTION ARRAY: print the names of the array's "name:description" entries
        '_describe() { print -r -- "${(j: :)${(@)${(P)4}%%:*}}"; }',
        '_files() { print FILES; }',
      ].join('\n');
      const offers = (...words: string[]): string =>
        run(
          'zsh',
          ['-f', '-s'],
          `${stubs}\n${text}\nwords=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _convoy\n`,
        ).trim();
      expect(offers('convoy', 'certs', 'issue', '')).to.equal('agent operator coordinator --coordinator --ca --cert --key');
      expect(offers('convoy', '--coordinator', 'x', 'rollout', 'start', '')).to.match(/^--host --to --ack-release-notes --watch --json/);
      expect(offers('convoy', '--ca', '')).to.equal('FILES');
    });
  });
});

describe('convoy --help', () => {
  it('lists every exit code, 130 (interrupted) included', async () => {
    const { ctx, stdout } = fakeContext();
    expect(await runCli(['--help'], ctx)).to.equal(0);
    const text = stdout();
    for (const code of ['0', '1', '2', '3', '130']) expect(text).to.match(new RegExp(`^ {2}${code} +\\S`, 'm'));
    expect(text).to.include('130  interrupted (Ctrl-C)');
  });

  for (const [path, lines] of Object.entries(EXAMPLES)) {
    if (path === '' || path === 'completion') continue;
    it(`shows examples that start with "convoy ${path}" under convoy ${path} --help`, async () => {
      const { ctx, stdout } = fakeContext();
      expect(await runCli([...path.split(' '), '--help'], ctx)).to.equal(0);
      expect(stdout()).to.include('Examples:');
      for (const line of lines) {
        expect(line.startsWith(`convoy ${path}`), line).to.equal(true);
        expect(stdout()).to.include(`  $ ${line}`);
      }
    });
  }

  it('has examples for the main commands', () => {
    for (const path of [
      '',
      'agents',
      'plan',
      'rollout start',
      'rollout status',
      'rollout logs',
      'events',
      'certs issue',
      'demo',
      'completion',
    ]) {
      expect(EXAMPLES[path], `examples for "convoy ${path}"`).to.not.equal(undefined);
    }
  });
});
