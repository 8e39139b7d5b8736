/**
 * The request log's tables, once for both stores: each column's name and kind, from which each
 * dialect writes its DDL and to which each dialect's read rows are normalised (SQLite answers 0/1
 * for a boolean, pg answers a string for a BIGINT).
 */
import type { HopRow, LogQuery, RequestRow } from './request-log.js';

type Kind = 'text' | 'int' | 'bigint' | 'real' | 'bool';

export interface Column<K extends string> {
  name: K;
  kind: Kind;
  notNull?: boolean;
}

export const REQUESTS_TABLE = 'requests';
export const HOPS_TABLE = 'request_hops';

export const REQUEST_COLUMNS: readonly Column<keyof RequestRow>[] = [
  { name: 'started_at', kind: 'bigint', notNull: true },
  { name: 'request_id', kind: 'text', notNull: true },
  { name: 'route', kind: 'text', notNull: true },
  { name: 'operation', kind: 'text', notNull: true },
  { name: 'tenant', kind: 'text', notNull: true },
  { name: 'status', kind: 'int', notNull: true },
  { name: 'stream', kind: 'bool', notNull: true },
  { name: 'deployment', kind: 'text' },
  { name: 'provider', kind: 'text' },
  { name: 'hop_count', kind: 'int', notNull: true },
  { name: 'attempt_count', kind: 'int', notNull: true },
  { name: 'fallback_reason', kind: 'text' },
  { name: 'cache', kind: 'bool', notNull: true },
  { name: 'cache_age_ms', kind: 'bigint' },
  { name: 'manual', kind: 'text' },
  { name: 'replay_of', kind: 'text' },
  { name: 'duration_ms', kind: 'real', notNull: true },
  { name: 'time_to_first_chunk_ms', kind: 'real' },
  { name: 'response_model', kind: 'text' },
  { name: 'response_id', kind: 'text' },
  { name: 'finish_reason', kind: 'text' },
  { name: 'input_tokens', kind: 'int' },
  { name: 'output_tokens', kind: 'int' },
  { name: 'cached_tokens', kind: 'int' },
  { name: 'cost_usd', kind: 'real' },
  { name: 'unpriced_hops', kind: 'int' },
  { name: 'error_code', kind: 'text' },
  { name: 'error_shape', kind: 'text' },
  { name: 'error_message', kind: 'text' },
  { name: 'trace_id', kind: 'text' },
  { name: 'span_id', kind: 'text' },
  { name: 'client_certificate', kind: 'text' },
];

/**
 * Columns of `requests` added after its first version. A log made before gets each on open (its
 * earlier rows read null there): see {@link schemaStatements}.
 */
const ADDED_REQUEST_COLUMNS: ReadonlySet<string> = new Set<keyof RequestRow>(['client_certificate']);

export const HOP_COLUMNS: readonly Column<keyof HopRow>[] = [
  { name: 'request_id', kind: 'text', notNull: true },
  { name: 'position', kind: 'int', notNull: true },
  { name: 'hop', kind: 'int', notNull: true },
  { name: 'attempt', kind: 'int', notNull: true },
  { name: 'step', kind: 'text', notNull: true },
  { name: 'deployment', kind: 'text', notNull: true },
  { name: 'provider', kind: 'text', notNull: true },
  { name: 'model', kind: 'text', notNull: true },
  { name: 'outcome', kind: 'text', notNull: true },
  { name: 'shape', kind: 'text' },
  { name: 'status', kind: 'int' },
  { name: 'upstream_status', kind: 'int' },
  { name: 'code', kind: 'text' },
  { name: 'message', kind: 'text' },
  { name: 'started_at', kind: 'bigint', notNull: true },
  { name: 'duration_ms', kind: 'real', notNull: true },
  { name: 'backoff_ms', kind: 'real' },
  { name: 'hedge', kind: 'bool', notNull: true },
  { name: 'mttr_ms', kind: 'real' },
  { name: 'span_id', kind: 'text' },
  { name: 'input_tokens', kind: 'int' },
  { name: 'output_tokens', kind: 'int' },
  { name: 'cost_usd', kind: 'real' },
];

