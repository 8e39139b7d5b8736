/** The attempt logs of the last N requests, by request id, for the admin debug endpoint. */
import type { Served } from './served.js';

/** Default number of requests kept. */
export const DEFAULT_RECENT_REQUESTS = 1_000;

export interface RecentRequest {
  served: Served;
  status: number;
  finishedAt: number;
}

/** How the admin API shows one: the served record with its status, flat. */
export type RecentRequestView = Served & { status: number; finishedAt: number };

export function viewOf(entry: RecentRequest): RecentRequestView {
  return { ...entry.served, status: entry.status, finishedAt: entry.finishedAt };
}

/**
 * A ring of the last `capacity` requests: adding one is a store into array slots, with no map to
 * keep in step (a Map keyed by request id, and the order of its keys, cost about a microsecond a
 * request) and no object of its own (the status and time go to typed arrays, so what the ring
 * holds per request is the served record the gateway made anyway). Finding one by id walks the
 * ring, newest first: that is the admin endpoint's cost, not the request path's. A request id seen
 * again (a client reusing its x-request-id) is found as its newest.
 */
export class RecentRequests {
  private readonly served: (Served | undefined)[];
  private readonly statuses: Uint16Array;
  private readonly finishedAt: Float64Array;
  private next = 0;

  constructor(private readonly capacity = DEFAULT_RECENT_REQUESTS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`keep at least one recent request, not ${capacity}`);
    this.served = new Array<Served | undefined>(capacity).fill(undefined);
    this.statuses = new Uint16Array(capacity);
    this.finishedAt = new Float64Array(capacity);
  }

  add(served: Served, status: number): void {
    const slot = this.next;
    this.served[slot] = served;
    this.statuses[slot] = status;
    this.finishedAt[slot] = Date.now();
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  get(requestId: string): RecentRequest | undefined {
    for (const slot of this.newestFirst()) if (this.served[slot]?.requestId === requestId) return this.entry(slot);
    return undefined;
  }

  /** Newest first, each request id once. */
  list(limit: number): RecentRequest[] {
    const seen = new Set<string>();
    const out: RecentRequest[] = [];
    for (const slot of this.newestFirst()) {
      if (out.length >= limit) break;
      const { requestId } = this.served[slot] as Served;
      if (seen.has(requestId)) continue;
      seen.add(requestId);
      out.push(this.entry(slot));
    }
    return out;
  }

  private entry(slot: number): RecentRequest {
    return { served: this.served[slot] as Served, status: this.statuses[slot] as number, finishedAt: this.finishedAt[slot] as number };
  }

  /** Filled slots, newest first. */
  private *newestFirst(): Generator<number> {
    for (let back = 1; back <= this.capacity; back++) {
      const slot = (this.next - back + this.capacity) % this.capacity;
      if (this.served[slot] === undefined) return;
      yield slot;
    }
  }
}
