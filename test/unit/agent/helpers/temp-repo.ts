/** Real git repositories for agent unit tests, made with the git CLI in a temp directory. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../../../samples/sample-server/repo.js';

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
    git(parent, ['clone', '--quiet', origin.dir, dir]);
    return new TempRepo(dir);
  }

  /** git with the fixtures' identity and settings (samples/sample-server/repo.ts), so the host's git config does not matter. */
  git(...args: string[]): string {
    return git(this.dir, args);
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
