/**
 * The request log in an embedded SQLite file (better-sqlite3): WAL mode, so `switchyard log` can
 * read while the gateway writes; a batch is one transaction.
 */
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { RequestLogUnavailable, type HopRow, type LoggedRequest, type LogQuery, type RequestLog, type RequestRow, type Retention } from './request-log.js';
import { HOP_COLUMNS, HOPS_TABLE, hopRowOf, REQUEST_COLUMNS, REQUESTS_TABLE, requestRowOf, rowsRunner, schemaStatements, whereOf } from './request-log-tables.js';

/** How long a write waits for a reader's lock before failing (the CLI may be reading). */
const BUSY_TIMEOUT_MS = 5_000;

export interface SqliteLogOptions {
  path: string;
  /** Only open a file that exists (a reader: `switchyard log`), never create one. */
  mustExist?: boolean;
  /**
   * Who checkpoints the WAL into the database file. `sqlite` (the default): SQLite, in the commit
   * that passes 1,000 pages, with an fsync of each file. `caller`: no checkpoint and no fsync here;
   * the caller runs `checkpointCopy` between its own syncs of the two files (the inline writer,
   * which keeps those syncs off the serving thread).
   */
  checkpoints?: 'sqlite' | 'caller';
}

/** The synchronous SQLite log, with a prune that can go a slice at a time (for the inline writer). */
export interface SqliteRequestLog extends RequestLog {
  /**
   * Deletes at most `limit` requests (and their hops) that started before `cutoff.before`, oldest
   * first, then, once none is left, those at or below rowid `cutoff.throughRowid`, lowest first;
   * returns how many went.
   */
  pruneSlice(cutoff: PruneCutoff, limit: number): number;
  /**
   * What a prune at `now` removes: requests older than `max_age`, and all but the newest `max_rows`
   * by the order they were logged (when they finished). One b-tree descent, for a whole prune.
   */
  pruneCutoff(retention: Retention, now: number): PruneCutoff;
  /**
   * Inserts a batch (or its requests from `from` up to `to`) into the transaction open on this
   * connection (begun if none is), and leaves it open: `commit` ends it. A failure rolls back
   * everything not committed yet, earlier staged batches included, and rethrows. Each commit
   * appends every page it touched to the WAL: one commit per batch of 200 instead of one per
   * slice of 20 took BEGIN and COMMIT from about 9.6 to 3.8 µs of a request's CPU (bench:profile,
   * c=16). Anything else on this connection meanwhile (a prune's slice, a read) runs inside the
   * transaction and sees its rows.
   */
  stageNow(batch: readonly LoggedRequest[], from?: number, to?: number): void;
  /** Commits the open transaction, if there is one. */
  commit(): void;
  /** The database file and its WAL, for a caller that syncs them itself (`checkpoints: 'caller'`). */
  files: { db: string; wal: string };
  /**
   * Copies the WAL's committed pages into the database file (a passive checkpoint), without
   * syncing either file: with `checkpoints: 'caller'`, the caller syncs the WAL before and the
   * database file after, and writes nothing meanwhile.
   */
  checkpointCopy(): void;
  /** Hands checkpoints back to SQLite, with its syncs (after a failed sync of the caller's). */
  sqliteCheckpoints(): void;
}

/** Requests pruned per transaction by the writer thread's prune. */
const PRUNE_SLICE = 1_000;

/**
 * Prunes past retention a slice at a time, oldest first, with `between` (a wait for the next
 * event-loop turn, inline) between slices; how many requests went.
 */
export async function pruneInSlices(log: SqliteRequestLog, retention: Retention, now: number, sliceSize: number, between?: () => Promise<unknown>): Promise<number> {
  const cutoff = log.pruneCutoff(retention, now);
  let removed = 0;
  for (;;) {
    const slice = log.pruneSlice(cutoff, sliceSize);
    removed += slice;
    if (slice < sliceSize) return removed;
    await between?.();
  }
}

/**
 * What a prune removes: requests started before `before` (max_age), and those at or below rowid
 * `throughRowid` (past max_rows: the newest max_rows by the order they were logged).
 */
export interface PruneCutoff {
  before: number;
  throughRowid?: number;
}

/**
 * Rows inserted by one statement (`VALUES (...), (...)`, ten rows): SQLite's work per statement and
 * better-sqlite3's per call are shared by ten. A microbench of the two tables' inserts, batches of
 * 200: 5.5-6.1 against 6.6-7.5 µs a request; the defaults under `bench:instructions`, 365.1k against
 * 371.5k instructions a request (medians of three). What is left over (fewer than ten) goes in a
 * row at a time. (A savepoint around each group, to redo it a row at a time when an id was seen
 * before, cost more than the groups saved: 7.7-7.9 µs in the same microbench.)
 */
export const INSERT_GROUP = 10;

/** Page size of a new log file. */
export const PAGE_SIZE_BYTES = 16 * 1024;

/** Page cache of a log connection, in KiB. */
const PAGE_CACHE_KIB = 2_048;

