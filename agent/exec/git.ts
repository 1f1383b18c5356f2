/**
 * The agent's view of its git work tree: the only importer of simple-git.
 *
 * Every ref that may come from the network is checked with versionSyntaxProblem and
 * passed in a fully qualified form (refs/tags/<v>, refs/heads/<b>) or followed by `--`,
 * so git can never read it as an option or a path.
 *
 * Within a step, commands that change the work tree or the refs (fetch, checkout, merge,
 * reset) run through exec/command.ts in a process group of their own, reported through
 * GitRun's hooks so the step journals it before git touches anything: an agent killed
 * mid-checkout leaves a git its next start can find and kill. Everything else goes through
 * simple-git.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
import { runCommand } from './command.js';
import {
  checkQualifiedRef,
  checkRefName,
  batches,
  checkSha,
  describeDirty,
  describeGitFailure,
  gitEnvironment,
  globPathspecs,
  isFullSha,
  literalPathspec,
  OPERATOR_GIT_ENV,
  sortTags,
  splitLines,
} from './git-args.js';
import { gitDirsOf, readHead, remotesStamp, tagsStamp } from './git-files.js';
import { parseStatus, STATUS_ARGS, type StatusReport } from './git-status.js';
import { parseTagIndex, sortedNames, StampedMemo, TAG_FORMAT, tagsAt, type TagIndex } from './git-tags.js';
import { ConvoyError } from '../../shared/errors.js';
import type { RepoState } from '../../shared/wire.js';

export { isFullSha, sortTags } from './git-args.js';

/** A git command that prints nothing for this long is killed (a fetch from a dead remote). */
const BLOCK_TIMEOUT_MS = 120_000;

/** How a command that moves the work tree or the refs runs: a step's signal and process-group hooks. */
export interface GitRun {
  /** A step's abort signal (its timeout or a cancel); without one, git gets BLOCK_TIMEOUT_MS. */
  signal?: AbortSignal;
  onOutput?: (lines: string[]) => void;
  /** The group git runs in, before it starts changing anything (journal it). */
  onProcessGroup?: (pgid: number) => void;
  onProcessGroupEnded?: (pgid: number) => void;
}

/** One path `git status` lists: its two status letters ("??" untracked) and the path (relative to the repo). */
export interface DirtyPath {
  status: string;
  path: string;
}

/** A git work tree. */
export class GitRepo {
  private readonly tags = new StampedMemo<TagIndex>();
  private readonly remotes = new StampedMemo<boolean>();
  private readonly described = new StampedMemo<string>();

  constructor(readonly dir: string) {}

  /**
   * Installed version, HEAD, cleanliness, branch and tags, for RepoState: one `git status`
   * (the work tree can only be judged by looking at it); the tags come from memory unless git
   * changed them, and `git describe` runs only between releases.
   */
  async state(trackedBranch = ''): Promise<RepoState> {
    const [status, tags] = await Promise.all([this.status(), this.tagIndex()]);
    if (!status.commit) throw new ConvoyError('FAILED_PRECONDITION', `${this.dir} has no commit checked out`);
    const installedVersion = tagsAt(tags, status.commit)[0] ?? (await this.describe(status.commit));
    return {
      installedVersion,
      commit: status.commit,
      clean: status.lines.length === 0,
      tags: sortedNames(tags),
      branch: status.branch,
      trackedBranch,
      dirtyDetail: describeDirty(status.lines),
    };
  }

  /** The version checked out (the highest tag at HEAD, else `git describe`), read without `git status`. */
  async installedVersion(): Promise<string> {
    const [commit, tags] = await Promise.all([this.headCommit(), this.tagIndex()]);
    return tagsAt(tags, commit)[0] ?? (await this.describe(commit));
  }

