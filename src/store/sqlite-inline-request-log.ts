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
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LoggedRequest, RequestLog } from './request-log.js';
import { openSqliteRequestLog, pruneInSlices } from './sqlite-request-log.js';

/** Requests inserted per turn (about 0.3 ms on the benchmark machine). */
export const INLINE_WRITE_SLICE = 20;
/** Requests pruned per turn. */
export const INLINE_PRUNE_SLICE = 200;

export interface InlineLogOptions {
  /** Requests staged before the open transaction is committed (the log's `batch_size`). */
  commitEvery: number;
}

export function openSqliteInlineRequestLog(path: string, { commitEvery }: InlineLogOptions): RequestLog {
  const log = openSqliteRequestLog({ path });
  /** Requests in the open transaction. */
  let staged = 0;
  const commit = (): void => {
    staged = 0;
    log.commit();
  };
  const took = (count: number): void => {
    staged += count;
    if (staged >= commitEvery) commit();
  };
  /** A failed insert rolled back the whole open transaction: says so when that took earlier batches with it. */
  const rolledBack = (err: unknown): never => {
    const lost = staged;
    staged = 0;
    throw lost > 0 ? new Error(`${(err as Error).message} (the ${lost} requests staged before it were rolled back too)`, { cause: err }) : err;
  };
  /** A turn's requests (a slice or fewer) go in at once, with no promise; more, a slice per turn. */
  const stage = (batch: readonly LoggedRequest[]): Promise<void> | undefined => {
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
    prune: (retention, now = Date.now()) => pruneInSlices(log, retention, now, INLINE_PRUNE_SLICE, nextTurn),
    close: () => log.close(),
  };
}
