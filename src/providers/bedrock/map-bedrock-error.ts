/**
 * A Bedrock error mapped to a failure shape: an HTTP answer (its `x-amzn-errortype` header and
 * `{"message"}` body), or an exception frame inside a ConverseStream (`:exception-type`).
 * The error type decides; the status decides when the type is unknown.
 */
import { GatewayError, type FailureShape } from '../../errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubSecrets } from '../http/scrub-secrets.js';
import type { UpstreamErrorInput } from '../openai/map-openai-error.js';
import { clientStatusFor } from '../openai/map-openai-error.js';
import { bedrockErrorSchema } from './bedrock-api.js';

/** How Bedrock and the models behind it word a prompt that does not fit the context window. */
const CONTEXT_OVERFLOW = /input is too long|prompt is too long|too many input tokens|too many tokens|input token count|context (?:length|window)|maximum context/i;

/**
 * Shapes by error type. ServiceQuotaExceededException says the account is over a service quota,
 * where ThrottlingException says "too many requests right now": a quota does not clear in the
 * seconds a rate-limit backoff waits, so it is quota_exhausted (the route is skipped for a while).
 */
const SHAPES: Record<string, FailureShape> = {
  ThrottlingException: 'rate_limit_429',
  ServiceQuotaExceededException: 'quota_exhausted',
  ModelStreamErrorException: 'upstream_5xx',
  ModelErrorException: 'upstream_5xx',
  ModelNotReadyException: 'upstream_5xx',
  ServiceUnavailableException: 'upstream_5xx',
  ServiceUnavailable: 'upstream_5xx',
  InternalServerException: 'upstream_5xx',
  InternalFailure: 'upstream_5xx',
  ModelTimeoutException: 'timeout',
  AccessDeniedException: 'auth_error',
  UnrecognizedClientException: 'auth_error',
  InvalidSignatureException: 'auth_error',
  IncompleteSignatureException: 'auth_error',
  IncompleteSignature: 'auth_error',
  ExpiredTokenException: 'auth_error',
  MissingAuthenticationTokenException: 'auth_error',
  InvalidClientTokenId: 'auth_error',
  NotAuthorized: 'auth_error',
  // The deployment names a model this account or region lacks: our config's fault, not the client's.
  ResourceNotFoundException: 'unknown_upstream_error',
};

const AUTH_MESSAGE = "The upstream rejected the gateway's credentials for this provider.";

export function mapBedrockError(input: UpstreamErrorInput): GatewayError {
  const body = readBody(input.bodyText);
  const type = errorType(input.headers['x-amzn-errortype']) ?? errorType(body?.__type);
  const upstreamMessage = scrubSecrets(body?.message ?? body?.Message ?? truncate(input.bodyText), input.secrets);
  const shape = shapeOf(type, input.status, upstreamMessage);
  return new GatewayError(shape === 'auth_error' ? AUTH_MESSAGE : upstreamMessage || `The upstream answered ${input.status}.`, {
    status: clientStatusFor(shape, input.status),
    code: type ?? `upstream_${input.status}`,
    shape,
    retryAfterMs: parseRetryAfter(input.headers),
    upstreamStatus: input.status,
  });
}

/** An exception frame of a ConverseStream (`:exception-type` in camelCase, e.g. `throttlingException`). */
export function mapBedrockStreamException(exceptionType: string | undefined, bodyText: string, secrets: readonly string[]): GatewayError {
  const body = readBody(bodyText);
  const type = exceptionType ? exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1) : undefined;
  const message = scrubSecrets(body?.message ?? body?.Message ?? 'The upstream reported an error mid-stream.', secrets);
  const shape = shapeOf(type, undefined, message);
  return new GatewayError(shape === 'auth_error' ? AUTH_MESSAGE : message, { status: clientStatusFor(shape, 502), code: type ?? 'stream_error', shape });
}

function shapeOf(type: string | undefined, status: number | undefined, message: string): FailureShape {
  if (type === 'ValidationException') return CONTEXT_OVERFLOW.test(message) ? 'context_overflow' : 'client_error';
  const known = type === undefined ? undefined : SHAPES[type];
  if (known) return known;
  if (status === undefined) return 'unknown_upstream_error';
  if (status === 429) return 'rate_limit_429';
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'upstream_5xx';
  if (status === 400 && CONTEXT_OVERFLOW.test(message)) return 'context_overflow';
  if (status === 404) return 'unknown_upstream_error';
  if (status >= 400 && status < 500) return 'client_error';
  return 'unknown_upstream_error';
}

/**
 * The error type, from `x-amzn-errortype` (`ThrottlingException:http://internal.amazon.com/...`)
 * or a body's `__type` (`com.amazon.coral.service#UnrecognizedClientException`).
 */
function errorType(raw: string | string[] | undefined): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return undefined;
  const name = value.split(':', 1)[0] ?? '';
  const hash = name.lastIndexOf('#');
  return (hash >= 0 ? name.slice(hash + 1) : name) || undefined;
}

function readBody(text: string) {
  try {
    const parsed = bedrockErrorSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
