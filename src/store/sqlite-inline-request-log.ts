/**
 * The gateway's SQLite request log written on the serving thread. For a process with one CPU
 * (`writer: auto` under `taskset -c 0`, say), where a writer thread could only take turns with the
 * serving thread on that one core: it preempts the serving thread for whole scheduler slices (the
 * latency tail), costs a JSON round trip per batch, and brings its own V8 heap.
 *
 * Requests are staged: each turn's finished requests are inserted at the end of that turn into a
 * transaction held open until a batch's worth is in (or the sink's flush timer commits it). Rows
 * that wait in memory for more than a few milliseconds live through two young-generation
 * collections and are copied into the old generation, to wait there for a full GC; staged, they
 * are garbage within the turn. Rows that came while a checkpoint ran wait, and go in after it a
 * slice per turn, beside each turn's own: the wait shrinks by a slice every turn, whatever the
 * load. (A whole turn's requests go in at once: they cost about a tenth of what serving them did.
 * When each turn's requests went in a slice per turn too, at c=64 more finished in a turn than a
 * slice took, and rows waited in batches of about 1,200; the defaults promoted 1,400-1,500 bytes
 * a request into the old generation, against 340-640 with turns written whole; bench:profile.)
 *
 * The WAL is checkpointed here rather than by SQLite: SQLite checkpoints in the commit that takes
 * the WAL past 1,000 pages, and syncs both files there, which held the serving thread for 35-45 ms
 * every few seconds under load (a microbench of 100,000 logged requests: a batch's p99 33-38 ms,
 * against 3-5 ms without the syncs; docs/benchmarks.md). Here, every CHECKPOINT_EVERY requests,
 * writes pause; the WAL is synced on libuv's thread pool, its pages are copied into the database
 * file on this thread (the copy of a 16 MB WAL, without syncs, kept a batch's longest under 7 ms;
 * this one is under half that size), the database file is synced on the pool, and writes
 * resume: the same order of syncs as SQLite's, with the waits off the serving thread. Rows
 * finished meanwhile wait in the sink's queue.
 */
import { open } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LoggedRequest, RequestLog } from './request-log.js';
import { openSqliteRequestLog, pruneInSlices } from './sqlite-request-log.js';

/** Requests that waited (for a checkpoint) inserted per turn, beside the turn's own (about 0.3 ms on the benchmark machine). */
export const INLINE_WRITE_SLICE = 20;
/** Requests pruned per turn. */
export const INLINE_PRUNE_SLICE = 200;

/**
 * Requests logged between two checkpoints (about 7 MB of WAL in the benchmark's traffic). Measured
 * at 2,000, 4,000 and 8,000 (docs/benchmarks.md): the longest event-loop stall 4.8-7.6, 8.1-9.1
 * and 8.3-9.6 ms; CPU per request against SQLite's own checkpoints +3.7%, -5.1% and -3.6%.
 */
export const CHECKPOINT_EVERY = 4_000;

export interface InlineLogOptions {
  /** Requests staged before the open transaction is committed (the log's `batch_size`). */
  commitEvery: number;
  /** A checkpoint that failed; SQLite checkpoints (with its own syncs, on this thread) from then on. */
  onError?: (err: Error) => void;
  /** Syncs a file to disk (tests replace it to see the order, or hold a sync). */
  syncFile?: (path: string) => Promise<void>;
}

