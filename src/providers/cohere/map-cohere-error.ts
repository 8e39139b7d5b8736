/**
 * Cohere's errors (`{"message": "..."}` with a conventional HTTP status) mapped to failure shapes.
 * Cohere gives no error codes, so after the status only its wording tells a too-long prompt, a
 * monthly trial cap or a failed payment apart.
 */
import { GatewayError, type FailureShape } from '../../errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubSecrets } from '../http/scrub-secrets.js';
import { clientStatusFor, type UpstreamErrorInput } from '../openai/map-openai-error.js';
import { cohereErrorSchema } from './cohere-api.js';

/** "too many tokens: total number of tokens in the prompt cannot exceed ...", "size limit exceeded by N tokens". */
const CONTEXT_OVERFLOW = /too many tokens|size limit exceeded|context length|context window|prompt is too long/i;
/** "too many tokens: max tokens must be less than or equal to 4096, the maximum output for this model": a bad parameter, not a long prompt. */
const MAX_TOKENS_PARAMETER = /max[_ ]tokens must be/i;
/** Caps that do not lift within minutes: a trial key's monthly calls, a spend limit. */
const LONG_LIMIT = /per month|\/ ?month|monthly|spend limit|billing|payment/i;
const CONTENT_FILTER = /toxic|safety (filter|mode)|unsafe content/i;

export function mapCohereError(input: UpstreamErrorInput): GatewayError {
  const parsed = readError(input.bodyText);
  const upstreamMessage = scrubSecrets(parsed ?? truncate(input.bodyText), input.secrets);
  const shape = shapeOf(input.status, upstreamMessage);
  const message = shape === 'auth_error' ? "The upstream rejected the gateway's credentials for this provider." : upstreamMessage || `The upstream answered ${input.status}.`;
  return new GatewayError(message, {
    status: clientStatusFor(shape, input.status),
    code: `upstream_${input.status}`,
    shape,
    retryAfterMs: parseRetryAfter(input.headers),
    upstreamStatus: input.status,
  });
}

/** An error reported inside a 200 stream (message-end's `error`, or an error event). */
export function mapCohereStreamError(detail: string, secrets: readonly string[]): GatewayError {
  const message = scrubSecrets(detail, secrets) || 'The upstream reported an error mid-stream.';
  const shape: FailureShape = CONTEXT_OVERFLOW.test(message) && !MAX_TOKENS_PARAMETER.test(message) ? 'context_overflow' : 'upstream_5xx';
  return new GatewayError(message, { status: clientStatusFor(shape, 502), code: 'stream_error', shape });
}

function shapeOf(status: number, message: string): FailureShape {
  if (status === 429) return LONG_LIMIT.test(message) ? 'quota_exhausted' : 'rate_limit_429';
  if (status === 402) return 'quota_exhausted';
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 408 || status === 504) return 'timeout';
  // 499: Cohere saw the request cancelled; as the gateway did not cancel it, treat it as the upstream's trouble.
  if (status === 499 || status >= 500) return 'upstream_5xx';
  if (status === 413 || (CONTEXT_OVERFLOW.test(message) && !MAX_TOKENS_PARAMETER.test(message))) return 'context_overflow';
  if (CONTENT_FILTER.test(message)) return 'guardrail_block';
  // A 404 names a model this deployment has but the upstream lacks: our config's fault, not the client's.
  if (status === 404) return 'unknown_upstream_error';
  if (status >= 400 && status < 500) return 'client_error';
  return 'unknown_upstream_error';
}

function readError(bodyText: string): string | undefined {
  try {
    const parsed = cohereErrorSchema.safeParse(JSON.parse(bodyText));
    return parsed.success ? (parsed.data.message ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
