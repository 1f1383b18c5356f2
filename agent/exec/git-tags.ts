/**
 * The tags of a repository as one `git for-each-ref` lists them (name, and the commit each
 * peels to), kept until git changes a tag. The list is asked of git once, then again only when
 * the tags' stamp (exec/git-files.ts) differs: a step's checks and its report read it from
 * memory instead of starting `git tag`, `git rev-parse` and `git tag --points-at` each time.
 */
import { sortTags } from './git-args.js';

/** Tag name -> the commit it points to (through an annotated tag); undefined when it is no commit. */
export type TagIndex = ReadonlyMap<string, string | undefined>;

/** for-each-ref format: refname, type, object, and the type and object one level of peeling finds. */
export const TAG_FORMAT = '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)';

export function parseTagIndex(out: string): Map<string, string | undefined> {
  const tags = new Map<string, string | undefined>();
  for (const line of out.split('\n')) {
    const [ref = '', type, object, peeledType, peeled] = line.split('\0');
    if (!ref.startsWith('refs/tags/')) continue;
    const name = ref.slice('refs/tags/'.length);
    if (type === 'commit') tags.set(name, object);
    else if (type === 'tag' && peeledType === 'commit') tags.set(name, peeled);
    else tags.set(name, undefined); // a tag of a tree, a blob, or of another tag: not a version to check out
  }
  return tags;
}

/** Tags sorted like `git tag --list` sorted by sortTags. */
export function sortedNames(index: TagIndex): string[] {
  return sortTags([...index.keys()]);
}

/** Tags pointing at `commit`, sorted. */
export function tagsAt(index: TagIndex, commit: string): string[] {
  return sortTags([...index].filter(([, c]) => c === commit).map(([name]) => name));
}

/**
 * A value computed by git, kept while its stamp is unchanged. Without a stamp (undefined: the
 * files could not be stamped) the value is computed every time.
 */
export class StampedMemo<T> {
  private kept: { stamp: string; value: T } | undefined;

  /**
   * The stamp is taken before git runs: a change made while it runs gives the next call a
   * different stamp, so the answer is asked again rather than kept past the change.
   */
  async get(stamp: () => string | undefined, compute: () => Promise<T>): Promise<T> {
    const now = stamp();
    if (now !== undefined && this.kept?.stamp === now) return this.kept.value;
    const value = await compute();
    this.kept = now === undefined ? undefined : { stamp: now, value };
    return value;
  }
}
