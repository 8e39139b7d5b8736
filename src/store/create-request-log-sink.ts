/**
 * The request log as a telemetry sink. `requestFinished` only copies the event into rows and queues
 * them; a timer (or a full batch, on the next tick) writes the queue in one transaction, and
 * another timer prunes past retention. Nothing touches the database on a request's own tick. A
 * store that stages (the inline SQLite writer) is handed each turn's queue at the end of the turn,
 * into a transaction that the timer, a full batch or the store itself commits.
 */
import type { Logger } from 'pino';
import type { Telemetry } from '../telemetry/request-event.js';
import { registerActiveLog } from './active-request-logs.js';
import { openRequestLog, requestLogKey } from './open-request-log.js';
import { parseMaxAge, pruneIntervalMs, type RequestLogConfig } from './request-log-config.js';
import { requestLogCounts, type RequestLogCounts } from './request-log-counts.js';
import type { LoggedRequest, RequestLog, Retention } from './request-log.js';
import { rowsOfEvent } from './rows-of-event.js';

/**
 * Most requests queued while the store cannot keep up (or is down); past it the oldest are dropped
 * and counted, so an unreachable database never grows the gateway's memory without bound.
 */
export const MAX_QUEUED_REQUESTS = 50_000;

export interface RequestLogSink extends Telemetry {
  /** Writes every queued request now. */
  flush(): Promise<void>;
  /** Prunes past retention now; how many requests went. */
  prune(now?: number): Promise<number>;
}

export interface RequestLogSinkOptions {
  config: RequestLogConfig;
  logger: Logger;
  /** Where the sink keeps what it holds and loses (the gateway's, read by `/metrics`); its own when not given. */
  counts?: RequestLogCounts;
  /** Opens the store the config names (tests replace it, to hold or fail a write). */
  openStore?: typeof openRequestLog;
}

/** A sink writing to the configured log; undefined when the log is off. */
export async function createRequestLogSink({ config, logger, counts = requestLogCounts(), openStore = openRequestLog }: RequestLogSinkOptions): Promise<RequestLogSink | undefined> {
  const key = requestLogKey(config);
  if (key === undefined) return undefined;
  const log = logger.child({ component: 'request-log' });
  const retention: Retention = { maxAgeMs: parseMaxAge(config.retention.max_age) as number, maxRows: config.retention.max_rows };

  let store: RequestLog | undefined;
  let opening: Promise<RequestLog | undefined> | undefined;
  /** Opens the store, or retries on the next flush if it cannot be opened (a database not up yet). */
  const open = (): Promise<RequestLog | undefined> => {
    if (store) return Promise.resolve(store);
    opening ??= openStore(config, { onError: (err) => log.warn({ err }, 'request log store error (a PostgreSQL connection, or a SQLite checkpoint: SQLite checkpoints from then on)') }).then(
      (opened) => {
        store = opened;
        opening = undefined;
        return opened;
      },
      (err: unknown) => {
        log.error({ err }, 'the request log could not be opened; requests stay queued and the next flush tries again');
        opening = undefined;
        return undefined;
      },
    );
    return opening;
  };
  await open();

  let queue: LoggedRequest[] = [];
  let dropped = 0;
  let flushScheduled = false;
  let stageScheduled = false;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const reportDropped = (): void => {
    if (dropped === 0) return;
    log.warn({ dropped }, 'the request log queue was full: the oldest requests were not logged');
    dropped = 0;
  };
  const settled = (requests: number): void => {
    counts.pending -= requests;
  };
  const writeFailed = (err: unknown, requests: number): void => {
    settled(requests);
    counts.writeFailed += requests;
    log.error({ err, requests }, 'writing to the request log failed; the batch is dropped');
  };

  /**
   * Hands the queue to `target`: `write` commits it (and, for a staging store, what was staged
   * before), `stage` leaves it to be committed later. A promise only while the store is still at it.
   */
  const handOver = (target: RequestLog, how: 'write' | 'stage'): Promise<void> | undefined => {
    const batch = queue;
    queue = [];
    reportDropped();
    let pending: Promise<void> | undefined;
    try {
      pending = how === 'stage' && target.stage ? target.stage(batch) : target.write(batch);
    } catch (err) {
      writeFailed(err, batch.length);
      return undefined;
    }
    if (!pending) {
      settled(batch.length);
      return undefined;
    }
    return pending.then(
      () => settled(batch.length),
      (err: unknown) => writeFailed(err, batch.length),
    );
  };
  /** Hand-overs one after another, never two transactions at once (a staging store orders its own). */
  const serially = (how: 'write' | 'stage'): Promise<void> => {
    writing = writing.then(async () => {
      // An empty write still commits what a staging store holds.
      if (queue.length === 0 && (how === 'stage' || !store?.stage)) return;
      const target = await open();
      if (target) await handOver(target, how);
    });
    return writing;
  };
  const flush = (): Promise<void> => {
    flushScheduled = false;
    return serially('write');
  };
  /**
   * At the end of a turn with finished requests: handed to a staging store at once, even while it
   * is still at earlier ones (it keeps them in order); a flush or close waits for what it is at.
   */
  const stageQueued = (): void => {
    stageScheduled = false;
    if (!store?.stage) {
      void serially('stage');
      return;
    }
    const pending = handOver(store, 'stage');
    if (pending) writing = Promise.all([writing, pending]).then(() => undefined);
  };

  const prune = async (now?: number): Promise<number> => {
    const target = await open();
    if (!target) return 0;
    await writing;
    try {
      const removed = await target.prune(retention, now);
      if (removed > 0) log.debug({ removed }, 'request log pruned');
      return removed;
    } catch (err) {
      log.error({ err }, 'pruning the request log failed');
      return 0;
    }
  };

  /** The timer's prune: none starts while the last one is still at it (a big one goes a slice a turn, for many turns). */
  let pruning: Promise<number> | undefined;
  const pruneOnTimer = (): void => {
    pruning ??= prune().finally(() => {
      pruning = undefined;
    });
  };

  const flushTimer = setInterval(() => void flush(), config.flush_interval_ms);
  flushTimer.unref();
  const pruneTimer = setInterval(pruneOnTimer, pruneIntervalMs(config));
  pruneTimer.unref();
  pruneOnTimer();
  const unregister = registerActiveLog(key, { flush, log: open });

  return {
    requestFinished(event) {
      if (closed) return;
      queue.push(rowsOfEvent(event));
      counts.pending++;
      if (queue.length > MAX_QUEUED_REQUESTS) {
        queue.shift();
        dropped++;
        counts.pending--;
        counts.queueFull++;
      }
      if (store?.stage) {
        if (!stageScheduled) {
          stageScheduled = true;
          setImmediate(stageQueued);
        }
      } else if (queue.length >= config.batch_size && !flushScheduled) {
        flushScheduled = true;
        setImmediate(() => void flush());
      }
    },
    flush,
    prune,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(flushTimer);
      clearInterval(pruneTimer);
      unregister();
      await flush();
      if (queue.length > 0) {
        // The store never opened: what is still queued goes with the sink.
        writeFailed(new Error(`the request log (${config.store}) was still not open when the gateway closed it`), queue.length);
        queue = [];
      }
      await store?.close();
    },
  };
}
