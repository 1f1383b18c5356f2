/**
 * `convoy demo --keep`: the environment line a user pastes into another shell (checked by a
 * real sh), and the wait that ends on Ctrl-C or when a daemon of the sandbox exits.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { untilInterruptedOrExited, type DaemonChild } from '../../../coordinator/cli/demo/children.js';
import { environmentLine, shellWord } from '../../../coordinator/cli/demo/narration.js';

function daemon(name: string): DaemonChild & { end(): void } {
  let ended = false;
  let end: () => void = () => undefined;
  const exited = new Promise<number>((resolve) => (end = () => resolve(0)));
  return {
    name,
    logFile: `/nonexistent/${name}.log`,
    pid: 0,
    exited,
    alive: () => !ended,
    end() {
      ended = true;
      end();
    },
  };
}

describe('convoy demo --keep', () => {
  it('prints an export line that sh reads back to the exact values, quoting only what needs it', () => {
    const tls = { ca: "/tmp/it's a dir/ca.crt", operator: { cert: '/tmp/d/op.crt', key: '/tmp/d/op key' } };
    const line = environmentLine('127.0.0.1:40123', tls);
    expect(line).to.equal(
      `export CONVOY_COORDINATOR=127.0.0.1:40123 CONVOY_CA='/tmp/it'\\''s a dir/ca.crt' CONVOY_CERT=/tmp/d/op.crt CONVOY_KEY='/tmp/d/op key'`,
    );
    const res = spawnSync('sh', ['-c', `${line}; printf '%s\\n' "$CONVOY_COORDINATOR" "$CONVOY_CA" "$CONVOY_CERT" "$CONVOY_KEY"`], {
      encoding: 'utf8',
    });
    expect(res.stdout.split('\n').slice(0, 4)).to.deep.equal(['127.0.0.1:40123', tls.ca, tls.operator.cert, tls.operator.key]);
    expect(shellWord('')).to.equal("''");
  });

  it('waits until Ctrl-C (the signal aborts): no daemon to blame', async () => {
    const controller = new AbortController();
    const waiting = untilInterruptedOrExited(controller.signal, [daemon('convoyd'), daemon('hoss-a')]);
    controller.abort();
    expect(await waiting).to.equal(undefined);
  });

  it('ends when a daemon exits first, naming it', async () => {
    const agent = daemon('hoss-a');
    const waiting = untilInterruptedOrExited(new AbortController().signal, [daemon('convoyd'), agent]);
    agent.end();
    expect((await waiting)?.name).to.equal('hoss-a');
  });

  it('returns at once when a daemon has already exited', async () => {
    const gone = daemon('hoss-b');
    gone.end();
    expect((await untilInterruptedOrExited(new AbortController().signal, [gone]))?.name).to.equal('hoss-b');
  });
});
