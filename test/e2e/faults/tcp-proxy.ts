/**
 * A TCP proxy between an agent and convoyd that a fault test can cut: `cut()` resets every
 * open connection and refuses new ones (what a dropped network looks like to both ends),
 * `heal()` lets connections through again.
 */
import net from 'node:net';
import { onCleanup } from '../../helpers/index.js';

export interface CuttableProxy {
  /** 127.0.0.1:<port> to give the agent instead of convoyd's address. */
  address: string;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `upstream` (host:port) on an ephemeral port; closed by the test's cleanup. */
export async function startCuttableProxy(upstream: string): Promise<CuttableProxy> {
  const [host, port] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const open = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return void client.resetAndDestroy();
    const up = net.connect(port, host);
    for (const [a, b] of [
      [client, up],
      [up, client],
    ] as const) {
      open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bound = (server.address() as net.AddressInfo).port;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
    return closed;
  };
  onCleanup(`tcp proxy to ${upstream}`, close);
  return {
    address: `127.0.0.1:${bound}`,
    cut() {
      refusing = true;
      for (const s of open) s.resetAndDestroy();
    },
    heal() {
      refusing = false;
    },
    close,
  };
}
