/**
 * A small tmpfs for a state directory the test can fill, free and make read-only. Mounting
 * needs root (the tests run as root, CI too); without it the caller skips, saying why. The
 * unmount is registered before anything uses the mount, so it runs after the processes using
 * it were stopped, also when the test fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onCleanup } from '../../helpers/index.js';

/** A mounted tmpfs. */
export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the file system refuses (ENOSPC). */
  fill(): void;
  /** Removes the filler. */
  free(): void;
  remount(mode: 'ro' | 'rw'): void;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Mounts a tmpfs of `sizeKiB` at `dir` (mode 0700: a state directory may not be world-writable); the reason it cannot, or the disk. */
export function mountSmallDisk(dir: string, sizeKiB: number): SmallDisk | string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? err)
      .trim()
      .split('\n')[0];
    return `cannot mount a tmpfs at ${dir} (${process.getuid?.() === 0 ? 'as root' : 'not root'}): ${stderr}`;
  }
  onCleanup(`unmount ${dir}`, () => {
    try {
      run('umount', [dir]);
    } catch {
      run('umount', ['-l', dir]); // something still holds it: detach now, the kernel frees it when released
    }
  });
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill: () => fillUp(filler),
    free: () => fs.rmSync(filler, { force: true }),
    remount: (mode) => run('mount', ['-o', `remount,${mode}`, dir]),
  };
}

/** Big chunks first, then small ones: a file system with a few KiB left still takes a database page. */
function fillUp(file: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    for (const size of [64 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
