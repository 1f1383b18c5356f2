/**
 * Ports for the programs the tests start (convoyd, sample servers, Prometheus).
 *
 * A port found free by binding port 0 is the kernel's next ephemeral port: between the probe
 * and the child's listen, another test worker, another suite on this machine or any outgoing
 * connection may take it (measured: EADDRINUSE for a sample server, and a convoyd whose port
 * answered for another process, on a machine at load 15). These ports come from below the
 * ephemeral range instead (outgoing connections never use them), and each is reserved across
 * processes by a lock file holding the owner's pid until that process exits.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export { isListening } from '../../shared/ports.js';

const LOW = 20_000;
const HIGH = 32_000; // below Linux's default ip_local_port_range (32768-60999)
const lockDir = path.join(os.tmpdir(), 'convoy-test-ports');
const mine = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock file for `port`, or returns false when a live process holds it. */
function reserve(port: number): boolean {
  const file = path.join(lockDir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      mine.add(port);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      // A lock being written has no pid yet: leave it to its writer.
      if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) return false;
      fs.rmSync(file, { force: true }); // its owner is gone
    }
  }
  return false;
}

function release(port: number): void {
  mine.delete(port);
  fs.rmSync(path.join(lockDir, String(port)), { force: true });
}

process.once('exit', () => {
  for (const port of [...mine]) release(port);
});

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on, reserved for this process until it exits. */
export async function freePort(): Promise<number> {
  fs.mkdirSync(lockDir, { recursive: true, mode: 0o1777 });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (mine.has(port) || !reserve(port)) continue;
    if (await bindable(port)) return port;
    release(port); // something outside the tests listens there
  }
  throw new Error(`freePort: no free port in ${LOW}-${HIGH} after 200 tries (locks in ${lockDir})`);
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await freePort());
  return ports;
}
