/**
 * `telemetry.request_log`: where finished requests are written (one row per request, one per hop),
 * how writes are batched, and how long rows are kept.
 */
import { z } from 'zod';
import { int } from '../config/fields.js';

/** Default store: an embedded SQLite file, so every install has a log with no setup. */
export const DEFAULT_REQUEST_LOG_STORE = 'sqlite';
/** Sets the default store for configs that name none (`off` for a test run, say); a config's own `store` wins. */
export const REQUEST_LOG_ENV = 'SWITCHYARD_REQUEST_LOG';
const STORES = ['sqlite', 'postgres', 'off'] as const;

function defaultStore(): (typeof STORES)[number] {
  const fromEnv = process.env[REQUEST_LOG_ENV];
  return (STORES as readonly string[]).includes(fromEnv ?? '') ? (fromEnv as (typeof STORES)[number]) : DEFAULT_REQUEST_LOG_STORE;
}
/** Default SQLite file, relative to the working directory (`.switchyard/` is gitignored). */
export const DEFAULT_REQUEST_LOG_PATH = '.switchyard/requests.db';
/** Default PostgreSQL schema the tables are created in. */
export const DEFAULT_REQUEST_LOG_SCHEMA = 'public';
/** Default: a batch is written once this many requests are queued (before the timer fires). */
export const DEFAULT_REQUEST_LOG_BATCH_SIZE = 200;
/** Default: queued requests are written at least this often. */
export const DEFAULT_REQUEST_LOG_FLUSH_INTERVAL_MS = 1_000;
/** Default: rows older than 7 days are pruned. */
export const DEFAULT_REQUEST_LOG_MAX_AGE = '7d';
/** Default: at most one million requests are kept (the oldest go first). */
export const DEFAULT_REQUEST_LOG_MAX_ROWS = 1_000_000;
/**
 * Default: how often retention is enforced (and once at start). SQLite prunes on the gateway's own
 * CPU (on the serving thread with the inline writer): once the log is full, each prune deletes what
 * came since the last, so a short interval spreads the same work thin, where 5 minutes made a
 * minute of 15-42% less throughput every 5 minutes in `bench:soak` (docs/request-log.md,
 * "Retention"). PostgreSQL counts `max_rows` with a walk on its server, which each prune repeats.
 */
export const DEFAULT_REQUEST_LOG_PRUNE_INTERVAL_MS = { sqlite: 15_000, postgres: 300_000 } as const;

/** How often the configured log is pruned: its `prune_interval_ms`, else its store's default. */
export function pruneIntervalMs(config: RequestLogConfig): number {
  return config.retention.prune_interval_ms ?? DEFAULT_REQUEST_LOG_PRUNE_INTERVAL_MS[config.store === 'postgres' ? 'postgres' : 'sqlite'];
}

/** `90m`, `24h`, `7d`: a retention age. */
const AGE = /^\s*(\d+)\s*(m|h|d)\s*$/;
const AGE_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A retention age in ms, from `90m` / `24h` / `7d`; undefined when the text is not one. */
export function parseMaxAge(text: string): number | undefined {
  const match = AGE.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * AGE_UNIT_MS[match[2] as keyof typeof AGE_UNIT_MS];
}

const maxAge = z.string().refine((text) => (parseMaxAge(text) ?? 0) > 0, 'a duration in minutes, hours or days, e.g. 90m, 24h, 7d');

export const requestLogConfigSchema = z
  .strictObject({
    /** `sqlite` (embedded file), `postgres` (a shared log at `url`) or `off`. */
    store: z.enum(STORES).default(defaultStore),
    /** SQLite: the database file. */
    path: z.string().min(1).default(DEFAULT_REQUEST_LOG_PATH),
    /**
     * SQLite: who writes it. `thread`: a writer thread; `inline`: the serving thread, a few requests
     * per event-loop turn; `auto` (default): the thread when the process may use more than one CPU.
     */
    writer: z.enum(['auto', 'thread', 'inline']).default('auto'),
    /** PostgreSQL: a connection string (`postgres://user:pass@host:5432/db`). */
    url: z.string().min(1).optional(),
    /** PostgreSQL: the schema the tables live in (created when missing). */
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain SQL identifier').default(DEFAULT_REQUEST_LOG_SCHEMA),
    batch_size: int().pipe(z.int().min(1).max(10_000)).default(DEFAULT_REQUEST_LOG_BATCH_SIZE),
    flush_interval_ms: int().pipe(z.int().min(10)).default(DEFAULT_REQUEST_LOG_FLUSH_INTERVAL_MS),
    retention: z
      .strictObject({
        max_age: maxAge.default(DEFAULT_REQUEST_LOG_MAX_AGE),
        max_rows: int().pipe(z.int().min(1)).default(DEFAULT_REQUEST_LOG_MAX_ROWS),
        /** Default: 15 s for SQLite, 5 min for PostgreSQL (`pruneIntervalMs`). */
        prune_interval_ms: int().pipe(z.int().min(1_000)).optional(),
      })
      .prefault({}),
  })
  .refine((config) => config.store !== 'postgres' || config.url !== undefined, { message: 'store: postgres needs a url', path: ['url'] })
  .prefault({});

export type RequestLogConfig = z.output<typeof requestLogConfigSchema>;
