/**
 * Google's error body (`{"error": {"code", "message", "status", "details"}}`, the JSON form of
 * `google.rpc.Status`), from an HTTP answer or in-band in a stream, mapped to a failure shape.
 * The canonical `status` string decides first, the HTTP code second, the wording last.
 */
import { GatewayError, type FailureShape } from '../../errors.js';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../http/retry-after.js';
import { scrubSecrets } from '../http/scrub-secrets.js';
import type { UpstreamErrorInput } from '../openai/map-openai-error.js';
import { clientStatusFor } from '../openai/map-openai-error.js';
import { googleErrorSchema, type GoogleError } from './gemini-api.js';

/** Gemini's and Vertex's wording for a prompt over the model's input limit. */
const CONTEXT_OVERFLOW = /input token count|exceeds the maximum number of tokens|token limit|too many tokens|context (length|window)|prompt is too long/i;
/** A request refused for what it says (rare as an HTTP error: Gemini usually answers 200 with a block reason). */
const CONTENT_FILTER = /prohibited content|safety (filter|settings|reasons)|violat(es|ed|ing) .{0,200}polic/i;
/** A bad key in words, for a 400 that carries no ErrorInfo detail. */
const BAD_KEY = /API key (not valid|expired|was reported as leaked)/i;
const BILLING = /billing|payment|prepay|credits? (are|is) (exhausted|depleted)/i;
/** Reasons in an `ErrorInfo` detail that mean the key itself is bad. */
const BAD_KEY_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', 'CREDENTIALS_MISSING']);
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
/** A `google.protobuf.Duration` in JSON: seconds with up to nine decimals and an `s`. */
const DURATION = /^(\d+(?:\.\d+)?)s$/;
/** Quota ids of limits that reset daily or later: hitting only those is being out of quota, not rate-limited. */
const LONG_QUOTA = /per(day|month)/i;

export function mapGeminiError(input: UpstreamErrorInput): GatewayError {
  const error = readError(input.bodyText);
  const upstreamMessage = scrubSecrets(error?.message ?? truncate(input.bodyText), input.secrets);
  const shape = shapeOf(input.status, error, upstreamMessage);
  const retryAfterMs = retryDelayOf(error) ?? parseRetryAfter(input.headers);
  return new GatewayError(messageFor(shape, upstreamMessage, input.status), {
    status: clientStatusFor(shape, input.status),
    code: error?.status ?? `upstream_${input.status}`,
    shape,
    retryAfterMs,
    upstreamStatus: input.status,
  });
}

/** An error object inside a 200 stream (`data: {"error": {...}}`): its `code` stands in for the HTTP status. */
export function mapGeminiStreamError(payload: unknown, secrets: readonly string[]): GatewayError {
  const parsed = googleErrorSchema.safeParse(payload);
  const error = parsed.success ? parsed.data.error : undefined;
  const status = error?.code ?? 500;
  const message = scrubSecrets(error?.message ?? 'The upstream reported an error mid-stream.', secrets);
  const shape = shapeOf(status, error, message);
  return new GatewayError(messageFor(shape, message, status), {
    status: clientStatusFor(shape, 502),
    code: error?.status ?? 'stream_error',
    shape,
    retryAfterMs: retryDelayOf(error),
  });
}

/**
 * How much of an error's message its shape is read from. The wordings above come first in
 * Google's messages; past them, a long message only costs time (`violates ` repeated over 160 KB
 * took 1.8 s of the event loop when the content-filter pattern searched it whole).
 */
const CLASSIFIED_CHARS = 2_000;

function shapeOf(status: number, error: GoogleError | undefined, whole: string): FailureShape {
  const message = whole.length > CLASSIFIED_CHARS ? whole.slice(0, CLASSIFIED_CHARS) : whole;
  const code = error?.status;
  if (code === 'RESOURCE_EXHAUSTED' || status === 429) return onlyLongQuotas(error) ? 'quota_exhausted' : 'rate_limit_429';
  if (code === 'UNAUTHENTICATED' || code === 'PERMISSION_DENIED' || status === 401 || status === 403 || hasBadKeyReason(error) || BAD_KEY.test(message)) return 'auth_error';
  if (code === 'DEADLINE_EXCEEDED' || status === 504) return 'timeout';
  if (code === 'INTERNAL' || code === 'UNAVAILABLE' || code === 'UNKNOWN' || code === 'ABORTED' || status >= 500) return 'upstream_5xx';
  // The caller went away as Google saw it; nothing about this request would fail elsewhere.
  if (code === 'CANCELLED' || status === 499) return 'upstream_5xx';
  if (status === 413 || CONTEXT_OVERFLOW.test(message)) return 'context_overflow';
  if (CONTENT_FILTER.test(message)) return 'guardrail_block';
  // FAILED_PRECONDITION: billing off, or the free tier not offered where the project is. Our account's state, not the request's.
  if (code === 'FAILED_PRECONDITION') return BILLING.test(message) ? 'quota_exhausted' : 'unknown_upstream_error';
  // A 404 is a model this deployment names that the upstream lacks: our config's fault, not the client's.
  if (code === 'NOT_FOUND' || status === 404) return 'unknown_upstream_error';
  if (status >= 400 && status < 500) return 'client_error';
  return 'unknown_upstream_error';
}

function messageFor(shape: FailureShape, upstreamMessage: string, status: number): string {
  if (shape === 'auth_error') return "The upstream rejected the gateway's credentials for this provider.";
  return upstreamMessage || `The upstream answered ${status}.`;
}

/** RetryInfo's `retryDelay` (e.g. "12s", "0.5s"), the wait Gemini asks for on a 429. */
function retryDelayOf(error: GoogleError | undefined): number | undefined {
  for (const detail of error?.details ?? []) {
    if (detail['@type'] !== RETRY_INFO) continue;
    const match = typeof detail.retryDelay === 'string' ? DURATION.exec(detail.retryDelay) : null;
    if (match) return Math.min(Math.round(Number(match[1]) * 1000), MAX_RETRY_AFTER_MS);
  }
  return undefined;
}

function hasBadKeyReason(error: GoogleError | undefined): boolean {
  return (error?.details ?? []).some((detail) => detail['@type'] === ERROR_INFO && typeof detail.reason === 'string' && BAD_KEY_REASONS.has(detail.reason));
}

/**
 * Google words every RESOURCE_EXHAUSTED alike ("You exceeded your current quota"); only the quota ids
 * of a QuotaFailure tell a per-minute limit (wait and retry) from a per-day one (gone for hours).
 */
function onlyLongQuotas(error: GoogleError | undefined): boolean {
  const ids: string[] = [];
  for (const detail of error?.details ?? []) {
    if (detail['@type'] !== QUOTA_FAILURE || !Array.isArray(detail.violations)) continue;
    for (const violation of detail.violations as unknown[]) {
      const id = typeof violation === 'object' && violation !== null ? (violation as { quotaId?: unknown }).quotaId : undefined;
      if (typeof id === 'string') ids.push(id);
    }
  }
  return ids.length > 0 && ids.every((id) => LONG_QUOTA.test(id));
}

function readError(bodyText: string): GoogleError | undefined {
  try {
    const json: unknown = JSON.parse(bodyText);
    // streamGenerateContent without alt=sse wraps its error in an array.
    const parsed = googleErrorSchema.safeParse(Array.isArray(json) ? json[0] : json);
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
