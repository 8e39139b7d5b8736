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

export class RecentRequests {
  private readonly entries = new Map<string, RecentRequest>();

  constructor(private readonly capacity = DEFAULT_RECENT_REQUESTS) {}

  add(served: Served, status: number): void {
    this.entries.delete(served.requestId);
    this.entries.set(served.requestId, { served, status, finishedAt: Date.now() });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get(requestId: string): RecentRequest | undefined {
    return this.entries.get(requestId);
  }

  /** Newest first. */
  list(limit: number): RecentRequest[] {
    return [...this.entries.values()].slice(-limit).reverse();
  }
}
