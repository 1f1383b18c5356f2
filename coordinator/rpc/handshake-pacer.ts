/**
 * Hands accepted TCP connections to the TLS server a few per turn of the event loop. A mutual
 * TLS handshake costs milliseconds of CPU on the event loop (measured by bench:scale: about
 * 2.5 ms on a shared 2-core machine), and node runs every handshake whose bytes have arrived
 * in one turn: after a coordinator restart, 5,000 agents dialling within a second held the loop
 * for tens of seconds, long enough for the connected agents' keepalive to give up and for
 * waiting handshakes to time out and be tried again. Connections not yet handed over wait in
 * the kernel's buffers at no cost; the handshake timeout starts when one is handed over.
 */
import type net from 'node:net';

/** Connections handed to the TLS server per turn of the event loop. */
export const HANDSHAKES_PER_TURN = 8;

/** A FIFO of accepted connections drained at HANDSHAKES_PER_TURN per turn into `handOver`. */
export class HandshakePacer {
  private readonly waiting: net.Socket[] = [];
  private scheduled = false;
  private handedThisTurn = 0;
  private stopped = false;

  constructor(
    private readonly handOver: (socket: net.Socket) => void,
    private readonly perTurn = HANDSHAKES_PER_TURN,
    private readonly nextTurn: (fn: () => void) => void = (fn) => void setImmediate(fn),
  ) {}

  /** Queues an accepted connection (handed over at once when nothing waits before it). */
  admit(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.waiting.push(socket);
    this.drain();
  }

  /** How many accepted connections wait for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Closes every waiting connection; later ones are closed as they arrive. */
  stop(): void {
    this.stopped = true;
    for (const s of this.waiting.splice(0)) s.destroy();
  }

  private drain(): void {
    while (this.handedThisTurn < this.perTurn && this.waiting.length > 0) {
      const socket = this.waiting.shift()!;
      if (socket.destroyed) continue; // the client gave up while it waited
      this.handOver(socket);
      this.handedThisTurn++;
    }
    if (this.scheduled || this.handedThisTurn === 0) return;
    // the next turn starts a new share (and hands over what waits)
    this.scheduled = true;
    this.nextTurn(() => {
      this.scheduled = false;
      this.handedThisTurn = 0;
      this.drain();
    });
  }
}
