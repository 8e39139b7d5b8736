/** The attempt logs of the last N requests, by request id, for the admin debug endpoint. */
import type { Served } from './served.js';
import { OldestFirst } from '../cache/oldest-first.js';

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

export class RecentRequests {
  private readonly entries = new Map<string, RecentRequest>();
  private readonly order = new OldestFirst<string, RecentRequest>();

  constructor(private readonly capacity = DEFAULT_RECENT_REQUESTS) {}

  add(served: Served, status: number): void {
    const entry = { served, status, finishedAt: Date.now() };
    // Deleted first, so a request id seen again moves to the newest end (list() reads the map's order).
    this.entries.delete(served.requestId);
    this.entries.set(served.requestId, entry);
    this.order.add(served.requestId, entry);
    this.order.evict(
      (key) => this.entries.get(key),
      (key) => (this.entries.size > this.capacity && this.entries.delete(key) ? 'taken' : 'stop'),
      this.entries.size,
    );
  }

  get(requestId: string): RecentRequest | undefined {
    return this.entries.get(requestId);
  }

  /** Newest first. */
  list(limit: number): RecentRequest[] {
    return [...this.entries.values()].slice(-limit).reverse();
  }
}
