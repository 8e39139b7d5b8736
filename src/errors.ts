/**
 * The one error type that crosses layers. Every failure the gateway reports to a client, and every
 * failure a provider reports to the fallback engine, is a GatewayError: a stable `code`, the HTTP
 * `status` a client sees, the failure `shape` the fallback engine acts on, and a `message` that is
 * safe to show (no provider key, no upstream URL with credentials, no stack).
 */

/**
 * What went wrong, as the fallback engine sees it. The first seven are the shapes the policy
 * engine acts on; the rest are outcomes that must not be retried blindly.
 */
export const FAILURE_SHAPES = [
  'upstream_5xx',
  'rate_limit_429',
  'timeout',
  'connection_error',
  'guardrail_block',
  'context_overflow',
  'quality_floor_miss',
  /** The provider rejected our key: rotate away, never retry the same key. */
  'auth_error',
  /** Out of credit or over a spend limit: not transient, skip the route for a while. */
  'quota_exhausted',
  /** The client's own mistake: would fail anywhere, so it is returned, not retried. */
  'client_error',
  /** An upstream outcome no rule recognised. Treated as a failure, never as success. */
  'unknown_upstream_error',
] as const;

export type FailureShape = (typeof FAILURE_SHAPES)[number];

/** OpenAI's error `type` values, which clients switch on. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'server_error';

export interface GatewayErrorOptions {
  status: number;
  code: string;
  type?: ErrorType;
  /** The request field the error is about, when there is one (OpenAI's `param`). */
  param?: string | null;
  shape?: FailureShape;
  /** Upstream asked us to wait this long before trying it again. */
  retryAfterMs?: number;
  /** The upstream's own HTTP status, when the failure came from one (kept for the attempt log). */
  upstreamStatus?: number;
  /** Extra response headers (e.g. `allow` on a 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly shape: FailureShape | undefined;
  readonly retryAfterMs: number | undefined;
  readonly upstreamStatus: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.code = options.code;
    this.type = options.type ?? defaultTypeFor(options.status);
    this.param = options.param ?? null;
    this.shape = options.shape;
    this.retryAfterMs = options.retryAfterMs;
    this.upstreamStatus = options.upstreamStatus;
    this.headers = options.headers;
  }
}

function defaultTypeFor(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return status === 500 ? 'server_error' : 'upstream_error';
  return 'invalid_request_error';
}

/** A client's bad request: 400 unless told otherwise. */
export function invalidRequest(message: string, param: string | null = null, code = 'invalid_request'): GatewayError {
  return new GatewayError(message, { status: 400, code, param, shape: 'client_error' });
}

/** Wraps anything thrown into a GatewayError; a non-GatewayError is a bug and becomes an opaque 500. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('The gateway hit an internal error.', { status: 500, code: 'internal_error', cause: err });
}
