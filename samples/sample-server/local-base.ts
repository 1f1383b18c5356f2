/**
 * What the sample server and the Hoss-like server have in common on this machine: a work tree
 * with server/ under it, knob files, an events log and a service log, a health URL to probe,
 * make, and the processes left in server/ to end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeProbe, pollUntilHealthy, probeHealth } from './health-probe.js';
import { git } from './repo.js';
import { endProcessesIn, processesIn } from './server-processes.js';
import type { HealthProbe } from './types.js';

export const DEFAULT_START_TIMEOUT_MS = 15_000;

/** The last `lines` lines of a log file, or "(none)". */
export function tailFile(file: string, lines = 20): string {
  if (!fs.existsSync(file)) return '(none)';
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export abstract class LocalServerBase<Knob extends string> {
  readonly serverDir: string;
  readonly originDir: string;
  readonly eventsLog: string;
  readonly serviceLog: string;

  /**
   * @param kind how errors name the server ("sample server", "Hoss server")
   * @param probeUrl the URL whose answer says health and version
   */
  protected constructor(
    readonly name: string,
    readonly root: string,
    readonly port: number,
    private readonly kind: string,
    private readonly probeUrl: string,
  ) {
    this.serverDir = path.join(root, 'server');
    this.originDir = `${root}.origin.git`;
    this.eventsLog = path.join(this.serverDir, 'events.log');
    this.serviceLog = path.join(this.serverDir, 'service.log');
  }

  /** Runs a make target in serverDir. */
  abstract make(args: string[]): Promise<unknown>;

  /** true or a string creates knobs/<name> (the string is its content); false removes it. */
  setKnob(name: Knob, value: string | boolean = true): void {
    const file = path.join(this.serverDir, 'knobs', name);
    if (value === false) return fs.rmSync(file, { force: true });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, value === true ? '1\n' : `${value}\n`);
  }

  probe(): Promise<HealthProbe | undefined> {
    return probeHealth(this.probeUrl);
  }

  async servedVersion(): Promise<string | undefined> {
    return (await this.probe())?.version;
  }

  async waitHealthy(opts: { version?: string; timeoutMs?: number } = {}): Promise<void> {
    const last = await pollUntilHealthy(() => this.probe(), {
      version: opts.version,
      timeoutMs: opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    });
    if (last === 'healthy') return;
    throw new Error(
      `${this.kind} ${this.name} is not healthy${opts.version ? ` at ${opts.version}` : ''} at ${this.probeUrl} (last: ${describeProbe(last)}); service.log:\n${tailFile(this.serviceLog)}`,
    );
  }

  /** The tag at HEAD ('' when HEAD is not tagged). */
  headTag(): string {
    try {
      return git(this.root, ['describe', '--tags', '--exact-match', 'HEAD']);
    } catch {
      return '';
    }
  }

  isClean(): boolean {
    return git(this.root, ['status', '--porcelain']) === '';
  }

  processes(): number[] {
    return processesIn(this.serverDir);
  }

  /** make down while the service runs (it may fail: e.g. Hoss's needs its .env), then ends what is left in server/. */
  async stop(): Promise<void> {
    if (fs.existsSync(path.join(this.serverDir, 'run', 'service.pid'))) await this.make(['down']).catch(() => undefined);
    await endProcessesIn(this.serverDir);
  }
}
