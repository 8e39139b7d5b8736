/**
 * The gateway's SQLite request log, written on a worker thread (sqlite-log-worker.ts) so a batch's
 * inserts never block the event loop that serves requests. Same RequestLog interface; readers
 * (`switchyard log`, replay) open the file directly instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RequestLogUnavailable, type RequestLog } from './request-log.js';
import type { WorkerAnswer, WorkerCall } from './sqlite-log-worker.js';

const ENCODER = new TextEncoder();

/**
 * Starts the worker: the compiled .js next to this file, or, running from source (tests, tsx), a
 * small bootstrap that registers tsx in the worker (it does not inherit the parent's loader hooks)
 * and then loads the .ts source.
 */
function startWorker(path: string): Worker {
  const compiled = new URL('./sqlite-log-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: { path } });
  const source = new URL('./sqlite-log-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { path } });
}

export async function openSqliteWorkerRequestLog(path: string): Promise<RequestLog> {
  const worker = startWorker(path);
  // An idle log must not keep a process alive; a call in flight does (a flush at shutdown finishes).
  worker.unref();
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 0;
  let failed: Error | undefined;
  worker.on('message', (answer: WorkerAnswer) => {
    const waiter = pending.get(answer.id);
    if (!waiter) return;
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
    if (answer.ok) waiter.resolve(answer.result);
    else waiter.reject(Object.assign(answer.name === 'RequestLogUnavailable' ? new RequestLogUnavailable(answer.message) : new Error(answer.message), { name: answer.name }));
  });
  const fail = (err: Error) => {
    failed = err;
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the request log's writer thread exited (code ${code})`)));

  const call = <T>(op: WorkerCall['op'], args: unknown[] = [], transfer: ArrayBuffer[] = []): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, op, args } satisfies WorkerCall, transfer);
    });
  };
  // Opening happens in the worker: a first call says whether it worked (a path that cannot be created, say).
  await call('get', ['']);
  let closed = false;
  return {
    location: path,
    // A batch crosses as UTF-8 JSON in a buffer handed over (transferred, not copied), so the serving
    // thread does no structured clone of the rows. (A CPU profile could not tell the two apart: with
    // the process pinned to one core, the worker's inserts show up under postMessage either way.)
    write: (batch) => {
      if (batch.length === 0) return Promise.resolve();
      const bytes = ENCODER.encode(JSON.stringify(batch));
      return call('writeJson', [bytes], [bytes.buffer]);
    },
    query: (query) => call('query', [query]),
    get: (requestId) => call('get', [requestId]),
    prune: (retention, now) => call('prune', [retention, now]),
    async close() {
      if (closed) return;
      closed = true;
      await call('close').catch(() => undefined);
      await worker.terminate();
    },
  };
}
