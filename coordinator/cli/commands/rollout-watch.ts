import type { Command } from 'commander';
import { Backoff } from '../../../shared/backoff.js';
import { systemClock } from '../../../shared/clock.js';
import type { ControlApi } from '../client.js';
import { rolloutIdArg } from '../arguments.js';
import { action, clientFor, type CliContext } from '../context.js';
import { EXIT, isTransient } from '../errors.js';
import { JSON_FLAG } from '../options.js';
import { paint, printJsonLine, truncate, type Output } from '../output.js';
import { describeChanges, finalSummary, renderWatchFrame } from '../watch-render.js';
import { exitCodeOfRollout, isTerminal, type RolloutView } from '../views.js';

/** How long a lost watch stream is retried before giving up with exit 3 (a coordinator restart fits). */
const RECONNECT_WINDOW_MS = 60_000;
/** Redraw period on a terminal, so elapsed times tick between updates. */
const REDRAW_MS = 1000;
/** Exit code when the operator interrupts a watch (the rollout itself goes on). */
export const EXIT_INTERRUPTED = EXIT.interrupted;

/** How watch presents views: JSON lines, a live frame, or plain change lines. */
interface WatchDisplay {
  show(view: RolloutView): void;
  /** A transient condition (reconnecting); cleared by the next view. */
  note(text: string): void;
  end(view: RolloutView | undefined): void;
}

function jsonDisplay(ctx: CliContext): WatchDisplay {
  return { show: (v) => printJsonLine(ctx.out, v), note: (t) => ctx.err(`convoy: ${t}`), end: () => undefined };
}

function plainDisplay(ctx: CliContext): WatchDisplay {
  let prev: RolloutView | undefined;
  return {
    show(view) {
      for (const line of describeChanges(prev, view, ctx.now())) ctx.out.line(line);
      prev = view;
    },
    note: (t) => ctx.err(`convoy: ${t}`),
    end(view) {
      if (view) for (const line of finalSummary(view)) ctx.out.line(line);
    },
  };
}

/** Redraws the frame in place: cursor up over the previous frame, clear to the end, draw. */
class LiveDisplay implements WatchDisplay {
  private drawn = 0;
  private last: RolloutView | undefined;
  private notice = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: Output,
    private readonly now: () => number,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  show(view: RolloutView): void {
    this.last = view;
    this.notice = '';
    this.draw();
  }

  note(text: string): void {
    this.notice = text;
    this.draw();
  }

  end(view: RolloutView | undefined): void {
    clearInterval(this.timer);
    if (!view) return;
    for (const line of finalSummary(view)) this.out.line(line);
  }

  private draw(): void {
    if (!this.last) return;
    const p = paint(this.out.color);
    const lines = renderWatchFrame(this.last, this.now(), p);
    if (this.notice) lines.push(p.yellow(this.notice));
    // The cursor cannot move above the screen: a frame taller than the terminal is cut.
    const room = Math.max(3, this.out.rows - 1);
    if (lines.length > room)
      lines.splice(room - 1, lines.length, p.dim(`… ${lines.length - room + 1} more lines (convoy rollout status ${this.last.id})`));
    // Lines must not wrap, or moving up by the line count would land in the wrong place.
    const width = Math.max(20, this.out.columns - 1);
    const clear = this.drawn ? `\x1b[${this.drawn}A\r\x1b[0J` : '';
    this.out.write(clear + lines.map((l) => truncate(l, width)).join('\n') + '\n');
    this.drawn = lines.length;
  }
}

function displayFor(ctx: CliContext, json: boolean): WatchDisplay {
  if (json) return jsonDisplay(ctx);
  return ctx.out.isTTY ? new LiveDisplay(ctx.out, () => ctx.now()) : plainDisplay(ctx);
}

/**
 * Follows a rollout until it is terminal; returns its last view, or undefined when the
 * operator interrupted. A lost stream (coordinator restart) is resumed for a while; a
 * stream the coordinator ends before the rollout is terminal is simply opened again.
 */
export async function watchRollout(
  ctx: CliContext,
  client: ControlApi,
  id: string,
  opts: { json: boolean },
): Promise<RolloutView | undefined> {
  const display = displayFor(ctx, opts.json);
  const backoff = new Backoff({ initialMs: 250, maxMs: 5000, multiplier: 2, jitter: 0.5 });
  let last: RolloutView | undefined;
  let lostAt = 0;
  try {
    while (!ctx.signal.aborted) {
      try {
        for await (const view of client.watchRollout(id, ctx.signal)) {
          lostAt = 0;
          backoff.reset();
          last = view;
          display.show(view);
          if (isTerminal(view.state)) {
            display.end(view);
            return view;
          }
        }
      } catch (err) {
        if (ctx.signal.aborted) break;
        // Before the first view an error is the answer (not found, unreachable: exit 2 or 3).
        if (!last || !isTransient(err)) throw err;
        if (!lostAt) lostAt = ctx.now();
        if (ctx.now() - lostAt > RECONNECT_WINDOW_MS) throw err;
        display.note(`lost the coordinator at ${client.address}; reconnecting…`);
      }
      await systemClock.sleep(backoff.next(), ctx.signal).catch(() => undefined);
    }
  } finally {
    if (!last || !isTerminal(last.state)) display.end(undefined);
  }
  return undefined;
}

/** Runs watch as a command: exit 0 succeeded, 1 failed/aborted, 130 interrupted. */
export async function watchCommand(ctx: CliContext, client: ControlApi, id: string, json: boolean): Promise<number> {
  ctx.handlesInterrupt = true;
  const view = await watchRollout(ctx, client, id, { json });
  if (!view) {
    ctx.err(`convoy: stopped watching; rollout ${id} goes on. Watch again: convoy rollout watch ${id}`);
    return EXIT_INTERRUPTED;
  }
  return exitCodeOfRollout(view);
}

export function registerRolloutWatch(rollout: Command, ctx: CliContext): void {
  rollout
    .command('watch')
    .description('follow a rollout live until it succeeds, fails or is aborted')
    .argument('<id>', 'the rollout id', rolloutIdArg())
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (id: string, opts: { json?: boolean }, cmd: Command) =>
        watchCommand(ctx, clientFor(ctx, cmd), id, Boolean(opts.json)),
      ),
    );
}
