/**
 * What the agent reads of a repository's files instead of starting git: where its git
 * directories are, HEAD, and stamps that change whenever git changes the refs or the config.
 *
 * Every read here is exact or says "ask git": a layout we do not know for certain (a reftable
 * repository, a HEAD that is neither a branch nor a commit id, an unreadable file) returns
 * undefined and the caller runs git as before. Stamps hold each file's inode, size and mtime:
 * git replaces refs and config through a lock file renamed over the old one, which always
 * brings a new inode, so a change is seen even within one tick of the file system's clock.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The git directory of a work tree and the common directory its refs live in (they differ for `git worktree`). */
export interface GitDirs {
  gitDir: string;
  commonDir: string;
}

const SHA = /^[0-9a-f]{40}$/;
/** Loose refs walked for a stamp at most; a repository with more is left to git. */
const MAX_STAMPED_FILES = 5000;

/** The git directories of the work tree at `repo`, or undefined when they are not plainly there. */
export function gitDirsOf(repo: string): GitDirs | undefined {
  const dotGit = path.join(repo, '.git');
  let gitDir: string;
  try {
    const st = fs.statSync(dotGit);
    if (st.isDirectory()) gitDir = dotGit;
    else {
      const m = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (!m?.[1]) return undefined;
      gitDir = path.resolve(repo, m[1].trim());
    }
  } catch {
    return undefined;
  }
  const common = readText(path.join(gitDir, 'commondir'));
  const commonDir = common === undefined ? gitDir : path.resolve(gitDir, common.trim());
  // reftable keeps refs in a binary table: only git reads it
  if (exists(path.join(commonDir, 'reftable'))) return undefined;
  const config = readText(path.join(commonDir, 'config')) ?? '';
  if (/refstorage/i.test(config)) return undefined;
  return { gitDir, commonDir };
}

/** HEAD's commit and branch ('' when detached), read from the files; undefined: ask git. */
export function readHead(dirs: GitDirs): { commit: string; branch: string } | undefined {
  const head = readText(path.join(dirs.gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (SHA.test(head)) return { commit: head, branch: '' };
  const m = /^ref: (refs\/heads\/\S+)$/.exec(head);
  if (!m?.[1]) return undefined;
  const commit = readRef(dirs, m[1]);
  return commit ? { commit, branch: m[1].slice('refs/heads/'.length) } : undefined;
}

/** A branch ref's commit id from its loose file, else from packed-refs; undefined when neither has it. */
function readRef(dirs: GitDirs, ref: string): string | undefined {
  const loose = readText(path.join(dirs.commonDir, ref));
  if (loose !== undefined) {
    const sha = loose.trim();
    return SHA.test(sha) ? sha : undefined;
  }
  const packed = readText(path.join(dirs.commonDir, 'packed-refs'));
  for (const line of packed?.split('\n') ?? []) {
    const [sha, name] = line.split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return undefined;
}

/**
 * A stamp of the tags: packed-refs and every loose file under refs/tags. Equal stamps mean git
 * changed no tag in between; undefined when the repository has too many loose tags to stamp.
 */
export function tagsStamp(dirs: GitDirs): string | undefined {
  const parts = [fileStamp(path.join(dirs.commonDir, 'packed-refs'))];
  const walk = (dir: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return true; // no refs/tags directory: no loose tags
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!walk(p)) return false;
      } else parts.push(`${p}:${fileStamp(p)}`);
      if (parts.length > MAX_STAMPED_FILES) return false;
    }
    return true;
  };
  return walk(path.join(dirs.commonDir, 'refs', 'tags')) ? parts.join('|') : undefined;
}

/**
 * A stamp of everything `git remote` reads: the repository's config (and a worktree's), the
 * user's and the system's config, and the legacy remotes/ and branches/ directories. Undefined
 * when a config file includes others: the included files are not stamped.
 */
export function remotesStamp(dirs: GitDirs, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = env.HOME ?? '';
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const files = [
    path.join(dirs.commonDir, 'config'),
    path.join(dirs.gitDir, 'config.worktree'),
    path.join(home, '.gitconfig'),
    path.join(xdg, 'git', 'config'),
    '/etc/gitconfig',
  ];
  for (const f of files) if (/^\s*\[\s*include/im.test(readText(f) ?? '')) return undefined;
  const dirsStamp = ['remotes', 'branches'].map((d) => fileStamp(path.join(dirs.commonDir, d)));
  return [...files.map(fileStamp), ...dirsStamp].join('|');
}

/** inode, size and mtime (ns) of a path, or '-' when it does not exist. */
export function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    return '-';
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}
