/**
 * The request log: one row per finished request and one per hop, in SQLite (the default) or
 * PostgreSQL, with the same tables, columns and indexes. Column names are the rows' keys, so a row
 * reads the same from either store, in the CLI's JSON and in the admin API.
 */

/** One finished request. Times are epoch ms; durations ms. */
export interface RequestRow {
  started_at: number;
  request_id: string;
  route: string;
  operation: string;
  /** A hash of the caller's credential (never the credential). */
  tenant: string;
  status: number;
  stream: boolean;
  /** The step that served (or failed last). */
  deployment: string | null;
  provider: string | null;
  /** 1-based hop that served (or failed last). */
  hop_count: number;
  /** Calls made and steps skipped (retries and hedges each count). */
  attempt_count: number;
  fallback_reason: string | null;
  cache: boolean;
  cache_age_ms: number | null;
  /** The manual handler that served, if one did. */
  manual: string | null;
  /** The request whose answer this one replayed (same idempotency key). */
  replay_of: string | null;
  duration_ms: number;
  time_to_first_chunk_ms: number | null;
  response_model: string | null;
  response_id: string | null;
  /** Unified finish reasons, comma-separated. */
  finish_reason: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  cost_usd: number | null;
  unpriced_hops: number | null;
  error_code: string | null;
  error_shape: string | null;
  error_message: string | null;
  /** The gateway's trace and span when tracing is on, else those of the caller's `traceparent`. */
  trace_id: string | null;
  span_id: string | null;
  /** The subject of the client's TLS certificate (mTLS), most specific first: `CN=svc-c, OU=Platform, O=Acme`. */
  client_certificate: string | null;
}

/** One call made (or step skipped) for a request. */
export interface HopRow {
  request_id: string;
  /** 0-based order of the record in the walk (hop numbers repeat across retries). */
  position: number;
  hop: number;
  attempt: number;
  /** `deployment`, `cache` or `manual`. */
  step: string;
  deployment: string;
  provider: string;
  model: string;
  outcome: string;
  shape: string | null;
  status: number | null;
  upstream_status: number | null;
  code: string | null;
  message: string | null;
  started_at: number;
  duration_ms: number;
  backoff_ms: number | null;
  hedge: boolean;
  mttr_ms: number | null;
  /** The call's own span, when tracing is on. */
  span_id: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
}

export interface LoggedRequest {
  request: RequestRow;
  hops: HopRow[];
}

/** A status filter: one exact code, or a class (`5` for 5xx). */
export type StatusFilter = { exact: number } | { class: number };

/** What `switchyard log` and `GET /admin/log` ask for; every field narrows. */
export interface LogQuery {
  route?: string;
  /** A failure shape, or `circuit_open`. */
  reason?: string;
  /** Epoch ms: requests started at or after. */
  since?: number;
  status?: StatusFilter;
  /** Newest first, at most this many. */
  limit: number;
}

/** How long rows are kept; both bounds apply. */
export interface Retention {
  maxAgeMs: number;
  maxRows: number;
}

export interface RequestLog {
  /** Where the log is, for messages (a file path, or a URL without its password). */
  readonly location: string;
  /** Writes requests and their hops in one transaction; a request id already logged is kept as first written. */
  write(batch: readonly LoggedRequest[]): Promise<void>;
  /**
   * Optional: takes requests into a transaction left open, which the next `write` (an empty one
   * too) commits with its own batch, as does the store itself once a batch's worth is staged.
   * A store that has it is given each event-loop turn's finished requests at the end of that turn,
   * so their rows wait in the database's page cache rather than in the JavaScript heap, even while
   * an earlier batch is still going in: the store keeps them in order. Returns nothing when the
   * batch is in already, else a promise for when it is.
   */
  stage?(batch: readonly LoggedRequest[]): Promise<void> | undefined;
  /** Requests matching the query, newest first, with their hops. */
  query(query: LogQuery): Promise<LoggedRequest[]>;
  get(requestId: string): Promise<LoggedRequest | undefined>;
  /** Deletes rows past retention; returns how many requests went. */
  prune(retention: Retention, now?: number): Promise<number>;
  close(): Promise<void>;
}

/** There is no log to read: the config turns it off, or nothing has been written yet. */
export class RequestLogUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestLogUnavailable';
  }
}
