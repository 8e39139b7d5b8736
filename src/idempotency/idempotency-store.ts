/**
 * Idempotency: concurrent requests with the same key share one upstream call (single-flight), and
 * a completed answer is replayed for the same key within a TTL, so a client's retry after a
 * timeout or a disconnect never runs (and bills) the request twice. In memory now; bounded: the
 * answers are kept outside V8's heap (kept-records.ts).
 */
import type { Cancel } from '../cancel.js';
import { GatewayError } from '../errors.js';
import { KeptRecords, type Recorded } from './kept-records.js';

type Settlement = { kind: 'done'; recorded: Recorded } | { kind: 'failed'; error: unknown } | { kind: 'abandoned' };

/** A key whose request is running. */
interface InFlight {
  /** Hash of the body, so a key reused for a different request is refused. */
  bodyHash: string;
  /** Followers waiting for the leader; made only when one comes (most keys never see a second request). */
  waiters: Array<(settlement: Settlement) => void> | undefined;
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
  /** Cap on the answers kept for replay (requests in flight are not counted: they are never dropped). */
  maxEntries: number;
  /** Cap on the bytes of kept answers: replays are bounded in memory, not only in count. */
  maxBytes: number;
}

export class IdempotencyStore {
  /** Keys whose leader is still running, with the followers waiting for it. */
  private readonly flights = new Map<string, InFlight>();
  private readonly kept: KeptRecords;

  constructor(private options: IdempotencyOptions) {
    this.kept = new KeptRecords(options);
  }

  configure(options: IdempotencyOptions): void {
    this.options = options;
    this.kept.configure(options);
  }

  /**
   * Leads the key, or waits for its leader and replays its answer. A follower whose leader failed
   * gets the same failure; one whose leader gave up takes the lead.
   */
  async claim(key: string, bodyHash: string, cancel: Cancel): Promise<Claim> {
    for (;;) {
      const flight = this.flights.get(key);
      if (flight === undefined) {
        const kept = this.kept.read(key, Date.now());
        if (kept === undefined) return { role: 'leader', flight: this.lead(key, bodyHash) };
        if (kept.bodyHash !== bodyHash) throw keyReused();
        return { role: 'replay', recorded: kept.recorded };
      }
      if (flight.bodyHash !== bodyHash) throw keyReused();
      const settlement = await abortable(new Promise<Settlement>((resolve) => (flight.waiters ??= []).push(resolve)), cancel);
      if (settlement.kind === 'done') return { role: 'replay', recorded: settlement.recorded };
      if (settlement.kind === 'failed') throw settlement.error;
      // abandoned: loop and take the lead
    }
  }

  /** Keys held: answers kept and requests in flight. */
  get size(): number {
    return this.flights.size + this.kept.size;
  }

  /** The fast path: leads the key at once when no request holds it (no promise made), else undefined (use `claim`). */
  tryLead(key: string, bodyHash: string): Flight | undefined {
    return this.flights.has(key) || this.kept.has(key, Date.now()) ? undefined : this.lead(key, bodyHash);
  }

  private lead(key: string, bodyHash: string): Flight {
    const flight: InFlight = { bodyHash, waiters: undefined };
    this.flights.set(key, flight);
    return new LeaderFlight(this, key, flight);
  }

  /** The leader of `key` is finished (called by its LeaderFlight): keeps its answer (`done`) or lets the key go, and wakes its followers. */
  settle(key: string, flight: InFlight, settlement: Settlement): void {
    // A flight holds its key until it settles, and settles once (LeaderFlight).
    this.flights.delete(key);
    if (settlement.kind === 'done') {
      const now = Date.now();
      this.kept.keep(key, flight.bodyHash, settlement.recorded, now + this.options.ttlMs, now);
    }
    const waiters = flight.waiters;
    flight.waiters = undefined;
    if (waiters) for (const wake of waiters) wake(settlement);
  }
}

function keyReused(): GatewayError {
  return new GatewayError('This Idempotency-Key was already used for a different request body.', { status: 422, code: 'idempotency_key_reused', param: 'Idempotency-Key', shape: 'client_error' });
}

/** The Flight a leader holds: the first of complete / fail / abandon settles the key; later calls do nothing. */
class LeaderFlight implements Flight {
  private finished = false;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string,
    private readonly flight: InFlight,
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
    this.store.settle(this.key, this.flight, settlement);
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
