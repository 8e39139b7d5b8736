import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { createRequestLogSink } from '../../src/store/create-request-log-sink.js';
import { openPostgresRequestLog } from '../../src/store/postgres-request-log.js';
import { requestLogConfigSchema } from '../../src/store/request-log-config.js';
import { openSqliteRequestLog } from '../../src/store/sqlite-request-log.js';
import type { LogQuery, RequestLog } from '../../src/store/request-log.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { startServer } from '../../src/server/create-server.js';
import type { GatewayFixture } from '../helpers/gateway-fixture.js';
import { postChat, setFaults, userBody } from '../helpers/mock-gateway.js';
import { rowsOfEvent } from '../../src/store/rows-of-event.js';
import { eventOf, loggingConfig, tempDir } from './log-fixtures.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A schema of its own per test, dropped after: runs never see each other's rows; `admin` is a connection that outlives the log. */
async function tempSchema(t: { after(fn: () => Promise<void>): void }): Promise<{ schema: string; admin: pg.Client }> {
  const schema = `switchyard_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  t.after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  return { schema, admin };
}

describe('request log: PostgreSQL holds the same rows as SQLite', () => {
  test('the same traffic, written to both stores at once, reads back as the same rows under every filter', async (t) => {
    const { schema, admin } = await tempSchema(t);
    const path = join(tempDir(t), 'requests.db');
    // The gateway's config writes SQLite; a second sink, on the same events, writes PostgreSQL.
    const pgSink = await createRequestLogSink({
      config: requestLogConfigSchema.parse({ store: 'postgres', url: PG_URL, schema, batch_size: 2, flush_interval_ms: 50 }),
      logger: createLogger('silent'),
    });
    assert.ok(pgSink);
    const gateway = await createGateway(loggingConfig(path, { mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } }, { batch_size: 2, flush_interval_ms: 50 }), {
      logger: createLogger('silent'),
      telemetry: [pgSink],
    });
    const server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
    // postChat and setFaults read only `gateway` and `url` of a fixture.
    const fixture = { gateway, url: server.url } as GatewayFixture;
    try {
      setFaults(fixture, 'primary', [{ kind: 'error', status: 503, count: 2 }]);
      for (let i = 0; i < 3; i++) await postChat(fixture, userBody(`hello ${i}`, { temperature: 0.5 }), { 'x-request-id': `fallback-${i}`, traceparent: TRACEPARENT });
      setFaults(fixture, 'backup', [{ kind: 'error', status: 502, count: 1 }]);
      setFaults(fixture, 'primary', [{ kind: 'error', status: 503, count: 1 }]);
      await postChat(fixture, userBody('both down'), { 'x-request-id': 'failed' });
      await postChat(fixture, userBody('stream', { stream: true, stream_options: { include_usage: true } }), { 'x-request-id': 'stream' });
    } finally {
      await server.close();
      await gateway.close(); // flushes both sinks
    }

    const sqlite = openSqliteRequestLog({ path, mustExist: true });
    t.after(() => sqlite.close());
    const postgres = await openPostgresRequestLog({ url: PG_URL, schema });
    t.after(() => postgres.close());

    const both = async (query: LogQuery) => [await sqlite.query(query), await postgres.query(query)] as const;
    const [fromSqlite, fromPostgres] = await both({ limit: 100 });
    assert.equal(fromSqlite.length, 5);
    assert.deepEqual(fromPostgres, fromSqlite);
    assert.ok(fromSqlite.some((r) => r.request.stream && r.request.time_to_first_chunk_ms !== null));
    assert.ok(fromSqlite.some((r) => r.request.error_code !== null && r.hops.length === 2));
    for (const query of [{ limit: 2 }, { limit: 100, reason: 'upstream_5xx' }, { limit: 100, status: { class: 5 } }, { limit: 100, status: { exact: 200 }, route: 'chat' }, { limit: 100, since: Date.now() - 60_000 }] satisfies LogQuery[]) {
      const [a, b] = await both(query);
      assert.deepEqual(b, a, `the same rows for ${JSON.stringify(query)}`);
    }
    assert.deepEqual(await postgres.get('fallback-1'), await sqlite.get('fallback-1'));

    // Retention prunes the same requests from both.
    const retention = { maxAgeMs: 86_400_000, maxRows: 2 };
    assert.equal(await postgres.prune(retention), await sqlite.prune(retention));
    const [keptSqlite, keptPostgres] = await both({ limit: 100 });
    assert.equal(keptSqlite.length, 2);
    assert.deepEqual(keptPostgres, keptSqlite);
    const orphans = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".request_hops WHERE request_id NOT IN (SELECT request_id FROM "${schema}".requests)`);
    assert.equal(orphans.rows[0].n, 0, 'pruned requests take their hops with them');
  });

  test('the tables and indexes are created on start in the configured schema', async (t) => {
    const { schema, admin } = await tempSchema(t);
    const log: RequestLog = await openPostgresRequestLog({ url: PG_URL, schema });
    await log.close();
    const again = await openPostgresRequestLog({ url: PG_URL, schema }); // idempotent: IF NOT EXISTS
    await again.close();
    const { rows } = await admin.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [schema]);
    assert.deepEqual(
      rows.map((r: { indexname: string }) => r.indexname),
      ['request_hops_pkey', 'requests_pkey', 'requests_reason_started_at', 'requests_route_started_at', 'requests_started_at', 'requests_status_started_at'],
    );
  });

  test('a log made before the client_certificate column gets it on start: its old rows read null, new rows carry the subject', async (t) => {
    const { schema, admin } = await tempSchema(t);
    const first = await openPostgresRequestLog({ url: PG_URL, schema });
    await first.write([rowsOfEvent(eventOf({ requestId: 'before' }))]);
    await first.close();
    // As an earlier version made the table: without the column.
    await admin.query(`ALTER TABLE "${schema}".requests DROP COLUMN client_certificate`);
    const log = await openPostgresRequestLog({ url: PG_URL, schema });
    t.after(() => log.close());
    await log.write([rowsOfEvent(eventOf({ requestId: 'after', clientCertificate: 'CN=svc-c, OU=Platform, O=Acme' }))]);
    assert.equal((await log.get('before'))?.request.client_certificate, null);
    assert.equal((await log.get('after'))?.request.client_certificate, 'CN=svc-c, OU=Platform, O=Acme');
  });
});
