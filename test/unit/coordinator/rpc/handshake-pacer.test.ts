/** Accepted connections reach the TLS server a few per turn of the event loop, in arrival order. */
import type net from 'node:net';
import { expect } from 'chai';
import { HandshakePacer } from '../../../../coordinator/rpc/handshake-pacer.js';

function sockets(n: number): Array<net.Socket & { name: string }> {
  return Array.from({ length: n }, (_, i) => {
    const s = { name: `s${i}`, destroyed: false, destroy: () => (s.destroyed = true) };
    return s as unknown as net.Socket & { name: string };
  });
}

describe('TLS handshake pacing', () => {
  let turns: Array<() => void>;
  let handed: string[];
  const nextTurn = (): void => turns.shift()?.();
  beforeEach(() => {
    turns = [];
    handed = [];
  });
  const pacer = (perTurn: number): HandshakePacer =>
    new HandshakePacer(
      (s) => handed.push((s as net.Socket & { name: string }).name),
      perTurn,
      (fn) => turns.push(fn),
    );

  it('hands over at most its share per turn, the rest in arrival order in the next turns', () => {
    const p = pacer(2);
    for (const s of sockets(5)) p.admit(s);
    expect(handed).to.deep.equal(['s0', 's1']);
    expect(p.queued).to.equal(3);
    nextTurn();
    expect(handed).to.deep.equal(['s0', 's1', 's2', 's3']);
    nextTurn();
    expect(handed).to.deep.equal(['s0', 's1', 's2', 's3', 's4']);
    nextTurn();
    expect(turns).to.deep.equal([]);
  });

  it('skips a connection its client closed while it waited, and closes waiting ones when stopped', () => {
    const p = pacer(1);
    const [a, b, c, d] = sockets(4);
    p.admit(a!);
    p.admit(b!);
    p.admit(c!);
    b!.destroy();
    nextTurn();
    expect(handed).to.deep.equal(['s0', 's2']);
    p.admit(d!);
    p.stop();
    expect(d!.destroyed).to.equal(true);
    const [late] = sockets(1);
    p.admit(late!);
    expect(late!.destroyed).to.equal(true);
    expect(handed).to.deep.equal(['s0', 's2']);
  });
});