export type Dialect = 'sqlite' | 'postgres';

const TYPES: Record<Dialect, Record<Kind, string>> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', bigint: 'INTEGER', real: 'REAL', bool: 'INTEGER' },
  postgres: { text: 'TEXT', int: 'INTEGER', bigint: 'BIGINT', real: 'DOUBLE PRECISION', bool: 'BOOLEAN' },
};

/**
 * The DDL for both tables and their indexes (idempotent: `IF NOT EXISTS`), with `prefix` before
 * each name (a pg schema), and the columns added since a table was made: PostgreSQL checks for
 * each itself (`ADD COLUMN IF NOT EXISTS`); SQLite, which has no such clause, is told the columns
 * its `requests` table has (`existing`; none when there is no table yet).
 */
export function schemaStatements(dialect: Dialect, prefix = '', existing: ReadonlySet<string> = new Set()): string[] {
  const columns = <K extends string>(list: readonly Column<K>[]) =>
    list.map((column) => `${column.name} ${TYPES[dialect][column.kind]}${column.notNull ? ' NOT NULL' : ''}`).join(', ');
  const requests = `${prefix}${REQUESTS_TABLE}`;
  const hops = `${prefix}${HOPS_TABLE}`;
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${requests} (${columns(REQUEST_COLUMNS)}, PRIMARY KEY (request_id))`,
    `CREATE TABLE IF NOT EXISTS ${hops} (${columns(HOP_COLUMNS)}, PRIMARY KEY (request_id, position))`,
    `CREATE INDEX IF NOT EXISTS requests_started_at ON ${requests} (started_at)`,
  ];
  // Every filter of `switchyard log` is "this value, newest first": each index ends in the time.
  // PostgreSQL keeps them (its server pays for them). The embedded SQLite log is written on the
  // gateway's own CPU, where these three cost about 4% of a request's (bench:ab): it walks the
  // time index instead, about 10 ms for 50 rows of a rare route in a million, a full scan (a few
  // hundred ms) when nothing matches.
  for (const { name, kind } of REQUEST_COLUMNS) {
    if (!ADDED_REQUEST_COLUMNS.has(name)) continue;
    if (dialect === 'postgres') statements.push(`ALTER TABLE ${requests} ADD COLUMN IF NOT EXISTS ${name} ${TYPES.postgres[kind]}`);
    else if (existing.size > 0 && !existing.has(name)) statements.push(`ALTER TABLE ${requests} ADD COLUMN ${name} ${TYPES.sqlite[kind]}`);
  }
  for (const [name, column] of FILTER_INDEXES) {
    statements.push(dialect === 'postgres' ? `CREATE INDEX IF NOT EXISTS ${name} ON ${requests} (${column}, started_at)` : `DROP INDEX IF EXISTS ${name}`);
  }
  return statements;
}

/** Indexes for the log's filters (name, column), on PostgreSQL only. */
const FILTER_INDEXES = [
  ['requests_route_started_at', 'route'],
  ['requests_reason_started_at', 'fallback_reason'],
  ['requests_status_started_at', 'status'],
] as const;

type Raw = Record<string, unknown>;

function normalise<K extends string>(columns: readonly Column<K>[], raw: Raw): Record<K, unknown> {
  const row = {} as Record<K, unknown>;
  for (const { name, kind } of columns) {
    const value = raw[name];
    if (value === null || value === undefined) row[name] = null;
    else if (kind === 'bool') row[name] = value === true || value === 1 || value === '1' || value === 't';
    else if (kind === 'text') row[name] = String(value);
    else row[name] = Number(value);
  }
  return row;
}

export function requestRowOf(raw: Raw): RequestRow {
  return normalise(REQUEST_COLUMNS, raw) as unknown as RequestRow;
}

export function hopRowOf(raw: Raw): HopRow {
  return normalise(HOP_COLUMNS, raw) as unknown as HopRow;
}

/** A row's values in column order, as a driver binds them (booleans as 0/1 for SQLite). */
export function valuesOf<K extends string>(columns: readonly Column<K>[], row: Record<K, unknown>, dialect: Dialect): unknown[] {
  return readerOf(columns, dialect)(row);
}

/** A statement whose parameters are bound from its arguments (better-sqlite3's `run`). */
export interface RunsWithArguments<R> {
  run(...values: unknown[]): R;
}

/**
 * `statement.run` for a statement that inserts `count` rows (`VALUES (...), (...)`, or one), with
 * the values of the rows `rows[at]` to `rows[at + count - 1]` (each itself, or its `.request`, as
 * `pick` says), read as {@link valuesOf} reads them, passed as its arguments, not as one array:
 * better-sqlite3 reads an array through V8's API an element at a time, each a property lookup,
 * where an argument is at hand. For the 54 values of a logged request, about 20,000 of the 80,000
 * instructions the inline log added to a request (callgrind, bench config). Made once per prepared
 * statement.
 */
export function rowsRunner<T, R>(columns: readonly Column<string>[], statement: RunsWithArguments<R>, dialect: Dialect, count: number, pick: 'request' | 'self'): (rows: readonly T[], at: number) => R {
  const rows = Array.from({ length: count }, (_, i) => `const r${i} = rows[at + ${i}]${pick === 'request' ? '.request' : ''};`).join('\n');
  const reads = Array.from({ length: count }, (_, i) => columnReads(columns, dialect, `r${i}`)).join(', ');
  const run = new Function('statement', 'rows', 'at', `${rows}\nreturn statement.run(${reads});`) as (statement: RunsWithArguments<R>, rows: readonly T[], at: number) => R;
  return (batch, at) => run(statement, batch, at);
}

type RowReader = (row: object) => unknown[];
const READERS: Record<Dialect, WeakMap<readonly Column<string>[], RowReader>> = { sqlite: new WeakMap(), postgres: new WeakMap() };
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A function made once per column list that reads a row's values into an array (see {@link columnReads}). */
function readerOf(columns: readonly Column<string>[], dialect: Dialect): RowReader {
  let reader = READERS[dialect].get(columns);
  if (reader === undefined) {
    reader = new Function('row', `return [${columnReads(columns, dialect)}];`) as RowReader;
    READERS[dialect].set(columns, reader);
  }
  return reader;
}

/**
 * The expressions that read a row's values by name (`row.started_at ?? null, ...`), for a function
 * made once: a loop over the columns reads `row[name]` with 31 different names, a megamorphic
 * keyed load: about 1.1 µs a request for both tables, against 0.2 for this (a microbench); it runs
 * for every request the log writes. The names are the schema's own identifiers (checked), never
 * input.
 */
function columnReads(columns: readonly Column<string>[], dialect: Dialect, row = 'row'): string {
  return columns
    .map(({ name, kind }) => {
      if (!IDENTIFIER.test(name)) throw new Error(`not a column name: ${name}`);
      return kind === 'bool' && dialect === 'sqlite' ? `${row}.${name} ? 1 : 0` : `${row}.${name} ?? null`;
    })
    .join(', ');
}

/** The WHERE clause of a query, with `placeholder(n)` for the n-th (1-based) parameter. */
export function whereOf(query: LogQuery, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown): string => placeholder(params.push(value));
  if (query.route !== undefined) clauses.push(`route = ${bind(query.route)}`);
  if (query.reason !== undefined) clauses.push(`fallback_reason = ${bind(query.reason)}`);
  if (query.since !== undefined) clauses.push(`started_at >= ${bind(query.since)}`);
  if (query.status !== undefined) {
    if ('exact' in query.status) clauses.push(`status = ${bind(query.status.exact)}`);
    else clauses.push(`status >= ${bind(query.status.class * 100)} AND status < ${bind(query.status.class * 100 + 100)}`);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
