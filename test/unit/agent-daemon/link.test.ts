import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Link, type LinkHandlers } from '../../../agent/link/link.js';
import { FakeClock } from '../../../shared/clock.js';
import type { CoordinatorMessage, Hello } from '../../../shared/wire.js';
import { captureLogger, HEALTHY, REPO, settle, streamFactory } from './fakes.js';

const HELLO: Hello = {
  agentId: 'hoss-a',
  labels: {},
  serverDir: '/srv',
  agentVersion: '0.1.0',
  repo: REPO,
  health: HEALTHY,
  plan: ['build'],
  rerunnableSteps: ['build'],
  backups: [],
  undelivered: [],
  inFlight: null,
  hostname: 'host',
  hasRestore: false,
  stepTimeoutsMs: {},
  backupCompatibility: '',
  rollbackPlan: [],
  backupSteps: [],
  profile: '',
  protocolVersion: 1,
  backupKeepPerMinor: 3,
};

describe('agent link', () => {
  let clock: FakeClock;
  let streams: ReturnType<typeof streamFactory>;
  let log: ReturnType<typeof captureLogger>;
  let received: CoordinatorMessage[];
  let opened: Hello[];
  let link: Link;

  const handlers = (): LinkHandlers => ({
    hello: async () => HELLO,
    onSessionOpen: (h) => opened.push(h),
    heartbeat: () => ({ sentAtMs: clock.now(), health: HEALTHY, inFlight: null }),
    onMessage: (m) => received.push(m),
  });

  beforeEach(async () => {
    clock = new FakeClock();
    streams = streamFactory();
    log = captureLogger();
    received = [];
    opened = [];
    link = new Link({
      address: '127.0.0.1:7400',
      agentId: 'hoss-a',
      heartbeatIntervalMs: 5000,
      backoff: { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 },
      clock,
      logger: log.logger,
      openStream: streams.open,
      random: () => 1,
    });
    link.start(handlers());
    await settle();
  });

  afterEach(async () => {
    const stopping = link.stop();
    await settle();
    clock.advance(5000);
    await stopping;
  });

  const stream = (i = 0) => {
    const s = streams.streams[i];
    if (!s) throw new Error(`stream ${i} was not opened`);
    return s;
  };

  it('sends the Hello first, then lets other messages through', async () => {
    expect(stream().written).to.deep.equal([{ hello: HELLO }]);
    expect(opened).to.deep.equal([HELLO]);
    expect(link.connected).to.equal(true);
    expect(link.send({ health: { health: HEALTHY } })).to.equal(true);
    expect(stream().written[1]).to.deep.equal({ health: { health: HEALTHY } });
  });

  it('logs "connected to coordinator" when welcomed and hands messages to the daemon', () => {
    const welcome: CoordinatorMessage = {
      msg: 'welcome',
      welcome: { coordinatorVersion: '0.1.0', protocolVersion: 1, heartbeatIntervalMs: 5000, ackedRequestIds: [] },
    };
    stream().receive(welcome);
    expect(log.lines).to.include('info connected to coordinator 127.0.0.1:7400');
    expect(received).to.deep.equal([welcome]);
  });

  it('beats at the configured interval, or faster when the coordinator asks', () => {
    clock.advance(5000);
    expect(stream().written.filter((m) => m.heartbeat)).to.have.length(1);
    stream().receive({ welcome: { coordinatorVersion: '0.1.0', protocolVersion: 1, heartbeatIntervalMs: 2000, ackedRequestIds: [] } });
    clock.advance(5000);
    expect(stream().written.filter((m) => m.heartbeat)).to.have.length(2);
    clock.advance(2000);
    expect(stream().written.filter((m) => m.heartbeat)).to.have.length(3);
  });

  it('reconnects with the backoff after the coordinator goes away, and says so', async () => {
    stream().close(status.UNAVAILABLE, 'No connection established');
    await settle();
    expect(link.connected).to.equal(false);
    expect(link.send({ health: { health: HEALTHY } })).to.equal(false);
    expect(log.lines).to.include(
      'warn cannot reach coordinator 127.0.0.1:7400: UNAVAILABLE (No connection established); retrying in 500ms',
    );
    clock.advance(499);
    await settle();
    expect(streams.streams).to.have.length(1);
    clock.advance(1);
    await settle();
    expect(streams.streams).to.have.length(2);
    expect(stream(1).written[0]).to.deep.equal({ hello: HELLO });
    stream(1).close(status.UNAVAILABLE);
    await settle();
    expect(log.lines.at(-1)).to.equal('warn cannot reach coordinator 127.0.0.1:7400: UNAVAILABLE; retrying in 1.0s');
  });

  it('starts the backoff over after a session that stayed up', async () => {
    stream().close(status.UNAVAILABLE);
    await settle();
    clock.advance(500);
    await settle();
    stream(1).close(status.UNAVAILABLE);
    await settle();
    clock.advance(1000);
    await settle();
    stream(2).receive({ welcome: { coordinatorVersion: '0.1.0', protocolVersion: 1, heartbeatIntervalMs: 5000, ackedRequestIds: [] } });
    clock.advance(10_000);
    stream(2).close(status.UNAVAILABLE, 'server shut down');
    await settle();
    expect(log.lines.at(-1)).to.equal(
      'warn disconnected from coordinator 127.0.0.1:7400: UNAVAILABLE (server shut down); reconnecting in 500ms',
    );
  });

  it('logs a refusal clearly and retries only at the maximum backoff', async () => {
    stream().receive({ refusal: { code: 'ALREADY_EXISTS', message: 'agent id hoss-a is already connected' } });
    stream().close(status.ALREADY_EXISTS, 'agent id hoss-a is already connected');
    await settle();
    expect(log.lines).to.include(
      'error coordinator 127.0.0.1:7400 refused agent hoss-a: ALREADY_EXISTS: agent id hoss-a is already connected',
    );
    expect(log.lines.at(-1)).to.equal(
      'warn disconnected from coordinator 127.0.0.1:7400 (refused: ALREADY_EXISTS); retrying in 30.0s (the maximum backoff, so a refused agent does not hammer the coordinator)',
    );
    clock.advance(29_999);
    await settle();
    expect(streams.streams).to.have.length(1);
    clock.advance(1);
    await settle();
    expect(streams.streams).to.have.length(2);
  });

  it('logs a protocol mismatch with both versions and the fix, and retries only at the maximum backoff', async () => {
    const why =
      'agent hoss-a (convoy-agent 0.6.0) speaks protocol 2; convoyd 0.5.0 speaks protocol 1 and accepts agents of protocol 1: upgrade convoyd first, then the agents (docs/upgrading.md)';
    stream().receive({ refusal: { code: 'PROTOCOL_MISMATCH', message: why } });
    stream().close(status.FAILED_PRECONDITION, why);
    await settle();
    expect(log.lines).to.include(`error coordinator 127.0.0.1:7400 refused agent hoss-a: PROTOCOL_MISMATCH: ${why}`);
    expect(log.lines.at(-1)).to.match(/refused: PROTOCOL_MISMATCH\); retrying in 30\.0s/);
  });

  it('leaves a convoyd older than its protocol (one too old to judge it), naming both versions, and retries slowly', async () => {
    const newer = new Link({
      address: '127.0.0.1:7401',
      agentId: 'hoss-b',
      agentVersion: '0.6.0',
      protocolVersion: 2,
      heartbeatIntervalMs: 5000,
      backoff: { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 },
      clock,
      logger: log.logger,
      openStream: streams.open,
      random: () => 1,
    });
    newer.start(handlers());
    await settle();
    // protocolVersion 0: a convoyd that predates the field, so protocol 1
    stream(1).receive({ welcome: { coordinatorVersion: '0.1.0', protocolVersion: 0, heartbeatIntervalMs: 5000, ackedRequestIds: [] } });
    await settle();
    expect(stream(1).cancelled).to.equal(true);
    expect(received).to.deep.equal([]);
    expect(log.lines).to.include(
      'error coordinator 127.0.0.1:7401 refused agent hoss-b: PROTOCOL_MISMATCH: agent hoss-b (convoy-agent 0.6.0) speaks protocol 2; convoyd 0.1.0 speaks protocol 1: upgrade convoyd first, then the agents (docs/upgrading.md)',
    );
    expect(log.lines.at(-1)).to.match(
      /^warn disconnected from coordinator 127\.0\.0\.1:7401 \(refused: PROTOCOL_MISMATCH\); retrying in 30\.0s/,
    );
    const stopping = newer.stop();
    await settle();
    clock.advance(5000);
    await stopping;
  });

  it('half-closes on stop and cancels when the coordinator does not finish the stream', async () => {
    const stopping = link.stop();
    expect(stream().ended).to.equal(true);
    expect(link.send({ health: { health: HEALTHY } })).to.equal(false);
    await settle();
    clock.advance(2000);
    await stopping;
    expect(stream().cancelled).to.equal(true);
    expect(streams.closed).to.equal(1);
    await link.stop();
  });

  it('does not dial again once stopped', async () => {
    stream().close(status.UNAVAILABLE);
    await settle();
    await link.stop();
    clock.advance(60_000);
    await settle();
    expect(streams.streams).to.have.length(1);
  });
});
