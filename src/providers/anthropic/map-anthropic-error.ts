/**
 * An Anthropic error (HTTP status + body + headers, or an in-band `error` event of a stream) mapped
 * to a failure shape. Anthropic words several distinct failures as the same 400
 * `invalid_request_error` (a prompt over the context window, a spent credit balance, output its
 * content filter blocked), so the message is matched as well as the type.
 */
import { GatewayError, type FailureShape } from '../../errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubSecrets } from '../http/scrub-secrets.js';
import { clientStatusFor, type UpstreamErrorInput } from '../openai/map-openai-error.js';
import { anthropicErrorSchema, type AnthropicErrorObject } from './anthropic-api.js';

/** "prompt is too long: 210000 tokens > 200000 maximum", and the input + max_tokens variant. */
const CONTEXT_OVERFLOW = /prompt is too long|exceed(s)? (the )?context (limit|window)|context window/i;
const CONTENT_FILTER = /content filtering policy/i;
const OUT_OF_CREDIT = /credit balance|spend limit|billing/i;

/** `details.error_code` values that mean the account is out of money, not merely going too fast. */
const QUOTA_CODES = new Set(['enforced_spend_limit_reached', 'contract_spend_limit_reached', 'linked_organization_spend_limit_reached', 'linked_organization_billing_unavailable']);

/** The HTTP status Anthropic uses for each error type; an in-band error carries only the type. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export function mapAnthropicError(input: UpstreamErrorInput): GatewayError {
  const error = readError(input.bodyText);
  return toGatewayError(input.status, error, input.secrets, {
    fallbackMessage: truncate(input.bodyText),
    retryAfterMs: parseRetryAfter(input.headers),
  });
}

/** The payload of an `event: error` that arrived inside a 200 stream. */
export function mapAnthropicStreamError(payload: unknown, secrets: readonly string[]): GatewayError {
  const parsed = anthropicErrorSchema.safeParse(payload);
  const error = parsed.success ? parsed.data.error : undefined;
  // An unknown type has no status: only the message rules apply, else it stays unknown_upstream_error.
  const status = error?.type ? STATUS_OF_TYPE[error.type] : undefined;
  return toGatewayError(status, error, secrets, { fallbackMessage: 'The upstream reported an error mid-stream.', retryAfterMs: undefined, inBand: true });
}

function toGatewayError(
  status: number | undefined,
  error: AnthropicErrorObject | undefined,
  secrets: readonly string[],
  options: { fallbackMessage: string; retryAfterMs: number | undefined; inBand?: boolean },
): GatewayError {
  const type = error?.type ?? undefined;
  const errorCode = error?.details?.error_code ?? undefined;
  const upstreamMessage = scrubSecrets(error?.message ?? options.fallbackMessage, secrets);
  const shape = shapeOf(status, type, errorCode, upstreamMessage);
  const message = shape === 'auth_error' ? "The upstream rejected the gateway's credentials for this provider." : upstreamMessage || `The upstream answered ${status ?? 'with an error'}.`;
  return new GatewayError(message, {
    status: clientStatusFor(shape, status ?? 502),
    code: errorCode ?? type ?? (options.inBand ? 'stream_error' : `upstream_${status}`),
    shape,
    retryAfterMs: options.retryAfterMs,
    upstreamStatus: options.inBand ? undefined : status,
  });
}

function shapeOf(status: number | undefined, type: string | undefined, errorCode: string | undefined, message: string): FailureShape {
  // Checked before the status: a spent balance comes as a 400, a spend limit as a 429, a billing problem as a 402.
  if (type === 'billing_error' || status === 402 || (errorCode !== undefined && QUOTA_CODES.has(errorCode))) return 'quota_exhausted';
  if ((status === 400 || status === 429) && OUT_OF_CREDIT.test(message)) return 'quota_exhausted';
  if (status === 429) return 'rate_limit_429';
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 408 || status === 504) return 'timeout';
  if (status !== undefined && (status === 409 || status >= 500)) return 'upstream_5xx';
  if (status === 413 || CONTEXT_OVERFLOW.test(message)) return 'context_overflow';
  if (CONTENT_FILTER.test(message)) return 'guardrail_block';
  // A 404 means the deployment names a model this upstream lacks: our config's fault, not the client's.
  if (status === 404) return 'unknown_upstream_error';
  if (status !== undefined && status >= 400 && status < 500) return 'client_error';
  return 'unknown_upstream_error';
}

function readError(bodyText: string): AnthropicErrorObject | undefined {
  try {
    const parsed = anthropicErrorSchema.safeParse(JSON.parse(bodyText));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
