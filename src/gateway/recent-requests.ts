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
 * A ring of the last `capacity` requests: adding one is a store into an array slot, with no map to
 * keep in step (a Map keyed by request id, and the order of its keys, cost about a microsecond a
 * request). Finding one by id walks the ring, newest first: that is the admin endpoint's cost, not
 * the request path's. A request id seen again (a client reusing its x-request-id) is found as its newest.
 */
export class RecentRequests {
  private readonly ring: (RecentRequest | undefined)[];
  private next = 0;

  constructor(private readonly capacity = DEFAULT_RECENT_REQUESTS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`keep at least one recent request, not ${capacity}`);
    this.ring = new Array<RecentRequest | undefined>(capacity).fill(undefined);
  }

  add(served: Served, status: number): void {
    this.ring[this.next] = { served, status, finishedAt: Date.now() };
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  get(requestId: string): RecentRequest | undefined {
    for (const entry of this.newestFirst()) if (entry.served.requestId === requestId) return entry;
    return undefined;
  }

  /** Newest first, each request id once. */
  list(limit: number): RecentRequest[] {
    const seen = new Set<string>();
    const out: RecentRequest[] = [];
    for (const entry of this.newestFirst()) {
      if (out.length >= limit) break;
      if (seen.has(entry.served.requestId)) continue;
      seen.add(entry.served.requestId);
      out.push(entry);
    }
    return out;
  }

  private *newestFirst(): Generator<RecentRequest> {
    for (let back = 1; back <= this.capacity; back++) {
      const entry = this.ring[(this.next - back + this.capacity) % this.capacity];
      if (entry === undefined) return;
      yield entry;
    }
  }
}
