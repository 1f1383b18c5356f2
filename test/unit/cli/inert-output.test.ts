/**
 * Terminal escapes sent by a hostile agent (in a version, a label, a line of step output, a
 * reason) reach no terminal through any command: text output shows them as visible escapes,
 * --json keeps the exact values escaped by JSON. The scripted client stands for the coordinator.
 */
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { streamErr } from '../../../coordinator/cli/output.js';
import { runCli } from '../../../coordinator/cli/program.js';
import type { AgentView, EventView, ListBackupsResponse, LogLine, RolloutView } from '../../../coordinator/cli/views.js';
import { failedRollout, fakeContext, hostView, stepRun } from './fake-context.js';

/** Cursor up two lines, erase the line, write "pwned" to the clipboard (OSC 52), 8-bit CSI. */
const EVIL = '\x1b[2A\x1b[2K\x1b]52;c;cHduZWQ=\x07\u009b1J';
const SHOWN = '\\x1b[2A\\x1b[2K\\x1b]52;c;cHduZWQ=\\x07\\x9b1J';
/** Anything a terminal would act on. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function* stream<T>(...items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function hostileAgent(): AgentView {
  return {
    id: 'hoss-a',
    connected: true,
    labels: { [`site${EVIL}`]: `eu${EVIL}` },
    serverDir: `/srv${EVIL}`,
    repo: {
      installedVersion: `0.2.0${EVIL}`,
      commit: 'a'.repeat(40),
      clean: true,
      tags: [],
      branch: '',
      trackedBranch: '',
      dirtyDetail: '',
    },
    health: { healthy: true, version: `0.2.0${EVIL}`, detail: `ok${EVIL}`, checkedAtMs: 1, configured: true },
    plan: ['build'],
    lastSeenMs: Date.UTC(2025, 0, 31, 12, 0, 0),
    cluster: 'demo',
    role: 'member',
    backupCount: 0,
    hostname: `h${EVIL}`,
    agentVersion: `0.1.0${EVIL}`,
    checkedOutVersion: `0.2.0${EVIL}`,
    servedVersion: `0.2.0${EVIL}`,
    healthState: 'healthy',
    healthReportedAtMs: 1,
    connectedSinceMs: 1,
    protocolVersion: 1,
    certificate: { subject: `hoss-a${EVIL}`, fingerprint: `AB${EVIL}`, notAfterMs: 1 },
  };
}

function hostileRollout(state = 'failed'): RolloutView {
  const r = failedRollout();
  return {
    ...r,
    state,
    reason: `step build failed${EVIL}`,
    hosts: [
      hostView('hoss-a', {
        state: 'failed',
        currentStep: 'build',
        fromVersion: `0.1.0${EVIL}`,
        reason: `exit 2${EVIL}`,
        steps: [stepRun('build', 'failed', { exitCode: 2, reason: `exit code 2${EVIL}`, outputTail: [`make: *** Error${EVIL}`] })],
      }),
    ],
  };
}

const LOG: LogLine = { rolloutId: 'r-7', agentId: 'hoss-a', step: 'build', atMs: 1, line: `compiling${EVIL}`, seq: 1 };
const EVENT: EventView = {
  seq: 1,
  atMs: 1,
  rolloutId: 'r-7',
  agentId: 'hoss-a',
  step: 'build',
  actor: 'convoyd',
  kind: 'transition',
  message: `failed${EVIL}`,
};
const BACKUPS: ListBackupsResponse = {
  agentId: 'hoss-a',
  installedVersion: `0.2.0${EVIL}`,
  keepPerMinor: 3,
  backups: [
    {
      backup: {
        id: `b1${EVIL}`,
        path: `/b${EVIL}`,
        version: `0.2.0${EVIL}`,
        sizeBytes: 1,
        sha256: '',
        createdAtMs: 1,
        step: 'backup',
        rolloutId: 'r-7',
      },
      restorable: true,
      exists: true,
    },
  ],
};

function expectInert(text: string): void {
  expect(RAW_CONTROL.test(text), `raw control characters in:\n${JSON.stringify(text)}`).to.equal(false);
  expect(text).to.include(SHOWN);
}

describe('CLI: terminal escapes from the network are shown inert', () => {
  const cases: [string, string[], Parameters<typeof fakeContext>[0], { tty?: boolean }?][] = [
    ['agents', ['agents'], { listAgents: async () => [hostileAgent()] }],
    ['rollout logs', ['rollout', 'logs', 'r-7'], { rolloutLogs: () => stream(LOG) }],
    ['rollout logs --follow', ['rollout', 'logs', 'r-7', '--follow'], { rolloutLogs: () => stream(LOG) }],
    ['rollout status', ['rollout', 'status', 'r-7'], { getRollout: async () => hostileRollout() }],
    ['rollout watch (plain)', ['rollout', 'watch', 'r-7'], { watchRollout: () => stream(hostileRollout('running'), hostileRollout()) }],
    [
      'rollout watch (terminal)',
      ['rollout', 'watch', 'r-7'],
      { watchRollout: () => stream(hostileRollout('running'), hostileRollout()) },
      { tty: true },
    ],
    ['rollout list', ['rollout', 'list'], { listRollouts: async () => [hostileRollout()] }],
    ['events', ['events'], { listEvents: async () => [EVENT] }],
    ['backups', ['backups', 'hoss-a'], { listBackups: async () => BACKUPS }],
  ];
  for (const [name, argv, client, opts] of cases) {
    it(`${name}: prints the escapes as visible text`, async () => {
      const { ctx, stdout } = fakeContext(client, opts);
      await runCli(argv, ctx);
      const out = stdout();
      // our own redraw (cursor up, clear) is the only sequence a live watch writes
      expectInert(opts?.tty ? out.replace(/\x1b\[\d+A\r\x1b\[0J/g, '') : out);
    });
  }

  it('agents --json keeps the exact values, escaped by JSON', async () => {
    const { ctx, stdout } = fakeContext({ listAgents: async () => [hostileAgent()] });
    expect(await runCli(['agents', '--json'], ctx)).to.equal(0);
    expect(RAW_CONTROL.test(stdout())).to.equal(false);
    expect(JSON.parse(stdout())).to.deep.equal([hostileAgent()]);
  });

  it('rollout logs --json keeps each line exact, one JSON document per line', async () => {
    const { ctx, stdout } = fakeContext({ rolloutLogs: () => stream(LOG) });
    expect(await runCli(['rollout', 'logs', 'r-7', '--json'], ctx)).to.equal(0);
    expect(RAW_CONTROL.test(stdout())).to.equal(false);
    expect(JSON.parse(stdout())).to.deep.equal(LOG);
  });

  it('stderr (errors that quote the coordinator) shows escapes inert and keeps our own line breaks', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (b: Buffer) => (written += b.toString()));
    streamErr(sink)(`convoy: rollout r-7 refused: ${EVIL}\nsecond line`);
    expect(written).to.equal(`convoy: rollout r-7 refused: ${SHOWN}\nsecond line\n`);
  });
});
