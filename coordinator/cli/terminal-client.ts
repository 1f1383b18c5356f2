/**
 * The client as text commands see it: every value the coordinator sends (agent versions,
 * labels, step output, reasons) comes back with its control characters made inert
 * (shared/terminal-text.ts), so no formatter can print a hostile escape by forgetting to
 * clean a field. --json commands use the plain client: their output keeps the exact values,
 * escaped by the JSON printer.
 */
import { inertDeep } from '../../shared/terminal-text.js';
import type { ControlApi } from './client.js';

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

async function* inertStream(items: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  for await (const item of items) yield inertDeep(item);
}

/** What a method returned, with its strings made inert: a promise, a stream, or a plain value. */
function inertResult(result: unknown): unknown {
  if (result instanceof Promise) return result.then((v: unknown) => inertDeep(v));
  if (isAsyncIterable(result)) return inertStream(result);
  return inertDeep(result);
}

/** `api` with every answer passed through inertDeep. */
export function terminalClient(api: ControlApi): ControlApi {
  return new Proxy(api, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => inertResult((value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
