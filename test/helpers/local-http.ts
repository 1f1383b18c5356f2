/**
 * A real HTTP server on 127.0.0.1 (a free port) for tests of convoyd's outbound requests, with
 * the misbehaviours a remote server can have: never answering, streaming a body forever (fast
 * or slowly). It counts what it sent and tells when the client hung up, so a test waits on
 * that event instead of a timer.
 *
 *   const server = await startLocalHttp((req, res, ctx) => ctx.floodForever(res));
 *   await expect(httpRequest(server.url, …)).to.be.rejected…;
 *   await server.clientsGone();
 *   await server.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a handler can do besides answering normally. */
export interface BadBehaviours {
  /** Headers, then 64 KiB chunks as fast as the client reads, until it hangs up. */
  floodForever(res: http.ServerResponse): void;
  /** Headers, then `bytes` (default 1) every `everyMs` until the client hangs up. */
  trickleForever(res: http.ServerResponse, everyMs?: number, bytes?: number): void;
  /** Reads the request and never answers (no headers). */
  neverAnswer(res: http.ServerResponse): void;
}

export type LocalHandler = (req: http.IncomingMessage, res: http.ServerResponse, bad: BadBehaviours) => void;

export interface LocalHttp {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  /** Requests received, by path (with the query). */
  requests: Map<string, number>;
  /** Body bytes written by the misbehaving answers. */
  bytesSent(): number;
  /** Resolves when the next request arrives (call it before sending). */
  requestArrived(): Promise<void>;
  /** Resolves once every connection a client opened has been closed. */
  clientsGone(): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export async function startLocalHttp(handler: LocalHandler): Promise<LocalHttp> {
  let sent = 0;
  const open = new Set<import('node:net').Socket>();
  const waiting: { request: (() => void)[]; gone: (() => void)[] } = { request: [], gone: [] };
  const requests = new Map<string, number>();
  const bad: BadBehaviours = {
    floodForever(res) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = (): void => {
        while (!res.destroyed && res.write(CHUNK)) sent += CHUNK.length;
        if (!res.destroyed) sent += CHUNK.length; // the chunk that filled the buffer was still queued
      };
      res.on('drain', pump);
      pump();
    },
    trickleForever(res, everyMs = 10, bytes = 1) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = Buffer.alloc(bytes, 0x5b);
      const timer = setInterval(() => {
        res.write(piece);
        sent += bytes;
      }, everyMs);
      res.on('close', () => clearInterval(timer));
    },
    neverAnswer() {},
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    for (const w of waiting.request.splice(0)) w();
    handler(req, res, bad);
  });
  server.on('connection', (socket) => {
    open.add(socket);
    socket.on('close', () => {
      open.delete(socket);
      if (open.size === 0) for (const w of waiting.gone.splice(0)) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesSent: () => sent,
    requestArrived: () => new Promise((resolve) => waiting.request.push(resolve)),
    clientsGone: () => (open.size === 0 ? Promise.resolve() : new Promise((resolve) => waiting.gone.push(resolve))),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/**
 * Forces a full garbage collection: with --expose-gc through global.gc, else by exposing it
 * now (V8 allows turning the flag on at run time and reading `gc` from a new context).
 */
export async function forceGc(): Promise<void> {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  // a second pass collects what finalizers of the first released
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}
