/**
 * The agent's journal, <stateDir>/journal.json: the step in flight (written before it starts)
 * and the results the coordinator has not acknowledged yet. Every change is one atomic write,
 * so a crash at any instant leaves either the old or the new journal, never a mix.
 *
 * A write can fail (a full or read-only state directory). A step is begun only once its
 * start is on disk. What already happened (a result, an ack, a process group) is kept and
 * its write retried until it lands (journal-writer.ts): the journal never forgets a result,
 * and a step whose result went out is never left "in flight" in memory.
 *
 * Two changes only drop what the disk may safely keep a little longer, so they wait for the
 * next write instead of costing two fsyncs of their own on every step: an ack (a result the
 * coordinator already stored, sent again after a crash, is recognised by its request id and
 * acknowledged again) and a process group that ended (after a crash, recovery finds it gone
 * and says so). The next begin, process group or result writes them along; an agent left idle
 * writes them after LAG_FLUSH_MS, so the file does not keep a stale result for long.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import type { InFlight, StepOutcome, StepResult } from '../shared/wire.js';
import { fitResult, MAX_JOURNAL_BYTES, newestWithin, resultBytes, summariseResult } from './journal-bounds.js';
import { cleanUpProcessGroups, readBootId } from './journal-recovery.js';
import { JournalWriter } from './journal-writer.js';
import { storageError, type StorageError } from './storage-error.js';

/** The step the agent started and has not recorded a result for. */
export interface JournalInFlight extends InFlight {
  attempt: number;
  /** Process groups of the step's commands still running (a step may run two side by side). */
  pgids?: number[];
  /** Written by agents before 0.2 (one group per step); read for recovery. */
  pgid?: number;
  /** Kernel boot id when the pgid was recorded: after a reboot the group cannot be ours. */
  bootId?: string;
}

/** How a restarted agent cleans up the processes a step left (agent/exec/command.ts in production). */
export interface ProcessGroups {
  processGroupAlive(pgid: number): boolean;
  killProcessGroup(pgid: number): Promise<unknown> | void;
}

interface JournalState {
  inFlight: JournalInFlight | null;
  undelivered: StepResult[];
}

/** How long the file may lag an ack or an ended process group when no other write comes. */
export const LAG_FLUSH_MS = 1000;

/** Results kept for the coordinator at most; beyond this the oldest go. Bytes are bounded too: journal-bounds.ts. */
export const MAX_UNDELIVERED = 100;

export interface JournalOptions {
  stateDir: string;
  clock: Clock;
  logger: Logger;
  /** Reads the kernel boot id; undefined where there is none. */
  bootId?: () => string | undefined;
  /** Writes the file atomically (unit tests inject a full disk). */
  writeFile?: (file: string, text: string) => void;
  /** Delays between retries of a failed write (default JOURNAL_RETRY). */
  retry?: BackoffPolicy;
}

/** The fields every result carries, for results the daemon makes itself (refusals, interruptions). */
export function makeResult(
  step: { requestId: string; rolloutId: string; step: string; attempt: number },
  outcome: StepOutcome,
  reason: string,
  startedAtMs: number,
  finishedAtMs: number,
): StepResult {
  return {
    requestId: step.requestId,
    rolloutId: step.rolloutId,
    step: step.step,
    outcome,
    exitCode: -1,
    reason,
    outputTail: [],
    startedAtMs,
    finishedAtMs,
    previousCommit: '',
    backup: null,
    releaseNotes: null,
    repo: null,
    health: null,
    attempt: step.attempt,
  };
}

/** The process groups a journal entry names (new and old journal format). */
export function processGroupsOf(entry: JournalInFlight): number[] {
  return entry.pgids ?? (entry.pgid !== undefined ? [entry.pgid] : []);
}

/** The journal entry as the wire's InFlight (no pgid, no attempt). */
export function toWireInFlight(entry: JournalInFlight | undefined): InFlight | null {
  if (!entry) return null;
  const { requestId, rolloutId, step, targetVersion, startedAtMs } = entry;
  return { requestId, rolloutId, step, targetVersion, startedAtMs };
}

function isJournalState(v: unknown): v is JournalState {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return Array.isArray(s.undelivered) && (s.inFlight === null || typeof s.inFlight === 'object');
}

/** What is in flight and what the coordinator has not acknowledged, persisted before it matters. */
export class Journal {
  private state: JournalState;
  /** The state holds a change (an ack, an ended process group) the file does not have yet. */
  private behind = false;
  private cancelFlush: (() => void) | undefined;
  private readonly writer: JournalWriter;
  private readonly clock: Clock;
  private readonly logger: Logger;

