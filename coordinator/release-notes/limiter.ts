/** At most `max` tasks at once; the others wait in order. Keeps a burst of tags from becoming a burst of requests. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // hand the slot straight to the next task, so no newcomer can overtake it
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
