/** Writes a small state file so that a crash leaves either the old or the new content. */
import fs from 'node:fs';
import { chmod, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Writes `text` to a temporary file, fsyncs it, renames it over `file`, then fsyncs the directory. */
export async function writeFileAtomic(file: string, text: string, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    // a half-written temp file on a full disk holds the very space a retry needs
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await chmod(tmp, mode); // a temp file left by a crash keeps its old mode when reopened
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

/** Makes the rename itself durable; not every file system supports it, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  const dh = await open(dir, 'r').catch(() => undefined);
  if (!dh) return;
  try {
    await dh.sync();
  } catch {
    // EINVAL/EISDIR on some file systems: the rename is still atomic, only less durable.
  } finally {
    await dh.close();
  }
}

/** The synchronous twin, for writes that must finish before the caller goes on (the agent's journal). */
export function writeFileAtomicSync(file: string, text: string, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    // a nearly full disk takes part of a write without an error: write until all of it is in
    const data = Buffer.from(text, 'utf8');
    for (let done = 0; done < data.length;) done += fs.writeSync(fd, data, done, data.length - done);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true }); // as above: free what the failed write took
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } catch {
    // as above: some file systems cannot sync a directory
  } finally {
    fs.closeSync(dir);
  }
}
