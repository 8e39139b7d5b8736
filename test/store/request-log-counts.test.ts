/**
 * The request log's counts, which `/metrics` reads: requests held in memory and not yet in the
 * database (`pending`), and requests never logged, by reason. A store that stops writing (a leak in
 * the inline writer once held every later request in memory) shows as `pending` that climbs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger } from '../../src/telemetry/logger.js';
import { createRequestLogSink, MAX_QUEUED_REQUESTS, type RequestLogSink } from '../../src/store/create-request-log-sink.js';
import { requestLogCounts, type RequestLogCounts } from '../../src/store/request-log-counts.js';
import type { LoggedRequest, RequestLog } from '../../src/store/request-log.js';
import { postChat, userBody } from '../helpers/mock-gateway.js';
import { parsePrometheus, valueOf } from '../telemetry/metrics/parse-prometheus.js';
import { eventOf, sqliteLogConfig, startLoggingGateway, tempDir } from './log-fixtures.js';

const silent = createLogger('silent');
type After = { after(fn: () => Promise<void>): void };

/** A store in memory whose writes (or stages) settle only when the test says so; later ones at once. */
function heldStore(options: { stages?: boolean } = {}) {
  const written: LoggedRequest[] = [];
  const held: { resolve: () => void; reject: (err: Error) => void }[] = [];
  let holding = true;
  const take = (batch: readonly LoggedRequest[]) =>
    new Promise<void>((resolve, reject) => {
      const write = () => {
        written.push(...batch);
        resolve();
      };
      if (holding) held.push({ resolve: write, reject });
      else write();
    });
  const store: RequestLog = {
    location: 'memory',
    write: take,
    ...(options.stages ? { stage: take } : {}),
    query: async () => [],
    get: async () => undefined,
    prune: async () => 0,
    close: async () => undefined,
  };
  return {
    store,
    written,
    release: () => {
      holding = false;
      for (const write of held.splice(0)) write.resolve();
    },
    fail: (err: Error) => {
      holding = false;
      for (const write of held.splice(0)) write.reject(err);
    },
  };
}

async function sinkOver(t: After, counts: RequestLogCounts, openStore: () => Promise<RequestLog | undefined>, config: Record<string, unknown> = {}): Promise<RequestLogSink> {
  const sink = await createRequestLogSink({
    config: sqliteLogConfig(join(tempDir(t), 'unused.db'), { batch_size: 1000, flush_interval_ms: 600_000, ...config }),
    logger: silent,
    counts,
    openStore,
  });
  assert.ok(sink);
  t.after(() => sink.close());
  return sink;
}

function finish(sink: RequestLogSink, count: number, from = 0): void {
  for (let i = from; i < from + count; i++) sink.requestFinished(eventOf({ requestId: `r${i}` }));
}

