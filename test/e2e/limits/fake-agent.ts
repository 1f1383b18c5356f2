/**
 * A client that speaks the agent protocol with a real agent certificate, as a stolen one would:
 * it says Hello as the agent, answers inspections so that a rollout can start on it, keeps its
 * session alive with heartbeats, and sends whatever the test wants (floods of step output).
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { channelOptions, loadServices } from '../../../shared/proto.js';
import { tlsChannel } from '../../../shared/tls-client.js';
import type { AgentMessage, CoordinatorMessage, Hello, StepRequest } from '../../../shared/wire.js';

type Duplex = grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage>;

export class FakeAgent {
  readonly received: CoordinatorMessage[] = [];
  /** Resolves with the stream's final status, if it ever ends. */
  readonly ended: Promise<grpc.StatusObject>;
  private readonly client: grpc.Client;
  private readonly call: Duplex;
  private readonly listeners = new Set<() => void>();
  private readonly heartbeat: NodeJS.Timeout;
  private status?: grpc.StatusObject;

  constructor(
    address: string,
    files: { ca: string; cert: string; key: string },
    private readonly hello: Hello,
  ) {
    const read = (f: string): Buffer => fs.readFileSync(f);
    const { credentials, options } = tlsChannel(address, { ca: read(files.ca), cert: read(files.cert), key: read(files.key) });
    const { AgentService } = loadServices();
    this.client = new AgentService(address, credentials, { ...channelOptions, ...options });
    this.call = (this.client as unknown as { Connect(): Duplex }).Connect();
    this.call.on('error', () => undefined);
    this.ended = new Promise((resolve) =>
      this.call.on('status', (s: grpc.StatusObject) => {
        this.status = s;
        this.notify();
        resolve(s);
      }),
    );
    this.call.on('data', (m: CoordinatorMessage) => this.onMessage(m));
    this.call.write({ hello });
    this.heartbeat = setInterval(
      () => this.call.write({ heartbeat: { sentAtMs: Date.now(), health: hello.health, inFlight: null } }),
      1000,
    );
  }

  /** True while the coordinator keeps the stream open. */
  get open(): boolean {
    return this.status === undefined;
  }

  /** Writes one message, waiting for the stream to drain first when it is full. */
  async send(msg: AgentMessage): Promise<void> {
    if (!this.call.write(msg)) await new Promise((resolve) => this.call.once('drain', resolve));
  }

  /** Resolves with the first message received (before or after the call) that matches. */
  async waitFor(pred: (m: CoordinatorMessage) => boolean, what: string, timeoutMs = 30_000): Promise<CoordinatorMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(pred);
      if (found) return found;
      if (this.status) throw new Error(`the stream ended (${this.status.code} ${this.status.details}) before ${what}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.listeners.add(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  /** The next step request the coordinator sends. */
  async stepRequest(): Promise<StepRequest> {
    return (await this.waitFor((m) => Boolean(m.runStep), 'step request', 60_000)).runStep!;
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.call.cancel();
    this.client.close();
  }

  private onMessage(m: CoordinatorMessage): void {
    this.received.push(m);
    if (m.inspect) {
      const { requestId, targetVersion } = m.inspect;
      const { repo, health, plan } = this.hello;
      const releaseNotes = {
        fromVersion: repo.installedVersion,
        toVersion: targetVersion,
        notes: [],
        requiresAction: false,
        versions: [],
        lookedIn: [],
      };
      this.call.write({
        inspectResult: { requestId, targetVersion, targetExists: true, error: '', repo, health, releaseNotes, plan, drift: null },
      });
    }
    this.notify();
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
    this.listeners.clear();
  }
}