export function openSqliteInlineRequestLog(path: string, { commitEvery, onError, syncFile = fsyncFile }: InlineLogOptions): RequestLog {
  const log = openSqliteRequestLog({ path, checkpoints: 'caller' });
  /** Requests in the open transaction. */
  let staged = 0;
  /** Requests committed since the last checkpoint. */
  let sinceCheckpoint = 0;
  /** The checkpoint under way: nothing is written until it settles (it never rejects). */
  let checkpointing: Promise<void> | undefined;
  /** Set once a checkpoint has failed: SQLite checkpoints from then on. */
  let handedBack = false;

  /**
   * One checkpoint, with writes paused: the WAL's frames are on disk before any of them is copied
   * into the database file, and the database file is on disk before the WAL can be written over
   * (the next write after a complete checkpoint starts the WAL again from its beginning).
   */
  const checkpoint = async (): Promise<void> => {
    try {
      await syncFile(log.files.wal);
      log.checkpointCopy();
      await syncFile(log.files.db);
    } catch (err) {
      handedBack = true;
      log.sqliteCheckpoints();
      onError?.(err as Error);
    }
  };
  const commit = (): void => {
    sinceCheckpoint += staged;
    staged = 0;
    log.commit();
    if (sinceCheckpoint >= CHECKPOINT_EVERY && !checkpointing && !handedBack) {
      sinceCheckpoint = 0;
      // Cleared in a callback, which runs after this assignment even if the checkpoint fails at once.
      checkpointing = checkpoint().then(() => {
        checkpointing = undefined;
      });
    }
  };
  const took = (count: number): void => {
    staged += count;
    if (staged >= commitEvery) commit();
  };
  /** Resolves when no checkpoint is under way (one may follow another). */
  const writable = async (): Promise<void> => {
    while (checkpointing) await checkpointing;
  };
  /** A failed insert rolled back the whole open transaction: says so when that took earlier batches with it. */
  const rolledBack = (err: unknown): never => {
    const lost = staged;
    staged = 0;
    throw lost > 0 ? new Error(`${(err as Error).message} (the ${lost} requests staged before it were rolled back too)`, { cause: err }) : err;
  };
  /** Requests taken while a checkpoint ran or earlier ones still waited, in order; from `next` on, not in yet. */
  let waiting: LoggedRequest[] = [];
  let next = 0;
  /** How many joined `waiting` since the last turn's insert. */
  let arrived = 0;
  /** Inserting what waits, a turn at a time; settles once nothing waits. */
  let draining: Promise<void> | undefined;

  const insert = (batch: readonly LoggedRequest[], from: number, to: number): void => {
    try {
      log.stageNow(batch, from, to);
    } catch (err) {
      rolledBack(err);
    }
    took(to - from);
  };
  const drain = async (): Promise<void> => {
    try {
      while (next < waiting.length) {
        await nextTurn();
        await writable();
        // What arrived since the last turn, and a slice of what waited before it.
        const to = Math.min(waiting.length, next + arrived + INLINE_WRITE_SLICE);
        arrived = 0;
        const from = next;
        next = to;
        insert(waiting, from, to);
      }
    } catch (err) {
      const dropped = waiting.length - next;
      throw dropped > 0 ? new Error(`${(err as Error).message} (the ${dropped} requests waiting behind them were not logged)`, { cause: err }) : err;
    } finally {
      waiting = [];
      next = 0;
      arrived = 0;
      draining = undefined;
    }
  };
  /** A turn's requests go in at once, with no promise, unless a checkpoint runs or earlier ones wait: then they wait too. */
  const stage = (batch: readonly LoggedRequest[]): Promise<void> | undefined => {
    // Nothing to add. (A drain started for nothing would settle before `draining` took its
    // promise, which would then stay set and hold every later request back, in memory, for good.)
    if (batch.length === 0) return draining;
    if (!checkpointing && !draining) {
      insert(batch, 0, batch.length);
      return undefined;
    }
    for (const request of batch) waiting.push(request);
    arrived += batch.length;
    draining ??= drain();
    return draining;
  };
  return {
    location: log.location,
    stage,
    async write(batch) {
      await stage(batch);
      commit();
    },
    query: (query) => log.query(query),
    get: (requestId) => log.get(requestId),
    async prune(retention, now = Date.now()) {
      await writable();
      return pruneInSlices(log, retention, now, INLINE_PRUNE_SLICE, () => nextTurn().then(writable));
    },
    async close() {
      await draining?.catch(() => undefined);
      await writable();
      await log.close();
    },
  };
}

async function fsyncFile(path: string): Promise<void> {
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    // No WAL yet (nothing written since it was last removed): nothing to sync.
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!file) return;
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}
