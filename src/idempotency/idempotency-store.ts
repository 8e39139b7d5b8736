/**
 * Idempotency: concurrent requests with the same key share one upstream call (single-flight), and
 * a completed answer is replayed for the same key within a TTL, so a client's retry after a
 * timeout or a disconnect never runs (and bills) the request twice. In memory now; bounded.
 */
import type { Cancel } from '../cancel.js';
import { GatewayError } from '../errors.js';
import type { CachedAnswer } from '../cache/response-cache.js';
import type { Served } from '../gateway/served.js';
import { OldestFirst } from '../cache/oldest-first.js';

export interface Recorded {
  answer: CachedAnswer;
  served: Served;
}

type Settlement = { kind: 'done'; recorded: Recorded } | { kind: 'failed'; error: unknown } | { kind: 'abandoned' };

interface Entry {
  /** Hash of the body, so a key reused for a different request is refused. */
  bodyHash: string;
  /** Bytes of the kept answer (0 while in flight). */
  size: number;
  /** Followers waiting for the leader; made only when one comes (most keys never see a second request). */
  waiters: Array<(settlement: Settlement) => void> | undefined;
  done: Recorded | undefined;
  expiresAt: number;
}

/** What the leader of a key reports when it is finished. */
export interface Flight {
  complete(recorded: Recorded): void;
  /** The request failed: followers waiting now get the same error; nothing is kept. */
  fail(error: unknown): void;
  /** The leader went away without an answer: followers run the request themselves. */
  abandon(): void;
}

export type Claim = { role: 'leader'; flight: Flight } | { role: 'replay'; recorded: Recorded };

export interface IdempotencyOptions {
  ttlMs: number;
  maxEntries: number;
  /** Cap on the bytes of kept answers: replays are bounded in memory, not only in count. */
  maxBytes: number;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly order = new OldestFirst<string, Entry>();
  private bytes = 0;

  constructor(private options: IdempotencyOptions) {}

  configure(options: IdempotencyOptions): void {
    this.options = options;
  }

  /**
   * Leads the key, or waits for its leader and replays its answer. A follower whose leader failed
   * gets the same failure; one whose leader gave up takes the lead.
   */
  async claim(key: string, bodyHash: string, cancel: Cancel): Promise<Claim> {
    for (;;) {
      const entry = this.live(key);
      if (!entry) return { role: 'leader', flight: this.lead(key, bodyHash) };
      if (entry.bodyHash !== bodyHash) {
        throw new GatewayError('This Idempotency-Key was already used for a different request body.', { status: 422, code: 'idempotency_key_reused', param: 'Idempotency-Key', shape: 'client_error' });
      }
      if (entry.done) return { role: 'replay', recorded: entry.done };
      const settlement = await abortable(new Promise<Settlement>((resolve) => (entry.waiters ??= []).push(resolve)), cancel);
      if (settlement.kind === 'done') return { role: 'replay', recorded: settlement.recorded };
      if (settlement.kind === 'failed') throw settlement.error;
      // abandoned: loop and take the lead
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The fast path: leads the key at once when no request holds it (no promise made), else undefined (use `claim`). */
  tryLead(key: string, bodyHash: string): Flight | undefined {
    return this.live(key) ? undefined : this.lead(key, bodyHash);
  }

  private lead(key: string, bodyHash: string): Flight {
    const entry: Entry = { bodyHash, size: 0, waiters: undefined, done: undefined, expiresAt: Infinity };
    this.entries.set(key, entry);
    this.order.add(key, entry);
    this.evict();
    return new LeaderFlight(this, key, entry);
  }

  /** The leader of `key` is finished (called by its LeaderFlight): keeps its answer (`done`) or lets the key go, and wakes its followers. */
  settle(key: string, entry: Entry, settlement: Settlement): void {
    if (settlement.kind === 'done' && this.entries.get(key) === entry) {
      entry.done = settlement.recorded;
      entry.expiresAt = Date.now() + this.options.ttlMs;
      entry.size = settlement.recorded.answer.body.length;
      this.bytes += entry.size;
      this.evict();
    } else if (this.entries.get(key) === entry) {
      this.entries.delete(key);
    }
    const waiters = entry.waiters;
    entry.waiters = undefined;
    if (waiters) for (const wake of waiters) wake(settlement);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.remove(key, entry);
      return undefined;
    }
    return entry;
  }

  /** Evicts oldest first while over a bound (twice a request: its functions are made once, not per call). */
  private evict(): void {
    if (this.withinBounds()) {
      this.order.tidy(this.currentEntry, this.entries.size);
      return;
    }
    this.order.evict(this.currentEntry, this.takeOldest, this.entries.size);
  }

  private withinBounds(): boolean {
    return this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes;
  }

  private readonly currentEntry = (key: string): Entry | undefined => this.entries.get(key);

  private readonly takeOldest = (key: string, entry: Entry): 'taken' | 'keep' | 'stop' => {
    if (this.withinBounds()) return 'stop';
    // Never drop a flight in progress: its followers wait on it.
    if (!entry.done) return 'keep';
    this.remove(key, entry);
    return 'taken';
  };

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.size;
  }
}

/** The Flight a leader holds: the first of complete / fail / abandon settles the key; later calls do nothing. */
class LeaderFlight implements Flight {
  private finished = false;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string,
    private readonly entry: Entry,
  ) {}

  complete(recorded: Recorded): void {
    this.end({ kind: 'done', recorded });
  }

  fail(error: unknown): void {
    this.end({ kind: 'failed', error });
  }

  abandon(): void {
    this.end({ kind: 'abandoned' });
  }

  private end(settlement: Settlement): void {
    if (this.finished) return;
    this.finished = true;
    this.store.settle(this.key, this.entry, settlement);
  }
}

function abortable<T>(promise: Promise<T>, cancel: Cancel): Promise<T> {
  if (cancel.aborted) return Promise.reject(new GatewayError('The client closed the request.', { status: 499, code: 'client_closed' }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new GatewayError('The client closed the request.', { status: 499, code: 'client_closed' }));
    cancel.onAbort(onAbort);
    promise.then(
      (value) => {
        cancel.offAbort(onAbort);
        resolve(value);
      },
      (err: unknown) => {
        cancel.offAbort(onAbort);
        reject(err);
      },
    );
  });
}
