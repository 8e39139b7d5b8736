import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger } from '../../src/telemetry/logger.js';
import { createRequestLogSink, type RequestLogSink } from '../../src/store/create-request-log-sink.js';
import { openSqliteRequestLog, PAGE_SIZE_BYTES } from '../../src/store/sqlite-request-log.js';
import { activeLogs } from '../../src/store/active-request-logs.js';
import { requestLogKey } from '../../src/store/open-request-log.js';
import type { LoggedRequest, RequestLog } from '../../src/store/request-log.js';
import { INLINE_WRITE_SLICE } from '../../src/store/sqlite-inline-request-log.js';
import { rowsOfEvent } from '../../src/store/rows-of-event.js';
import { postChat, setFaults, userBody } from '../helpers/mock-gateway.js';
import { attempt, eventOf, sqliteLogConfig, startLoggingGateway, tempDir } from './log-fixtures.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const silent = createLogger('silent');

function reader(t: { after(fn: () => Promise<void>): void }, path: string): RequestLog {
  const log = openSqliteRequestLog({ path, mustExist: true });
  t.after(() => log.close());
  return log;
}

function walk(logged: LoggedRequest | undefined): string[] {
  return (logged?.hops ?? []).map((hop) => `${hop.deployment}:${hop.outcome}${hop.shape ? `:${hop.shape}` : ''}`);
}

describe('request log: rows written by a real gateway', () => {
  test('a served fallback, a failed request and a stream are each one row with a row per hop', async (t) => {
    const path = join(tempDir(t), 'nested', 'requests.db');
    const gw = await startLoggingGateway(t, path, { mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } });

    setFaults(gw, 'primary', [{ kind: 'error', status: 503, count: 1 }]);
    const fallback = await postChat(gw, userBody('hello', { temperature: 0.2 }), { 'x-request-id': 'req-fallback', traceparent: TRACEPARENT });
    assert.equal(fallback.status, 200);

    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    setFaults(gw, 'backup', [{ kind: 'error', status: 502 }]);
    const failed = await postChat(gw, userBody('hello'), { 'x-request-id': 'req-failed' });
    assert.ok(failed.status >= 500);

    setFaults(gw, 'primary', []);
    setFaults(gw, 'backup', []);
    const streamed = await postChat(gw, userBody('stream me', { stream: true, stream_options: { include_usage: true } }), { 'x-request-id': 'req-stream' });
    assert.equal(streamed.status, 200);
    await gw.close(); // closing flushes the queue

    const log = reader(t, path);
    const served = await log.get('req-fallback');
    assert.ok(served, 'the fallback request is logged');
    assert.deepEqual(walk(served), ['primary:failed:upstream_5xx', 'backup:served']);
    assert.equal(served.request.status, 200);
    assert.equal(served.request.deployment, 'backup');
    assert.equal(served.request.provider, 'backup');
    assert.equal(served.request.fallback_reason, 'upstream_5xx');
    assert.equal(served.request.hop_count, 2);
    assert.equal(served.request.attempt_count, 2);
    assert.equal(served.request.stream, false);
    assert.equal(served.request.cache, false);
    assert.equal(served.request.response_model, 'mock-backup');
    assert.equal(served.request.finish_reason, 'stop');
    assert.ok((served.request.input_tokens ?? 0) > 0);
    assert.equal(served.request.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.match(served.request.tenant, /^[0-9a-f]*$/);
    assert.equal(served.hops[0]?.upstream_status, 503);
    assert.equal(served.hops[0]?.status, 502);
    assert.equal(served.hops[0]?.hop, 1);
    assert.equal(served.hops[1]?.hop, 2);
    assert.ok((served.hops[1]?.duration_ms ?? 0) > 0);

    const failure = await log.get('req-failed');
    assert.ok(failure, 'the failed request is logged');
    assert.deepEqual(walk(failure), ['primary:failed:upstream_5xx', 'backup:failed:upstream_5xx']);
    assert.equal(failure.request.status, failed.status);
    assert.equal(failure.request.error_shape, 'upstream_5xx');
    assert.equal(failure.request.error_code, failed.json.error?.code);
    assert.equal(failure.request.response_model, null);

    const stream = await log.get('req-stream');
    assert.ok(stream, 'the stream is logged');
    assert.equal(stream.request.stream, true);
    assert.deepEqual(walk(stream), ['primary:served']);
    assert.ok(stream.request.time_to_first_chunk_ms !== null && stream.request.time_to_first_chunk_ms > 0);
    assert.ok((stream.request.output_tokens ?? 0) > 0, 'the usage of the last chunk is logged');

    const db = new Database(path, { readonly: true });
    t.after(() => db.close());
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  });
});

