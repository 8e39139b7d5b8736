/**
 * The request log in PostgreSQL, for a log shared by several gateways: the same tables and indexes
 * as SQLite (created on start when missing, in the configured schema), a batch written as
 * multi-row INSERTs in one transaction.
 */
import pg from 'pg';
import type { HopRow, LoggedRequest, LogQuery, RequestLog, RequestRow, Retention } from './request-log.js';
import { HOP_COLUMNS, HOPS_TABLE, hopRowOf, REQUEST_COLUMNS, REQUESTS_TABLE, requestRowOf, schemaStatements, valuesOf, whereOf, type Column } from './request-log-tables.js';

/** Connections the log holds: writes are one batch at a time, reads are rare. */
const POOL_SIZE = 2;
/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const ROWS_PER_INSERT = 1_000;

export interface PostgresLogOptions {
  url: string;
  /** The schema the tables live in (created when missing). */
  schema: string;
  /** Called with an error of an idle connection (a restarted server), which must not crash the gateway. */
  onError?: (err: Error) => void;
}

export async function openPostgresRequestLog({ url, schema, onError }: PostgresLogOptions): Promise<RequestLog> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, allowExitOnIdle: true });
  pool.on('error', (err) => onError?.(err));
  const prefix = `"${schema}".`;
  const requests = `${prefix}${REQUESTS_TABLE}`;
  const hops = `${prefix}${HOPS_TABLE}`;
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    for (const statement of schemaStatements('postgres', prefix)) await pool.query(statement);
  } catch (err) {
    await pool.end();
    throw err;
  }

  const selectHops = async (ids: string[]): Promise<Map<string, HopRow[]>> => {
    const byRequest = new Map<string, HopRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byRequest;
    const { rows } = await pool.query(`SELECT * FROM ${hops} WHERE request_id = ANY($1) ORDER BY request_id, position`, [ids]);
    for (const raw of rows as Record<string, unknown>[]) {
      const hop = hopRowOf(raw);
      byRequest.get(hop.request_id)?.push(hop);
    }
    return byRequest;
  };
  const withHops = async (rows: RequestRow[]): Promise<LoggedRequest[]> => {
    const byRequest = await selectHops(rows.map((row) => row.request_id));
    return rows.map((request) => ({ request, hops: byRequest.get(request.request_id) ?? [] }));
  };

  return {
    location: redact(url),
    async write(batch) {
      // A request id seen before (here or in the table) keeps its first rows, as in SQLite.
      const seen = new Set<string>();
      const unique = batch.filter(({ request }) => !seen.has(request.request_id) && seen.add(request.request_id));
      if (unique.length === 0) return;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inserted = new Set<string>();
        for (const chunk of chunks(unique, ROWS_PER_INSERT)) {
          const rows = chunk.map(({ request }) => request as unknown as Record<keyof RequestRow, unknown>);
          const { sql, params } = multiRowInsert(requests, REQUEST_COLUMNS, rows, 'ON CONFLICT (request_id) DO NOTHING RETURNING request_id');
          const result = await client.query(sql, params);
          for (const row of result.rows as { request_id: string }[]) inserted.add(row.request_id);
        }
        const hopRows = unique.filter(({ request }) => inserted.has(request.request_id)).flatMap((logged) => logged.hops);
        for (const chunk of chunks(hopRows, ROWS_PER_INSERT)) {
          const { sql, params } = multiRowInsert(hops, HOP_COLUMNS, chunk as unknown as Record<keyof HopRow, unknown>[], 'ON CONFLICT DO NOTHING');
          await client.query(sql, params);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async query(query: LogQuery) {
      const where = whereOf(query, (n) => `$${n}`);
      const { rows } = await pool.query(`SELECT * FROM ${requests} ${where.sql} ORDER BY started_at DESC, request_id DESC LIMIT $${where.params.length + 1}`, [...where.params, query.limit]);
      return withHops((rows as Record<string, unknown>[]).map(requestRowOf));
    },
    async get(requestId) {
      const { rows } = await pool.query(`SELECT * FROM ${requests} WHERE request_id = $1`, [requestId]);
      const found = (rows as Record<string, unknown>[]).map(requestRowOf);
      return (await withHops(found))[0];
    },
    async prune({ maxAgeMs, maxRows }: Retention, now = Date.now()) {
      const cutoff = now - maxAgeMs;
      const overflow = `SELECT request_id FROM ${requests} ORDER BY started_at DESC, request_id DESC OFFSET $1`;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`DELETE FROM ${hops} WHERE request_id IN (SELECT request_id FROM ${requests} WHERE started_at < $1)`, [cutoff]);
        const aged = await client.query(`DELETE FROM ${requests} WHERE started_at < $1`, [cutoff]);
        await client.query(`DELETE FROM ${hops} WHERE request_id IN (${overflow})`, [maxRows]);
        const over = await client.query(`DELETE FROM ${requests} WHERE request_id IN (${overflow})`, [maxRows]);
        await client.query('COMMIT');
        return (aged.rowCount ?? 0) + (over.rowCount ?? 0);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

function multiRowInsert<K extends string>(table: string, columns: readonly Column<K>[], rows: Record<K, unknown>[], suffix: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${valuesOf(columns, row, 'postgres').map((value) => `$${params.push(value)}`).join(', ')})`);
  return { sql: `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`, params };
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The URL for messages: never its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable url)';
  }
}
