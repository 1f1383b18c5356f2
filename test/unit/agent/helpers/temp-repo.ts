/** Real git repositories for agent unit tests, made with the git CLI in a temp directory. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Identity and signing settings on the command line, so the host's git config does not matter. */
const GIT_CONFIG = [
  '-c',
  'user.name=Convoy Test',
  '-c',
  'user.email=test@convoy.invalid',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'tag.gpgsign=false',
  '-c',
  'init.defaultBranch=main',
];

/** A git work tree in a temp directory. */
export class TempRepo {
  private constructor(readonly dir: string) {}

  /** `git init` in a new directory under `parent`. */
  static init(parent: string, name = 'repo'): TempRepo {
    const dir = path.join(parent, name);
    fs.mkdirSync(dir, { recursive: true });
    const repo = new TempRepo(dir);
    repo.git('init', '--quiet', '--initial-branch=main');
    return repo;
  }

  /** `git clone` of `origin` into a new directory under `parent`. */
  static clone(origin: TempRepo, parent: string, name: string): TempRepo {
    const dir = path.join(parent, name);
    execFileSync('git', [...GIT_CONFIG, 'clone', '--quiet', origin.dir, dir], { stdio: 'pipe' });
    return new TempRepo(dir);
  }

  git(...args: string[]): string {
    return execFileSync('git', [...GIT_CONFIG, ...args], { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  write(file: string, text: string): void {
    const full = path.join(this.dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }

  /** Writes the files, commits them and returns the new commit's sha. */
  commit(message: string, files: Record<string, string> = {}): string {
    for (const [file, text] of Object.entries(files)) this.write(file, text);
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.head();
  }

  /** A lightweight tag, or an annotated one when a message is given. */
  tag(name: string, message?: string): void {
    if (message === undefined) this.git('tag', name);
    else this.git('tag', '-a', name, '-m', message);
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }
}

/** A fresh temp directory and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `convoy-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
