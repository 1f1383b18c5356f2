/** Things a test set up that must be torn down even when it fails (fleets, sample servers). */

interface Entry {
  label: string;
  run: () => Promise<void> | void;
}

const entries: Entry[] = [];

/** Registers a cleanup; returns a function that unregisters it (after the owner cleaned up itself). */
export function onCleanup(label: string, run: () => Promise<void> | void): () => void {
  const entry = { label, run };
  entries.push(entry);
  return () => {
    const i = entries.indexOf(entry);
    if (i >= 0) entries.splice(i, 1);
  };
}

/** Runs every registered cleanup, newest first; returns the failures instead of stopping at one. */
export async function runCleanups(): Promise<Error[]> {
  const failures: Error[] = [];
  while (entries.length > 0) {
    const entry = entries.pop()!;
    try {
      await entry.run();
    } catch (err) {
      failures.push(new Error(`cleanup "${entry.label}" failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  return failures;
}
