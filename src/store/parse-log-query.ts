/**
 * The filters of `switchyard log` and `GET /admin/log`, from text (flags or query parameters) to a
 * LogQuery. A bad value is a LogQueryError that says what is accepted, never a crash or a silent
 * "no filter".
 */
import { FAILURE_SHAPES } from '../errors.js';
import type { LogQuery, StatusFilter } from './request-log.js';

/** Default: the 50 most recent requests. */
export const DEFAULT_LOG_LIMIT = 50;
/** Most requests one query returns. */
export const MAX_LOG_LIMIT = 1_000;

/** The reasons a request can leave its first step: a failure shape, or an open circuit. */
export const FALLBACK_REASONS: readonly string[] = [...FAILURE_SHAPES, 'circuit_open'];

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** An ISO date or date-time: `2025-05-01`, `2025-05-01T10:00:00Z`. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

export class LogQueryError extends Error {
  constructor(
    message: string,
    /** The filter at fault (`since`, `status`, ...). */
    readonly param: string,
  ) {
    super(message);
    this.name = 'LogQueryError';
  }
}

export interface LogFilterText {
  route?: string;
  reason?: string;
  since?: string;
  status?: string;
  limit?: string;
}

export function parseLogQuery(filters: LogFilterText, now = Date.now()): LogQuery {
  const query: LogQuery = { limit: DEFAULT_LOG_LIMIT };
  const route = filters.route?.trim();
  if (route !== undefined) {
    if (route === '') throw new LogQueryError('route must not be empty.', 'route');
    query.route = route;
  }
  if (filters.reason !== undefined) {
    const reason = filters.reason.trim();
    if (!FALLBACK_REASONS.includes(reason)) throw new LogQueryError(`reason must be a failure shape or circuit_open (one of: ${FALLBACK_REASONS.join(', ')}); got '${filters.reason}'.`, 'reason');
    query.reason = reason;
  }
  if (filters.since !== undefined) query.since = parseSince(filters.since.trim(), now);
  if (filters.status !== undefined) query.status = parseStatus(filters.status.trim());
  if (filters.limit !== undefined) {
    const limit = Number(filters.limit);
    if (!/^\d+$/.test(filters.limit.trim()) || limit < 1 || limit > MAX_LOG_LIMIT) throw new LogQueryError(`limit must be a whole number from 1 to ${MAX_LOG_LIMIT}; got '${filters.limit}'.`, 'limit');
    query.limit = limit;
  }
  return query;
}

/** `15m`, `2h`, `7d` (that long ago), or an ISO time. */
function parseSince(text: string, now: number): number {
  const duration = DURATION.exec(text);
  if (duration) return now - Number(duration[1]) * (DURATION_UNIT_MS[duration[2] as string] as number);
  const at = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new LogQueryError(`since must be a duration (30s, 15m, 2h, 7d) or an ISO time (2025-05-01T10:00:00Z); got '${text}'.`, 'since');
  return at;
}

/** `503` (exact) or `5xx` (a class). */
function parseStatus(text: string): StatusFilter {
  if (/^[1-5]\d\d$/.test(text)) return { exact: Number(text) };
  const cls = /^([1-5])xx$/i.exec(text);
  if (cls) return { class: Number(cls[1]) };
  throw new LogQueryError(`status must be an HTTP status (503) or a class (5xx, 4xx); got '${text}'.`, 'status');
}
