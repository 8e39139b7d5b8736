/**
 * The gateway's SQLite request log written on the serving thread, a slice of a batch per
 * event-loop turn (a batch is still one transaction), so no turn blocks for longer than a slice.
 * For a process with one CPU (`writer: auto` under `taskset -c 0`, say), where a writer thread
 * could only take turns with the serving thread on that one core: it preempts the serving thread
 * for whole scheduler slices (the latency tail), costs a JSON round trip per batch, and brings its
 * own V8 heap.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RequestLog } from './request-log.js';
import { openSqliteRequestLog, pruneInSlices } from './sqlite-request-log.js';

/** Requests inserted per turn (about 0.3 ms on the benchmark machine). */
export const INLINE_WRITE_SLICE = 20;
/** Requests pruned per turn. */
export const INLINE_PRUNE_SLICE = 200;

export function openSqliteInlineRequestLog(path: string): RequestLog {
  const log = openSqliteRequestLog({ path });
  return {
    location: log.location,
    write: (batch) => log.writeSlices(batch, INLINE_WRITE_SLICE, nextTurn),
    query: (query) => log.query(query),
    get: (requestId) => log.get(requestId),
    prune: (retention, now = Date.now()) => pruneInSlices(log, retention, now, INLINE_PRUNE_SLICE, nextTurn),
    close: () => log.close(),
  };
}
