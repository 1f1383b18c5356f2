/**
 * The coordinator's release-notes sources, one per cluster with `releaseNotes.github`,
 * as the rollout controller asks them: versions in, notes / not published / unavailable out.
 */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { ClusterConfig } from '../config.js';
import type { RemoteNotes } from '../rollout/notes.js';
import type { ReleaseNotesProvider, RemoteNotesSource } from '../rollout/controller.js';
import { GithubReleaseNotes } from './github-notes.js';

export class ClusterReleaseNotes implements ReleaseNotesProvider {
  private readonly sources = new Map<string, RemoteNotesSource & { stop(): void }>();

  constructor(clusters: ClusterConfig[], deps: { clock: Clock; logger?: Logger }) {
    for (const c of clusters) {
      const github = GithubReleaseNotes.fromCluster(c, deps);
      if (github) this.sources.set(c.name, adapt(github, c));
    }
  }

  sourceFor(cluster: string): RemoteNotesSource | undefined {
    return this.sources.get(cluster);
  }

  stop(): void {
    for (const s of this.sources.values()) s.stop();
  }
}

function adapt(github: GithubReleaseNotes, cluster: ClusterConfig): RemoteNotesSource & { stop(): void } {
  const label = `GitHub releases of ${cluster.releaseNotes?.github?.repo ?? github.source}`;
  return {
    label,
    stop: () => github.stop(),
    async fetch(versions: string[]): Promise<RemoteNotes> {
      const answers = await github.notesFor(versions);
      const remote: RemoteNotes = { source: label, notes: [], notPublished: [], unavailable: [] };
      for (const version of versions) {
        const a = answers.get(version);
        if (a?.status === 'found') remote.notes.push(a.note);
        else if (a?.status === 'not-published') remote.notPublished.push(version);
        else remote.unavailable.push({ version, reason: a?.reason ?? 'no answer' });
      }
      return remote;
    },
  };
}