for (const writer of ['thread', 'inline'] as const) {
  /** A request-log sink on the SQLite file at `path`, written by this writer, closed when the test ends. */
  async function sinkAt(t: { after(fn: () => Promise<void>): void }, path: string, config: Record<string, unknown>): Promise<RequestLogSink> {
    const sink = await createRequestLogSink({ config: sqliteLogConfig(path, { writer, ...config }), logger: silent });
    assert.ok(sink);
    t.after(() => sink.close());
    return sink;
  }

  describe(`request log: batching (${writer} writer)`, () => {
    test('requestFinished writes nothing; one flush writes every queued request with its hops', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 600_000 });
      const log = reader(t, path);
      for (let i = 0; i < 5; i++) {
        sink.requestFinished(eventOf({ requestId: `r${i}`, served: { attempts: [attempt({ deployment: 'primary', outcome: 'failed', shape: 'timeout' }), attempt({ deployment: 'backup', outcome: 'served', hop: 2 })] } }));
      }
      assert.equal((await log.query({ limit: 100 })).length, 0, 'nothing is written on the request\'s tick');
      await sleep(30);
      assert.equal((await log.query({ limit: 100 })).length, 0, 'nor before the timer or a full batch');
      await sink.flush();
      const rows = await log.query({ limit: 100 });
      assert.equal(rows.length, 5);
      assert.ok(rows.every((row) => row.hops.length === 2));
    });

    test('a full batch is written on a later tick without waiting for the timer', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const sink = await sinkAt(t, path, { batch_size: 3, flush_interval_ms: 600_000 });
      const log = reader(t, path);
      for (let i = 0; i < 3; i++) sink.requestFinished(eventOf({ requestId: `r${i}` }));
      assert.equal((await log.query({ limit: 100 })).length, 0, 'not inside requestFinished');
      await sleep(50);
      assert.equal((await log.query({ limit: 100 })).length, 3);
    });

    test('the flush timer writes what is queued', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 20 });
      const log = reader(t, path);
      sink.requestFinished(eventOf({ requestId: 'timer' }));
      await sleep(150);
      assert.equal((await log.query({ limit: 10 }))[0]?.request.request_id, 'timer');
    });

    test('a request id logged before keeps its first rows (a client reusing x-request-id)', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const log = openSqliteRequestLog({ path });
      t.after(() => log.close());
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 600_000 });
      sink.requestFinished(eventOf({ requestId: 'same', status: 200 }));
      sink.requestFinished(eventOf({ requestId: 'same', status: 503, served: { attempts: [attempt({ deployment: 'x', outcome: 'failed', shape: 'upstream_5xx' })] } }));
      await sink.flush();
      const logged = await log.get('same');
      assert.equal(logged?.request.status, 200);
      assert.deepEqual(walk(logged), ['primary:served']);
    });

    test('a reused request id amid a later batch of 45 keeps its first rows, as does a new id twice in one batch; the others keep all their hops', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 600_000 });
      const twoHops = () => [attempt({ deployment: 'primary', outcome: 'failed', shape: 'timeout' }), attempt({ deployment: 'backup', outcome: 'served', hop: 2 })];
      sink.requestFinished(eventOf({ requestId: 'reused', status: 200 }));
      await sink.flush();
      // 45 new requests (more than two of the inline writer's slices), with the reused id in the middle, twice.
      for (let i = 0; i < 45; i++) {
        if (i === 21 || i === 22) {
          const threeHops = [attempt({ deployment: 'x', outcome: 'failed', shape: 'upstream_5xx' }), attempt({ deployment: 'y', outcome: 'failed', shape: 'upstream_5xx', hop: 2 }), attempt({ deployment: 'z', outcome: 'served', hop: 3 })];
          sink.requestFinished(eventOf({ requestId: 'reused', status: 503, served: { attempts: threeHops } }));
          // A new id twice in one batch: its first rows are the ones kept.
          sink.requestFinished(eventOf({ requestId: 'twice', status: i === 21 ? 200 : 503, served: { attempts: i === 21 ? [attempt({ deployment: 'primary', outcome: 'served' })] : threeHops } }));
        }
        sink.requestFinished(eventOf({ requestId: `n${String(i).padStart(2, '0')}`, served: { attempts: twoHops() } }));
      }
      await sink.flush();
      const log = reader(t, path);
      const reused = await log.get('reused');
      assert.equal(reused?.request.status, 200);
      assert.deepEqual(walk(reused), ['primary:served'], 'no hop of the later requests was added to it');
      const twice = await log.get('twice');
      assert.equal(twice?.request.status, 200);
      assert.deepEqual(walk(twice), ['primary:served']);
      const fresh = (await log.query({ limit: 100 })).filter((row) => !['reused', 'twice'].includes(row.request.request_id));
      assert.equal(fresh.length, 45);
      assert.ok(fresh.every((row) => row.hops.length === 2 && row.hops[1]?.deployment === 'backup'), 'every new request has both its hops');
    });

    test('requests go in ten to a statement: batches on and off a multiple of ten, 0 to 3 hops each, and a whole group of reused ids', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 600_000 });
      const hopsOf = (i: number) => Array.from({ length: i % 4 }, (_, j) => attempt({ deployment: `d${i}-${j}`, hop: j + 1, outcome: j === (i % 4) - 1 ? 'served' : 'failed' }));
      const sent = new Map<string, number>();
      let next = 0;
      for (const size of [10, 20, 7, 13, 1]) {
        for (let k = 0; k < size; k++, next++) {
          sink.requestFinished(eventOf({ requestId: `r${next}`, served: { attempts: hopsOf(next) } }));
          sent.set(`r${next}`, next);
        }
        await sink.flush();
      }
      // Ten ids logged before, in one batch: none goes in again, and none of their hops.
      for (let k = 0; k < 10; k++) sink.requestFinished(eventOf({ requestId: `r${k}`, status: 503, served: { attempts: hopsOf(3) } }));
      await sink.flush();
      const log = reader(t, path);
      const rows = await log.query({ limit: 1000 });
      assert.equal(rows.length, sent.size);
      for (const row of rows) {
        const i = sent.get(row.request.request_id) as number;
        assert.equal(row.request.status, 200, row.request.request_id);
        assert.deepEqual(
          row.hops.map((hop) => [hop.position, hop.deployment, hop.outcome]),
          hopsOf(i).map((hop, j) => [j, hop.deployment, hop.outcome]),
          `the hops of ${row.request.request_id}`,
        );
      }
    });
  });

  describe(`request log: retention (${writer} writer)`, () => {
    test('prune removes requests (and their hops) older than max_age, then all but the newest max_rows', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const now = Date.UTC(2025, 0, 10);
      const hour = 3_600_000;
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 600_000, retention: { max_age: '24h', max_rows: 2 } });
      const ages = { old1: 48, old2: 25, a: 5, b: 3, c: 1 };
      for (const [id, age] of Object.entries(ages)) sink.requestFinished(eventOf({ requestId: id, startedAt: now - age * hour }));
      await sink.flush();
      assert.equal(await sink.prune(now), 3);
      const log = reader(t, path);
      assert.deepEqual((await log.query({ limit: 100 })).map((r) => r.request.request_id), ['c', 'b']);
      const db = new Database(path, { readonly: true });
      t.after(() => db.close());
      assert.deepEqual((db.prepare('SELECT DISTINCT request_id FROM request_hops ORDER BY request_id').all() as { request_id: string }[]).map((r) => r.request_id), ['b', 'c']);
    });
    test('max_rows keeps the newest by the order they were logged: a request that started earlier but finished later stays', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const now = Date.UTC(2025, 0, 10);
      const minute = 60_000;
      const sink = await sinkAt(t, path, { batch_size: 1000, flush_interval_ms: 600_000, retention: { max_age: '24h', max_rows: 2 } });
      // Logged in this order; `long` (a long stream, say) started before `short` but finished after it.
      sink.requestFinished(eventOf({ requestId: 'short', startedAt: now - 10 * minute }));
      sink.requestFinished(eventOf({ requestId: 'long', startedAt: now - 30 * minute }));
      sink.requestFinished(eventOf({ requestId: 'last', startedAt: now - 1 * minute }));
      await sink.flush();
      assert.equal(await sink.prune(now), 1);
      const log = reader(t, path);
      assert.deepEqual((await log.query({ limit: 100 })).map((r) => r.request.request_id), ['last', 'long']);
      assert.equal(await sink.prune(now), 0, 'a second prune finds nothing past the bounds');
    });

    test('a batch of several slices is written whole; a prune of several slices keeps exactly the newest max_rows, ties in one millisecond included', async (t) => {
      const path = join(tempDir(t), 'requests.db');
      const now = Date.UTC(2025, 0, 10);
      const sink = await sinkAt(t, path, { batch_size: 10_000, flush_interval_ms: 600_000, retention: { max_age: '24h', max_rows: 5 } });
      // 450 requests a second apart, then 8 that share one millisecond (ids t0..t7).
      for (let i = 0; i < 450; i++) sink.requestFinished(eventOf({ requestId: `r${String(i).padStart(3, '0')}`, startedAt: now - 3_600_000 + i * 1000 }));
      for (let i = 0; i < 8; i++) sink.requestFinished(eventOf({ requestId: `t${i}`, startedAt: now - 1000 }));
      await sink.flush();
      const log = reader(t, path);
      assert.equal((await log.query({ limit: 1000 })).length, 458, 'every slice of the batch was written');
      assert.equal(await sink.prune(now), 453);
      assert.deepEqual((await log.query({ limit: 1000 })).map((r) => r.request.request_id), ['t7', 't6', 't5', 't4', 't3']);
      const db = new Database(path, { readonly: true });
      t.after(() => db.close());
      assert.equal((db.prepare('SELECT count(*) FROM request_hops').pluck().get() as number), 5, 'the pruned requests took their hops with them');
    });
  });
}