  private constructor(
    readonly file: string,
    state: JournalState,
    opts: JournalOptions,
    private readonly bootId: () => string | undefined,
  ) {
    this.state = state;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.writer = new JournalWriter(file, { ...opts, current: () => serialise(this.state) });
  }

  /**
   * Reads <stateDir>/journal.json (empty when missing; an unreadable one is moved aside, loudly),
   * then writes it back: a state directory that cannot be written is said at start, with the
   * file and the fix, not at the first step.
   */
  static open(opts: JournalOptions): Journal {
    const file = path.join(opts.stateDir, 'journal.json');
    const state = Journal.read(file, opts);
    const journal = new Journal(file, state, opts, opts.bootId ?? readBootId);
    // A journal written before the byte bound existed (or by hand) is brought within it now.
    journal.persist({ ...state, undelivered: journal.withinBytes(state.undelivered) });
    return journal;
  }

  private static read(file: string, opts: JournalOptions): JournalState {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { inFlight: null, undelivered: [] };
      throw storageError(file, err, 'read');
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (isJournalState(parsed)) return { inFlight: parsed.inFlight, undelivered: parsed.undelivered };
    } catch {
      // fall through: treated like any other unreadable journal
    }
    const aside = `${file}.corrupt-${opts.clock.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch (err) {
      throw storageError(aside, err, 'create');
    }
    opts.logger.error(`journal ${file} is unreadable; moved it to ${aside} and started with an empty journal`, { file: aside });
    return { inFlight: null, undelivered: [] };
  }

  /** Why the journal on disk is behind (the last write failed, naming the file and the fix), or undefined. */
  get writeProblem(): StorageError | undefined {
    return this.writer.problem;
  }

  /** Resolves once the journal could be written again (at once when nothing failed), or when `signal` aborts. */
  whenWritable(signal?: AbortSignal): Promise<void> {
    return this.writer.whenWritten(signal);
  }

  /** Stops retrying a failed write (the agent is stopping); a last attempt is made first. */
  close(): void {
    if (this.writer.problem || this.behind) this.writer.write(serialise(this.state));
    this.caughtUp();
    this.writer.close();
  }

  get inFlight(): JournalInFlight | undefined {
    return this.state.inFlight ?? undefined;
  }

  get undelivered(): readonly StepResult[] {
    return this.state.undelivered;
  }

  findUndelivered(requestId: string): StepResult | undefined {
    return this.state.undelivered.find((r) => r.requestId === requestId);
  }

  /**
   * Records a step as started; must succeed before the step runs. A write that fails throws
   * the StorageError and changes nothing: the step is not in flight.
   */
  begin(entry: Omit<JournalInFlight, 'pgid' | 'pgids' | 'bootId'>): void {
    const current = this.state.inFlight;
    if (current) throw new Error(`journal already has step ${current.step} (request ${current.requestId}) in flight`);
    const next = { ...this.state, inFlight: { ...entry } };
    const failed = this.writer.write(serialise(next));
    if (failed) throw failed;
    this.state = next;
    this.caughtUp();
  }

  /** Adds a process group of the running step, so a restarted agent can kill what it left. */
  setPgid(pgid: number): void {
    const current = this.state.inFlight;
    if (!current) return;
    const pgids = [...processGroupsOf(current).filter((p) => p !== pgid), pgid];
    this.persist({ ...this.state, inFlight: { ...current, pgid: undefined, pgids, bootId: this.bootId() } });
  }

  /**
   * Forgets a process group that exited: its id may be reused by an unrelated process later.
   * Written with the next write (the step's result follows within moments): until then a
   * restarted agent finds the group gone (a reused id would need the pid space to wrap).
   */
  forgetPgid(pgid: number): void {
    const current = this.state.inFlight;
    if (!current || !processGroupsOf(current).includes(pgid)) return;
    const pgids = processGroupsOf(current).filter((p) => p !== pgid);
    this.adopt({ ...this.state, inFlight: { ...current, pgid: undefined, pgids } });
  }

  /**
   * One write: the step is no longer in flight and its result waits for the coordinator's ack.
   * Returns the result as journalled (cut to MAX_RESULT_BYTES when it was larger): the one to send.
   * When the write fails the result is kept all the same and the write retried (see writeProblem).
   */
  recordResult(raw: StepResult): StepResult {
    const { result, cut } = fitResult(raw);
    if (cut) this.logger.warn(`result of step ${result.step} (request ${result.requestId}) is too large for the journal; dropped ${cut}`);
    const inFlight = this.state.inFlight?.requestId === result.requestId ? null : this.state.inFlight;
    const others = this.state.undelivered.filter((r) => r.requestId !== result.requestId);
    const undelivered = [...others, result];
    const dropped = undelivered.splice(0, Math.max(0, undelivered.length - MAX_UNDELIVERED));
    for (const r of dropped) {
      this.logger.error(
        `journal holds more than ${MAX_UNDELIVERED} unacknowledged results; dropped the oldest (step ${r.step}, request ${r.requestId})`,
        {
          rolloutId: r.rolloutId,
        },
      );
    }
    this.persist({ inFlight, undelivered: this.withinBytes(undelivered) });
    return result;
  }

  /**
   * The results a Hello can carry in `budget` bytes: the newest that fit. The others stay in the
   * journal and are sent right after the Hello (daemon.ts); the log says how many.
   */
  resultsForHello(budget: number): StepResult[] {
    const { kept, left } = newestWithin(this.state.undelivered, budget);
    if (left.length) {
      this.logger.warn(
        `the Hello carries the newest ${kept.length} of ${this.state.undelivered.length} unacknowledged results (a message holds at most ${budget} bytes of them); the other ${left.length} are sent right after it`,
      );
    }
    return kept;
  }

  /**
   * `results` within MAX_JOURNAL_BYTES: the oldest keep their outcome and reason but lose their
   * output tail and release notes, one at a time, until the journal fits (logged for each).
   */
  private withinBytes(results: StepResult[]): StepResult[] {
    let total = results.reduce((sum, r) => sum + resultBytes(r), 0);
    if (total <= MAX_JOURNAL_BYTES) return results;
    const out = [...results];
    for (let i = 0; i < out.length && total > MAX_JOURNAL_BYTES; i++) {
      const r = out[i]!;
      const summary = summariseResult(r);
      total += resultBytes(summary) - resultBytes(r);
      out[i] = summary;
      this.logger.warn(
        `journal is over ${MAX_JOURNAL_BYTES} bytes of unacknowledged results; kept only the outcome and reason of step ${r.step} (request ${r.requestId})`,
        { rolloutId: r.rolloutId },
      );
    }
    return out;
  }

  /**
   * Drops results the coordinator has stored; returns how many were dropped. Written with the
   * next write: a result still on disk after a crash is only sent again and acknowledged again.
   */
  ack(requestIds: Iterable<string>): number {
    const acked = new Set(requestIds);
    const undelivered = this.state.undelivered.filter((r) => !acked.has(r.requestId));
    const dropped = this.state.undelivered.length - undelivered.length;
    if (dropped > 0) this.adopt({ ...this.state, undelivered });
    return dropped;
  }

  /**
   * A step still in flight at start-up was interrupted by our own restart: kill the process
   * group it left and turn it into an INTERRUPTED result for the coordinator.
   */
  async recoverAfterRestart(processes: ProcessGroups): Promise<StepResult | undefined> {
    const entry = this.state.inFlight;
    if (!entry) return undefined;
    const cleanup = await cleanUpProcessGroups(entry, processes, this.bootId());
    const reason = `agent restarted while step ${entry.step} was running; ${cleanup}`;
    const result = makeResult(entry, 'INTERRUPTED', reason, entry.startedAtMs, this.clock.now());
    this.recordResult(result);
    this.logger.warn(reason, { rolloutId: entry.rolloutId, step: entry.step, requestId: entry.requestId });
    return result;
  }

  /**
   * Adopts a change that already happened in the world (a result, an ack, a process group)
   * and writes it; a failed write stays pending and is retried by the writer.
   */
  private persist(next: JournalState): void {
    this.state = next;
    this.caughtUp();
    this.writer.write(serialise(next));
  }

  /** Takes a change the file may lag behind (see the top of this file); the next write carries it. */
  private adopt(next: JournalState): void {
    this.state = next;
    this.behind = true;
    this.cancelFlush ??= this.clock.setTimer(LAG_FLUSH_MS, () => {
      this.cancelFlush = undefined;
      if (this.behind) this.persist(this.state);
    });
  }

  private caughtUp(): void {
    this.behind = false;
    this.cancelFlush?.();
    this.cancelFlush = undefined;
  }
}

function serialise(state: JournalState): string {
  return JSON.stringify(state, null, 1) + '\n';
}
