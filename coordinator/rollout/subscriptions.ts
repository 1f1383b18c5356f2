/** Listeners by rollout id (watch streams, logs --follow): the controller notifies, the RPC layer subscribes. */
export class Subscriptions<T> {
  private readonly byId = new Map<string, Set<(value: T) => void>>();

  /** Registers `fn` for rollout `id`; returns the function that removes it. */
  add(id: string, fn: (value: T) => void): () => void {
    const set = this.byId.get(id) ?? new Set<(value: T) => void>();
    set.add(fn);
    this.byId.set(id, set);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.byId.delete(id);
    };
  }

  notify(id: string, value: T): void {
    for (const fn of this.byId.get(id) ?? []) fn(value);
  }
}