describe('request log: the SQLite file', () => {
  test('a new log is made with 16 KB pages; an existing file keeps its own', async (t) => {
    const dir = tempDir(t);
    const fresh = join(dir, 'fresh.db');
    await openSqliteRequestLog({ path: fresh }).close();
    const pageSize = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true });
      } finally {
        db.close();
      }
    };
    assert.equal(PAGE_SIZE_BYTES, 16 * 1024);
    assert.equal(pageSize(fresh), PAGE_SIZE_BYTES);
    // A log made before (SQLite's 4 KB default) is opened as it is, not rebuilt.
    const older = join(dir, 'older.db');
    new Database(older).exec('CREATE TABLE t (x)');
    await openSqliteRequestLog({ path: older }).close();
    assert.equal(pageSize(older), 4096);
  });

  test('a log made before the client_certificate column gets it on open: its old rows read null, new rows carry the subject', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const first = openSqliteRequestLog({ path });
    await first.write([rowsOfEvent(eventOf({ requestId: 'before', served: { deployment: 'primary', attempts: [attempt({ deployment: 'primary', outcome: 'served' })] } }))]);
    await first.close();
    // As an earlier version made the table: without the column.
    const old = new Database(path);
    old.exec('ALTER TABLE requests DROP COLUMN client_certificate');
    old.close();
    const log = openSqliteRequestLog({ path });
    t.after(() => log.close());
    await log.write([rowsOfEvent(eventOf({ requestId: 'after', clientCertificate: 'CN=svc-c, OU=Platform, O=Acme' }))]);
    assert.equal((await log.get('before'))?.request.client_certificate, null);
    assert.equal((await log.get('after'))?.request.client_certificate, 'CN=svc-c, OU=Platform, O=Acme');
    // Opening it again adds nothing twice.
    await openSqliteRequestLog({ path, mustExist: true }).close();
  });
});