  /** HEAD's commit, from the files where they say it plainly, else from git. */
  async headCommit(): Promise<string> {
    const dirs = gitDirsOf(this.dir);
    const head = dirs && readHead(dirs);
    if (head) return head.commit;
    const sha = (await this.git().raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
    if (!isFullSha(sha)) throw new ConvoyError('FAILED_PRECONDITION', `${this.dir} has no commit checked out`);
    return sha;
  }

  /** A stamp that changes whenever git changes a tag (exec/git-files.ts); undefined when the tags cannot be stamped. */
  tagsStamp(): string | undefined {
    const dirs = gitDirsOf(this.dir);
    return dirs && tagsStamp(dirs);
  }

  /** Tags known locally: version tags highest first, then any others by name. */
  async listTags(): Promise<string[]> {
    return sortedNames(await this.tagIndex());
  }

  /** Tags reachable from `ref` (a fully qualified ref or a full sha), sorted like listTags. */
  async tagsMergedInto(ref: string): Promise<string[]> {
    checkQualifiedRef(ref);
    return sortTags(splitLines(await this.git().raw(['tag', '--list', '--merged', ref])));
  }

  async hasRemote(): Promise<boolean> {
    const dirs = gitDirsOf(this.dir);
    return this.remotes.get(
      () => (dirs ? remotesStamp(dirs) : undefined),
      async () => splitLines(await this.git().raw(['remote'])).length > 0,
    );
  }

  /** Fetches branches and tags from the default remote; a no-op without a remote. */
  async fetchTags(run: GitRun = {}): Promise<boolean> {
    if (!(await this.hasRemote())) return false;
    await this.runMoving(['fetch', '--quiet', '--tags'], run);
    return true;
  }

  async tagExists(tag: string): Promise<boolean> {
    checkRefName(tag);
    const index = await this.tagIndex();
    if (!index.has(tag)) return false;
    // a tag of a tag is peeled one level by the index: git peels the rest
    return index.get(tag) !== undefined || this.resolves(`refs/tags/${tag}^{commit}`);
  }

  async branchExists(branch: string): Promise<boolean> {
    checkRefName(branch);
    return this.resolves(`refs/heads/${branch}^{commit}`);
  }

  async commitExists(sha: string): Promise<boolean> {
    checkSha(sha);
    return this.resolves(`${sha}^{commit}`);
  }

  /** Detaches HEAD at a tag. */
  async checkoutTag(tag: string, run: GitRun = {}): Promise<void> {
    checkRefName(tag);
    await this.runMoving(['checkout', '--quiet', '--detach', `refs/tags/${tag}`, '--'], run);
  }

  /** Detaches HEAD at a commit (rollback). */
  async checkoutCommit(sha: string, run: GitRun = {}): Promise<void> {
    checkSha(sha);
    await this.runMoving(['checkout', '--quiet', '--detach', sha, '--'], run);
  }

  /** Checks out a local branch and fast-forwards it to its upstream, when it has one. */
  async fastForward(branch: string, run: GitRun = {}): Promise<void> {
    checkRefName(branch);
    await this.runMoving(['checkout', '--quiet', '--no-guess', branch, '--'], run);
    const upstream = await this.upstreamOf(branch);
    if (upstream) await this.runMoving(['merge', '--quiet', '--ff-only', upstream], run);
  }

  /** Puts the index and the tracked files back to HEAD, dropping their changes (untracked files stay). */
  async resetHard(run: GitRun = {}): Promise<void> {
    await this.runMoving(['reset', '--quiet', '--hard', 'HEAD', '--'], run);
  }

  /** The commit `ref` (a fully qualified ref or a full sha) points to, or undefined. */
  async commitOf(ref: string): Promise<string | undefined> {
    checkQualifiedRef(ref);
    const tag = ref.startsWith('refs/tags/') ? (await this.tagIndex()).get(ref.slice('refs/tags/'.length)) : undefined;
    if (tag) return tag;
    const sha = ((await this.tryRaw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])) ?? '').trim();
    return isFullSha(sha) ? sha : undefined;
  }

  /** Every changed path, untracked files one by one, renames as a deletion and an addition. */
  async dirtyPaths(): Promise<DirtyPath[]> {
    const args = ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all'];
    const out = await this.git().raw(args);
    return out
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => ({ status: entry.slice(0, 2), path: entry.slice(3) }));
  }

  /** Paths that differ between two commits (full shas). */
  async pathsChangedBetween(from: string, to: string): Promise<string[]> {
    checkSha(from);
    checkSha(to);
    const out = await this.git().raw(['diff', '--name-only', '-z', '--no-renames', from, to, '--']);
    return out.split('\0').filter((p) => p !== '');
  }

  /** The blob id of each of `paths` at `commit` (a full sha); paths the commit lacks are absent from the map. */
  async blobsAt(commit: string, paths: string[]): Promise<Map<string, string>> {
    checkSha(commit);
    const blobs = new Map<string, string>();
    for (const batch of batches(paths)) {
      const out = await this.git().raw(['ls-tree', '-z', '--full-tree', commit, '--', ...batch.map(literalPathspec)]);
      for (const entry of out.split('\0')) {
        const m = /^\d+ blob ([0-9a-f]{40})\t(.*)$/s.exec(entry);
        if (m?.[1] && m[2] !== undefined) blobs.set(m[2], m[1]);
      }
    }
    return blobs;
  }

  /** The blob id git would store for each file of the work tree (its clean filters applied), in order. */
  async hashWorkTreeFiles(paths: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const batch of batches(paths)) ids.push(...splitLines(await this.git().raw(['hash-object', '--', ...batch])));
    return ids;
  }

  /** The full name of the branch's upstream (refs/remotes/origin/main), or undefined. */
  async upstreamOf(branch: string): Promise<string | undefined> {
    checkRefName(branch);
    const out = await this.git().raw(['for-each-ref', '--format=%(refname)%00%(upstream)', `refs/heads/${branch}`]);
    for (const line of splitLines(out)) {
      const [refname, upstream] = line.split('\0');
      if (refname === `refs/heads/${branch}` && upstream?.startsWith('refs/')) return upstream;
    }
    return undefined;
  }

  /** The message of an annotated tag (subject and body), or '' for a lightweight tag. */
  async annotatedTagMessage(tag: string): Promise<string> {
    checkRefName(tag);
    const format = '--format=%(refname)%00%(objecttype)%00%(contents:subject)%00%(contents:body)%00%00';
    const out = await this.git().raw(['for-each-ref', format, `refs/tags/${tag}`]);
    for (const record of out.split('\0\0')) {
      const [refname = '', type, subject = '', body = ''] = record.replace(/^\n/, '').split('\0');
      if (refname !== `refs/tags/${tag}` || type !== 'tag') continue;
      return [subject, body]
        .filter((s) => s.trim() !== '')
        .join('\n\n')
        .trim();
    }
    return '';
  }

  /**
   * A file's content at a ref, or undefined when the file does not exist there.
   * `ref` must be fully qualified (refs/tags/…, refs/heads/…, refs/remotes/…) or a full sha.
   */
  async showFile(ref: string, path: string): Promise<string | undefined> {
    checkQualifiedRef(ref);
    const spec = `${ref}:${path.replace(/^\.\//, '')}`;
    if (!(await this.resolves(spec))) return undefined;
    return this.git().raw(['cat-file', 'blob', spec]);
  }

  /**
   * Files matching `globs` (relative to the repository, `**` allowed) that differ between a
   * commit and a qualified ref, as "M server/x.tmpl" lines (A added, D deleted, R renamed).
   */
  async changedFiles(fromCommit: string, toRef: string, globs: string[]): Promise<string[]> {
    const range = this.diffRange(fromCommit, toRef);
    const out = await this.git().raw(['diff', '--no-renames', '--name-status', ...range, '--', ...globPathspecs(globs)]);
    return splitLines(out).map((l) => l.replace(/\t/, ' '));
  }

  /** The unified diff of those files. */
  async diff(fromCommit: string, toRef: string, globs: string[]): Promise<string> {
    const range = this.diffRange(fromCommit, toRef);
    return this.git().raw(['diff', '--no-renames', '--no-color', '--no-ext-diff', ...range, '--', ...globPathspecs(globs)]);
  }

  private diffRange(fromCommit: string, toRef: string): string[] {
    if (!isFullSha(fromCommit)) throw new Error(`not a full commit id: ${fromCommit}`);
    checkQualifiedRef(toRef);
    return [fromCommit, toRef];
  }

  /** Every tag and its commit: from memory while git has changed no tag (exec/git-tags.ts). */
  private tagIndex(): Promise<TagIndex> {
    const dirs = gitDirsOf(this.dir);
    return this.tags.get(
      () => (dirs ? tagsStamp(dirs) : undefined),
      async () => parseTagIndex(await this.git().raw(['for-each-ref', TAG_FORMAT, 'refs/tags'])),
    );
  }

  /** `git describe` of a commit, kept while the tags are unchanged (it depends on nothing else). */
  private describe(commit: string): Promise<string> {
    checkSha(commit);
    const dirs = gitDirsOf(this.dir);
    const stamp = dirs && tagsStamp(dirs);
    return this.described.get(
      () => (stamp === undefined ? undefined : `${commit}|${stamp}`),
      async () => (await this.git().raw(['describe', '--tags', '--always', commit])).trim(),
    );
  }

  private async status(): Promise<StatusReport> {
    return parseStatus(await this.git().raw(STATUS_ARGS));
  }

  private async resolves(spec: string): Promise<boolean> {
    const out = await this.tryRaw(['rev-parse', '--verify', '--quiet', spec]);
    return out !== undefined && out.trim() !== '';
  }

  /** Runs git, returning undefined instead of throwing when it fails. */
  private async tryRaw(args: string[]): Promise<string | undefined> {
    try {
      return await this.git().raw(args);
    } catch {
      return undefined;
    }
  }

  /**
   * Runs git in its own process group (exec/command.ts): the group is reported before git
   * changes anything, and killed as a whole on the step's abort. Throws with git's own words.
   * Without a step to journal the group (a fetch while validating or inspecting), git stays in
   * the agent's own group like every read: a group of its own that nobody records is one a
   * restarted agent could never find.
   */
  private async runMoving(args: string[], run: GitRun): Promise<void> {
    if (!run.onProcessGroup) {
      await this.git(run.signal).raw(args);
      return;
    }
    const result = await runCommand({
      command: ['git', ...args],
      cwd: this.dir,
      env: { ...gitEnvironment(), GIT_TERMINAL_PROMPT: '0' },
      replaceEnv: true,
      // under a step its signal carries the step's timeout; alone, git gets its own bound
      timeoutMs: run.signal ? 0 : BLOCK_TIMEOUT_MS,
      signal: run.signal,
      onOutput: run.onOutput,
      onProcessGroup: run.onProcessGroup,
      onProcessGroupEnded: run.onProcessGroupEnded,
    });
    if (result.exitCode === 0 && !result.error) return;
    throw new Error(describeGitFailure(args[0] ?? 'git', result, BLOCK_TIMEOUT_MS));
  }

  private git(signal?: AbortSignal): SimpleGit {
    const allowed = OPERATOR_GIT_ENV.filter((k) => process.env[k] !== undefined);
    const git = simpleGit({
      baseDir: this.dir,
      abort: signal,
      timeout: { block: BLOCK_TIMEOUT_MS },
      allowEnvironment: [...allowed, 'GIT_TERMINAL_PROMPT'],
      unsafe: { allowUnsafeSshCommand: allowed.includes('GIT_SSH_COMMAND') || allowed.includes('GIT_SSH') },
    });
    // A daemon has nobody to type a password: fail instead of waiting on a prompt.
    return git.env({ ...gitEnvironment(), GIT_TERMINAL_PROMPT: '0' });
  }
}
