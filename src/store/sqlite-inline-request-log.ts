/**
 * The gateway's SQLite request log written on the serving thread. For a process with one CPU
 * (`writer: auto` under `taskset -c 0`, say), where a writer thread could only take turns with the
 * serving thread on that one core: it preempts the serving thread for whole scheduler slices (the
 * latency tail), costs a JSON round trip per batch, and brings its own V8 heap.
 *
 * Requests are staged: each turn's finished requests are inserted at the end of that turn into a
 * transaction held open until a batch's worth is in (or the sink's flush timer commits it). Rows
 * queued in memory for a whole batch lived through two young-generation collections and were
 * copied into the old generation (about 850 bytes a request, bench:profile); staged, they are
 * garbage within the turn. A write of more than a slice goes a slice per turn, so no turn blocks
 * for longer than a slice.
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

/** Requests inserted per turn (about 0.3 ms on the benchmark machine). */
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
  /** A turn's requests (a slice or fewer) go in at once, with no promise; more, a slice per turn. */
  const stage = (batch: readonly LoggedRequest[]): Promise<void> | undefined => {
    if (checkpointing) return writable().then(() => stage(batch));
    if (batch.length > INLINE_WRITE_SLICE) return log.stageSlices(batch, INLINE_WRITE_SLICE, nextTurn).then(() => took(batch.length), rolledBack);
    try {
      log.stageNow(batch);
    } catch (err) {
      rolledBack(err);
    }
    took(batch.length);
    return undefined;
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