describe('request log: staged a turn at a time (inline)', () => {
  test('the sink stages each turn\'s requests at the end of that turn, uncommitted until a batch\'s worth or a flush', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const sink = await createRequestLogSink({ config: sqliteLogConfig(path, { writer: 'inline', batch_size: 5, flush_interval_ms: 600_000 }), logger: silent });
    assert.ok(sink);
    t.after(() => sink.close());
    const other = new Database(path, { readonly: true });
    t.after(() => other.close());
    const committed = () => other.prepare('SELECT count(*) FROM requests').pluck().get();
    for (let i = 0; i < 3; i++) sink.requestFinished(eventOf({ requestId: `a${i}` }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(committed(), 0, 'three staged, none committed');
    // Staged, not queued: the sink's own connection (what the admin API reads through) has them.
    const own = await activeLogs(requestLogKey(sqliteLogConfig(path, {})) as string)[0]?.log();
    assert.equal((await own?.query({ limit: 10 }))?.length, 3);
    for (let i = 0; i < 2; i++) sink.requestFinished(eventOf({ requestId: `b${i}` }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(committed(), 5, 'the fifth request made a batch: committed');
    sink.requestFinished(eventOf({ requestId: 'c0' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(committed(), 5);
    await sink.flush();
    assert.equal(committed(), 6, 'a flush commits what is staged');
    await sink.flush();
    assert.equal(committed(), 6, 'an empty flush is harmless');
  });

  test('every turn\'s requests are staged by the end of that turn, however many more than a slice finish in each; a close commits them', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const sink = await createRequestLogSink({ config: sqliteLogConfig(path, { writer: 'inline', batch_size: 10_000, flush_interval_ms: 600_000 }), logger: silent });
    assert.ok(sink);
    const own = await activeLogs(requestLogKey(sqliteLogConfig(path, {})) as string)[0]?.log();
    assert.ok(own);
    // Three slices' worth a turn, for 20 turns: none may be left waiting in memory at a turn's end.
    const perTurn = INLINE_WRITE_SLICE * 3;
    let finished = 0;
    const behind: number[] = [];
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < perTurn; i++) sink.requestFinished(eventOf({ requestId: `r${String(finished++).padStart(5, '0')}` }));
      await new Promise((resolve) => setImmediate(resolve));
      behind.push(finished - (await own.query({ limit: 100_000 })).length);
    }
    assert.deepEqual(behind, Array(20).fill(0), 'staged by the end of each turn');
    await sink.close();
    const log = reader(t, path);
    assert.equal((await log.query({ limit: 100_000 })).length, finished);
  });

  test('is one transaction: a reader sees none of it between slices and all of it after', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const log = openSqliteRequestLog({ path });
    t.after(() => log.close());
    const batch = Array.from({ length: 7 }, (_, i) => rowsOfEvent(eventOf({ requestId: `r${i}`, startedAt: 1_700_000_000_000 + i, served: { attempts: [attempt({ deployment: 'primary', outcome: 'served' })] } })));
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    const count = () => reader.prepare('SELECT count(*) FROM requests').pluck().get();
    const seenBetween: unknown[] = [];
    for (let from = 0; from < batch.length; from += 3) {
      if (from > 0) {
        seenBetween.push(count());
        await sleep(1);
      }
      log.stageNow(batch, from, Math.min(from + 3, batch.length));
    }
    assert.deepEqual(seenBetween, [0, 0], 'two waits between three slices, nothing committed yet');
    assert.equal(count(), 0, 'staged, not committed');
    log.commit();
    assert.equal(count(), 7);
    assert.equal(reader.prepare('SELECT count(*) FROM request_hops').pluck().get(), 7);
  });

  test('a batch cut short (the log closed mid-way) leaves nothing behind and says so', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const log = openSqliteRequestLog({ path });
    const batch = Array.from({ length: 6 }, (_, i) => rowsOfEvent(eventOf({ requestId: `r${i}` })));
    log.stageNow(batch, 0, 2);
    await log.close();
    assert.throws(() => log.stageNow(batch, 2, 4), /closed mid-batch/);
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    assert.equal(reader.prepare('SELECT count(*) FROM requests').pluck().get(), 0);
  });
});

describe('request log: filters', () => {
  test('the SQLite log indexes time only (its inserts run on the gateway\'s CPU); a file from before loses the filter indexes on open', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const indexesOf = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name").pluck().all();
      } finally {
        db.close();
      }
    };
    await openSqliteRequestLog({ path }).close();
    assert.deepEqual(indexesOf(), ['requests_started_at']);
    const old = new Database(path);
    old.exec('CREATE INDEX requests_route_started_at ON requests (route, started_at)'); // as earlier versions made
    old.close();
    await openSqliteRequestLog({ path }).close();
    assert.deepEqual(indexesOf(), ['requests_started_at']);
  });

  test('route, reason, since, exact status, status class and limit each narrow the result, newest first', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const log = openSqliteRequestLog({ path });
    t.after(() => log.close());
    const base = 1_700_000_000_000;
    const failedHop = (shape: 'upstream_5xx' | 'timeout') => attempt({ deployment: 'primary', outcome: 'failed', shape });
    await log.write(
      [
        eventOf({ requestId: 'a', startedAt: base + 1, route: 'chat', status: 200 }),
        eventOf({ requestId: 'b', startedAt: base + 2, route: 'chat', status: 200, served: { fallbackReason: 'upstream_5xx', attempts: [failedHop('upstream_5xx'), attempt({ deployment: 'backup', outcome: 'served', hop: 2 })] } }),
        eventOf({ requestId: 'c', startedAt: base + 3, route: 'embed', status: 503, served: { fallbackReason: 'timeout', attempts: [failedHop('timeout')] } }),
        eventOf({ requestId: 'd', startedAt: base + 4, route: 'chat', status: 429, served: { fallbackReason: 'circuit_open', attempts: [attempt({ deployment: 'primary', outcome: 'skipped' })] } }),
        eventOf({ requestId: 'e', startedAt: base + 5, route: 'chat', status: 502 }),
      ].map(rowsOfEvent),
    );
    const ids = async (query: Parameters<RequestLog['query']>[0]) => (await log.query(query)).map((r) => r.request.request_id);
    assert.deepEqual(await ids({ limit: 10 }), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(await ids({ limit: 2 }), ['e', 'd']);
    assert.deepEqual(await ids({ limit: 10, route: 'embed' }), ['c']);
    assert.deepEqual(await ids({ limit: 10, reason: 'upstream_5xx' }), ['b']);
    assert.deepEqual(await ids({ limit: 10, reason: 'circuit_open' }), ['d']);
    assert.deepEqual(await ids({ limit: 10, since: base + 3 }), ['e', 'd', 'c']);
    assert.deepEqual(await ids({ limit: 10, status: { exact: 503 } }), ['c']);
    assert.deepEqual(await ids({ limit: 10, status: { class: 5 } }), ['e', 'c']);
    assert.deepEqual(await ids({ limit: 10, status: { class: 4 }, route: 'chat' }), ['d']);
    assert.deepEqual(await ids({ limit: 10, route: 'chat', status: { class: 2 }, reason: 'upstream_5xx' }), ['b']);
  });
});