describe('request log counts: what is held in memory, and what is lost', () => {
  test('a write under way keeps its requests pending until the store has them', async (t) => {
    const counts = requestLogCounts();
    const held = heldStore();
    const sink = await sinkOver(t, counts, async () => held.store);
    finish(sink, 5);
    assert.equal(counts.pending, 5, 'queued');
    const flushed = sink.flush();
    await sleep(5);
    assert.equal(counts.pending, 5, 'handed over, the write still under way');
    held.release();
    await flushed;
    assert.equal(held.written.length, 5);
    assert.deepEqual(counts, { pending: 0, queueFull: 0, writeFailed: 0 });
  });

  test('a staging store that has not taken its turns (the shape of a writer that stopped) shows as pending that climbs', async (t) => {
    const counts = requestLogCounts();
    const held = heldStore({ stages: true });
    const sink = await sinkOver(t, counts, async () => held.store);
    for (let turn = 0; turn < 3; turn++) {
      finish(sink, 10, turn * 10);
      await sleep(5); // each turn's requests are staged at the end of the turn
      assert.equal(counts.pending, 10 * (turn + 1), `after turn ${turn}`);
    }
    held.release();
    await sleep(5);
    assert.equal(counts.pending, 0);
    assert.equal(held.written.length, 30);
  });

  test('a write that fails counts its requests as lost (write_failed), not pending', async (t) => {
    const counts = requestLogCounts();
    const held = heldStore();
    const sink = await sinkOver(t, counts, async () => held.store);
    finish(sink, 4);
    const flushed = sink.flush();
    await sleep(5);
    held.fail(new Error('disk I/O error'));
    await flushed;
    assert.deepEqual(counts, { pending: 0, queueFull: 0, writeFailed: 4 });
  });

  test('a store that throws as it is handed a batch counts that batch as lost', async (t) => {
    const counts = requestLogCounts();
    const writesAtOnce = heldStore();
    writesAtOnce.release();
    const throwing: RequestLog = {
      ...writesAtOnce.store,
      stage: () => {
        throw new Error('no such table: requests');
      },
    };
    const sink = await sinkOver(t, counts, async () => throwing);
    finish(sink, 3);
    await sleep(5);
    assert.deepEqual(counts, { pending: 0, queueFull: 0, writeFailed: 3 });
  });

  test('a store that cannot be opened: requests stay queued up to the bound, the oldest past it are lost (queue_full), the rest when the sink closes', async (t) => {
    const counts = requestLogCounts();
    const sink = await sinkOver(t, counts, async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    finish(sink, MAX_QUEUED_REQUESTS + 7);
    await sink.flush();
    assert.deepEqual(counts, { pending: MAX_QUEUED_REQUESTS, queueFull: 7, writeFailed: 0 });
    await sink.close();
    assert.deepEqual(counts, { pending: 0, queueFull: 7, writeFailed: MAX_QUEUED_REQUESTS });
  });

  for (const writer of ['thread', 'inline'] as const) {
    test(`the real SQLite store (${writer} writer): pending goes back to none once written, and a failed write is counted`, async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const counts = requestLogCounts();
      const sink = await createRequestLogSink({ config: sqliteLogConfig(path, { writer, batch_size: 1000, flush_interval_ms: 600_000 }), logger: silent, counts });
      assert.ok(sink);
      t.after(() => sink.close());
      finish(sink, 6);
      assert.equal(counts.pending, 6);
      await sink.flush();
      assert.deepEqual(counts, { pending: 0, queueFull: 0, writeFailed: 0 });

      // Another connection drops the table: the next write fails.
      const db = new Database(path);
      db.exec('DROP TABLE request_hops; DROP TABLE requests');
      db.close();
      finish(sink, 2, 100);
      await sink.flush();
      assert.deepEqual(counts, { pending: 0, queueFull: 0, writeFailed: 2 });
    });
  }
});

describe('the prune timer', () => {
  test('starts no prune while the last one is still at it', async (t) => {
    let calls = 0;
    let release = (): void => undefined;
    const held = new Promise<number>((resolve) => {
      release = () => resolve(0);
    });
    const store: RequestLog = {
      ...heldStore().store,
      write: async () => undefined,
      prune: async () => (++calls === 1 ? held : 0),
    };
    const sink = await createRequestLogSink({
      config: sqliteLogConfig(join(tempDir(t), 'unused.db'), { retention: { prune_interval_ms: 1_000 } }),
      logger: silent,
      openStore: async () => store,
    });
    assert.ok(sink);
    t.after(() => sink.close());
    await sleep(2_300);
    assert.equal(calls, 1, 'the prune made at start is still under way: the ticks since started none');
    release();
    await sleep(1_500);
    assert.ok(calls >= 2, 'once it ended, the next tick prunes again');
  });
});

describe('request log counts on /metrics', () => {
  test('the pending gauge and the lost counter by reason, from a gateway whose log writes fail', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const gw = await startLoggingGateway(t, path, { mocks: ['primary'] }, { batch_size: 1, flush_interval_ms: 10 });
    const scrape = async () => parsePrometheus(await (await fetch(`${gw.url}/metrics`)).text());

    assert.equal((await postChat(gw, userBody('logged'))).status, 200);
    await sleep(100);
    let m = await scrape();
    assert.equal(valueOf(m, 'switchyard_request_log_pending_requests', {}), 0);
    assert.equal(valueOf(m, 'switchyard_request_log_lost_requests_total', { reason: 'write_failed' }), 0);
    assert.equal(valueOf(m, 'switchyard_request_log_lost_requests_total', { reason: 'queue_full' }), 0);

    const db = new Database(path);
    db.exec('DROP TABLE request_hops; DROP TABLE requests');
    db.close();
    for (let i = 0; i < 3; i++) assert.equal((await postChat(gw, userBody(`lost ${i}`))).status, 200, 'a failing log never fails a request');
    await sleep(100);
    m = await scrape();
    assert.equal(valueOf(m, 'switchyard_request_log_lost_requests_total', { reason: 'write_failed' }), 3);
    assert.equal(valueOf(m, 'switchyard_request_log_pending_requests', {}), 0);
  });
});
