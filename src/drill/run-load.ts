/**
 * The open-loop load generator: requests go out on a fixed schedule whether or not earlier ones
 * have answered, so a slow or hanging gateway shows up as latency instead of slowing the load
 * (no coordinated omission). Each request's latency counts from its scheduled time.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface LoadOptions {
  /** Requests per second. */
  rps: number;
  /** How long requests keep being sent; in-flight ones are then awaited. */
  durationMs: number;
  /** Stops sending early (in-flight requests are still awaited). */
  signal?: AbortSignal;
  /** Sends request number `index`, due at `scheduledAt` (performance.now() time). Must not throw. */
  fire(scheduledAt: number, index: number): Promise<void>;
}

/** Resolves with the number of requests sent, once every one of them has settled. */
export async function runLoad(options: LoadOptions): Promise<number> {
  // Counted up front: comparing float send times with the duration can round into one extra send.
  const total = Math.max(0, Math.ceil((options.durationMs * options.rps) / 1000 - 1e-9));
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  let index = 0;
  for (; index < total; index++) {
    if (options.signal?.aborted) break;
    const due = start + (index * 1000) / options.rps;
    const wait = due - performance.now();
    // Sleeping until the due time; a late wake-up sends the overdue requests back to back.
    if (wait > 1) {
      try {
        await delay(wait, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
    const sent = options.fire(due, index).catch(() => undefined);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  return index;
}
