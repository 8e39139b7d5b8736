/**
 * The SQLite request log's writer thread: better-sqlite3 is synchronous, so the gateway's log lives
 * here, off the event loop that serves requests. Each message is one call of the RequestLog
 * interface; each answer carries the call's id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoggedRequest, RequestLog } from './request-log.js';
import { openSqliteRequestLog } from './sqlite-request-log.js';

export type WorkerCall = { id: number; op: 'write' | 'query' | 'get' | 'prune' | 'close' | 'writeJson'; args: unknown[] };
export type WorkerAnswer = { id: number; ok: true; result: unknown } | { id: number; ok: false; name: string; message: string };

const DECODER = new TextDecoder();
const port = parentPort;
if (port) {
  const { path } = workerData as { path: string };
  let log: RequestLog | undefined;
  let openError: Error | undefined;
  try {
    log = openSqliteRequestLog({ path });
  } catch (err) {
    openError = err as Error;
  }
  port.on('message', async (call: WorkerCall) => {
    try {
      if (!log) throw openError ?? new Error('the request log is not open');
      // `writeJson`: a batch sent as UTF-8 JSON bytes (see sqlite-worker-request-log.ts).
      const result =
        call.op === 'writeJson'
          ? await log.write(JSON.parse(DECODER.decode(call.args[0] as Uint8Array)) as LoggedRequest[])
          : await (log[call.op] as (...args: unknown[]) => Promise<unknown>).apply(log, call.args);
      port.postMessage({ id: call.id, ok: true, result } satisfies WorkerAnswer);
      if (call.op === 'close') port.close();
    } catch (err) {
      const error = err as Error;
      port.postMessage({ id: call.id, ok: false, name: error.name, message: error.message } satisfies WorkerAnswer);
    }
  });
}
