/** The attempt logs of the last N requests, by request id, for the admin debug endpoint. */
import type { Served } from './served.js';

export interface RecentRequest {
  served: Served;
  status: number;
  finishedAt: number;
}

/**
 * How the admin API shows a request: the served record with its status, flat, and where it was
 * read. From the request log the attempts have what the log keeps: messages clipped, and no
 * billing details (`billable`, `billedUsage`).
 */
export type RecentRequestView = Served & { status: number; finishedAt: number; source: 'memory' | 'request_log' };

export function viewOf(entry: RecentRequest): RecentRequestView {
  return { ...entry.served, status: entry.status, finishedAt: entry.finishedAt, source: 'memory' };
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
  private served: (Served | undefined)[] = [];
  private statuses = new Uint16Array(0);
  private finishedAt = new Float64Array(0);
  private next = 0;

  /** `capacity` 0 keeps none. */
  constructor(capacity: number) {
    this.resize(capacity);
  }

  /** Keeps the newest `capacity` of what is held (a reload that changes `server.recent_requests`). */
  resize(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0) throw new Error(`the number of recent requests kept must be a whole number, not ${capacity}`);
    if (capacity === this.served.length) return;
    const kept = [...this.newestFirst()].slice(0, capacity).reverse();
    const served = new Array<Served | undefined>(capacity).fill(undefined);
    const statuses = new Uint16Array(capacity);
    const finishedAt = new Float64Array(capacity);
    kept.forEach((slot, i) => {
      served[i] = this.served[slot];
      statuses[i] = this.statuses[slot] as number;
      finishedAt[i] = this.finishedAt[slot] as number;
    });
    this.served = served;
    this.statuses = statuses;
    this.finishedAt = finishedAt;
    this.next = capacity === 0 ? 0 : kept.length % capacity;
  }

  add(served: Served, status: number): void {
    if (this.served.length === 0) return;
    const slot = this.next;
    this.served[slot] = served;
    this.statuses[slot] = status;
    this.finishedAt[slot] = Date.now();
    this.next = slot + 1 === this.served.length ? 0 : slot + 1;
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
    const capacity = this.served.length;
    for (let back = 1; back <= capacity; back++) {
      const slot = (this.next - back + capacity) % capacity;
      if (this.served[slot] === undefined) return;
      yield slot;
    }
  }
}