/** SQLite's own default: a checkpoint in the commit that takes the WAL past this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

export function openSqliteRequestLog({ path, mustExist = false, checkpoints = 'sqlite' }: SqliteLogOptions): SqliteRequestLog {
  const file = resolve(path);
  if (mustExist && !existsSync(file)) throw new RequestLogUnavailable(`No request log at ${path}: the gateway writes it there once it has served a request (telemetry.request_log.path).`);
  if (!mustExist) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // A new log's pages are 16 KB (SQLite's default is 4 KB): the log only appends, and bigger pages
  // split less often and make fewer WAL frames a commit. bench:ab: 4-5% less CPU per request with
  // the inline writer. An existing file keeps the page size it was made with.
  db.pragma(`page_size = ${PAGE_SIZE_BYTES}`);
  db.pragma('journal_mode = WAL');
  // The log appends under time-ordered keys (UUIDv7 request ids, start times): its inserts touch the
  // last pages of each index, and better-sqlite3's default page cache (16 MB a connection) filled
  // with pages no insert would read again. With 2 MB, the defaults' peak RSS under load was 160-176
  // MB against 186-229 (docs/benchmarks.md).
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  // WAL with NORMAL sync is durable against a process crash; a power loss may drop what was
  // committed since the last checkpoint.
  // NORMAL syncs only at a checkpoint (the WAL before it, the database file after), which is all
  // that OFF leaves out: a caller that checkpoints runs those two syncs itself.
  const sqliteCheckpoints = (): void => {
    db.pragma('synchronous = NORMAL');
    db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  };
  if (checkpoints === 'caller') {
    db.pragma('synchronous = OFF');
    db.pragma('wal_autocheckpoint = 0');
  } else {
    sqliteCheckpoints();
  }
  // The columns a log made by an earlier version has (none for a new file): it gets those added since.
  const existingColumns = new Set(db.prepare(`SELECT name FROM pragma_table_info('${REQUESTS_TABLE}')`).pluck().all() as string[]);
  for (const statement of schemaStatements('sqlite', '', existingColumns)) db.exec(statement);

  const insertInto = (table: string, columns: readonly { name: string }[], rows: number) =>
    db.prepare(`INSERT OR IGNORE INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES ${Array(rows).fill(`(${columns.map(() => '?').join(', ')})`).join(', ')}`);
  const insertRequestRow = rowsRunner<LoggedRequest, Database.RunResult>(REQUEST_COLUMNS, insertInto(REQUESTS_TABLE, REQUEST_COLUMNS, 1), 'sqlite', 1, 'request');
  const insertHopRow = rowsRunner<HopRow, Database.RunResult>(HOP_COLUMNS, insertInto(HOPS_TABLE, HOP_COLUMNS, 1), 'sqlite', 1, 'self');
  const insertRequestGroup = rowsRunner<LoggedRequest, Database.RunResult>(REQUEST_COLUMNS, insertInto(REQUESTS_TABLE, REQUEST_COLUMNS, INSERT_GROUP), 'sqlite', INSERT_GROUP, 'request');
  const insertHopGroup = rowsRunner<HopRow, Database.RunResult>(HOP_COLUMNS, insertInto(HOPS_TABLE, HOP_COLUMNS, INSERT_GROUP), 'sqlite', INSERT_GROUP, 'self');
  const insertedIds = db.prepare(`SELECT request_id FROM ${REQUESTS_TABLE} WHERE rowid > ? AND rowid <= ?`).pluck();
  /**
   * Of a group just inserted, the requests that went in. A request id seen before (a client reusing
   * its x-request-id) keeps its first rows, so its later requests were ignored. Those that went in
   * took the rowids after the table's largest, one by one in the group's order (SQLite's rule for a
   * rowid given by none): they are the last `changes` rowids up to `lastInsertRowid`.
   */
  const wentIn = (batch: readonly LoggedRequest[], at: number, { changes, lastInsertRowid }: Database.RunResult): LoggedRequest[] => {
    // With none in, the range is empty (lastInsertRowid is then some earlier statement's).
    const ids = new Set(insertedIds.all(BigInt(lastInsertRowid) - BigInt(changes), lastInsertRowid) as string[]);
    const inserted: LoggedRequest[] = [];
    for (let i = at; i < at + INSERT_GROUP; i++) {
      const logged = batch[i] as LoggedRequest;
      // The first of two with one id in the group went in; the second did not.
      if (ids.delete(logged.request.request_id)) inserted.push(logged);
    }
    return inserted;
  };
  const insert = (batch: readonly LoggedRequest[], from: number, to: number) => {
    const hops: HopRow[] = [];
    let at = from;
    for (; at + INSERT_GROUP <= to; at += INSERT_GROUP) {
      const result = insertRequestGroup(batch, at);
      if (result.changes === INSERT_GROUP) {
        for (let i = at; i < at + INSERT_GROUP; i++) for (const hop of (batch[i] as LoggedRequest).hops) hops.push(hop);
      } else {
        for (const logged of wentIn(batch, at, result)) for (const hop of logged.hops) hops.push(hop);
      }
    }
    for (; at < to; at++) {
      // A request id seen before keeps its first rows.
      if (insertRequestRow(batch, at).changes === 0) continue;
      for (const hop of (batch[at] as LoggedRequest).hops) hops.push(hop);
    }
    let next = 0;
    for (; next + INSERT_GROUP <= hops.length; next += INSERT_GROUP) insertHopGroup(hops, next);
    for (; next < hops.length; next++) insertHopRow(hops, next);
  };
  const writeBatch = db.transaction((batch: readonly LoggedRequest[]) => insert(batch, 0, batch.length));
  const oldest = db.prepare(`SELECT request_id FROM ${REQUESTS_TABLE} WHERE started_at < ? ORDER BY started_at LIMIT ?`).pluck();
  // A slice's requests and their hops go in one statement a table, the ids handed over as one JSON
  // array, rather than two statements a request.
  const deleteHopsOf = db.prepare(`DELETE FROM ${HOPS_TABLE} WHERE request_id IN (SELECT value FROM json_each(?))`);
  const deleteRequests = db.prepare(`DELETE FROM ${REQUESTS_TABLE} WHERE request_id IN (SELECT value FROM json_each(?))`);
  // Past max_rows and not aged out (those the first query takes): `+started_at` keeps SQLite on the rowid range.
  const pastMaxRows = db.prepare(`SELECT request_id FROM ${REQUESTS_TABLE} WHERE rowid <= ? AND +started_at >= ? ORDER BY rowid LIMIT ?`).pluck();
  const pruneSlice = db.transaction(({ before, throughRowid }: PruneCutoff, limit: number) => {
    let ids = oldest.all(before, limit) as string[];
    if (ids.length < limit && throughRowid !== undefined) ids = ids.concat(pastMaxRows.all(throughRowid, before, limit - ids.length) as string[]);
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    deleteHopsOf.run(list);
    deleteRequests.run(list);
    return ids.length;
  });
  const newestRowid = db.prepare(`SELECT max(rowid) FROM ${REQUESTS_TABLE}`).pluck();
  const selectHops = db.prepare(`SELECT * FROM ${HOPS_TABLE} WHERE request_id = ? ORDER BY position`);
  const selectRequest = db.prepare(`SELECT * FROM ${REQUESTS_TABLE} WHERE request_id = ?`);

  const withHops = (request: RequestRow): LoggedRequest => ({ request, hops: (selectHops.all(request.request_id) as Record<string, unknown>[]).map(hopRowOf) });
  let closed = false;
  const stageRange = (batch: readonly LoggedRequest[], from: number, to: number): void => {
    if (from === to) return;
    try {
      if (closed) throw new Error('the request log was closed mid-batch');
      if (!db.inTransaction) db.exec('BEGIN');
      insert(batch, from, to);
    } catch (err) {
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  };

  const log: SqliteRequestLog = {
    location: path,
    async write(batch) {
      if (batch.length > 0) writeBatch(batch);
    },
    stageNow(batch, from = 0, to = batch.length) {
      stageRange(batch, from, to);
    },
    commit() {
      if (db.open && db.inTransaction) db.exec('COMMIT');
    },
    files: { db: file, wal: `${file}-wal` },
    checkpointCopy() {
      db.pragma('wal_checkpoint(PASSIVE)');
    },
    sqliteCheckpoints,
    async query(query: LogQuery) {
      const where = whereOf(query, () => '?');
      const rows = db.prepare(`SELECT * FROM ${REQUESTS_TABLE} ${where.sql} ORDER BY started_at DESC, request_id DESC LIMIT ?`).all(...where.params, query.limit) as Record<string, unknown>[];
      return rows.map((raw) => withHops(requestRowOf(raw)));
    },
    async get(requestId) {
      const raw = selectRequest.get(requestId) as Record<string, unknown> | undefined;
      return raw ? withHops(requestRowOf(raw)) : undefined;
    },
    prune: (retention, now = Date.now()) => pruneInSlices(log, retention, now, PRUNE_SLICE),
    pruneSlice,
    pruneCutoff({ maxAgeMs, maxRows }, now) {
      // max_rows keeps the newest by the order they were logged: a request's rowid is one more
      // than the largest when it goes in, so the newest max_rows are those above
      // max(rowid) - max_rows. (Rows go from the old end, except one an age cut takes from further
      // in, a request that started long before it finished: the rows kept are then one fewer.)
      // Found in one b-tree descent, where the newest by start time took a walk of max_rows
      // index entries on the serving thread (266 ms for 200,000 in a microbench; by
      // extrapolation about 1.3 s for the default 1,000,000).
      const before = now - maxAgeMs;
      const newest = (newestRowid.get() as number | null) ?? 0;
      return newest > maxRows ? { before, throughRowid: newest - maxRows } : { before };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (db.open) {
        // What is staged and not committed is dropped, as a close drops it; the close then
        // checkpoints the WAL into the file, with SQLite's syncs.
        if (db.inTransaction) db.exec('ROLLBACK');
        sqliteCheckpoints();
      }
      db.close();
    },
  };
  return log;
}
