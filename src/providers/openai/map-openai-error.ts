/**
 * An OpenAI-format error (status, body, headers; or an in-band stream error) mapped to a failure
 * shape. Also used by OpenAI-compatible servers, which copy OpenAI's codes more or less faithfully,
 * so the message is matched as well as the code.
 */
import type { UpstreamErrorAnswer } from '../http/upstream-client.js';
import { GatewayError, type FailureShape } from '../../errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubSecrets } from '../http/scrub-secrets.js';
import { UNTRANSLATABLE } from '../canonical/request-parts.js';
import { openaiErrorSchema, type OpenAIError } from './openai-api.js';

const CONTEXT_OVERFLOW = /context[_ ]length|maximum context|context window|too many tokens|prompt is too long|reduce the length/i;
const CONTENT_FILTER = /content[_ ]filter|content[_ ]policy|responsible ai|safety system/i;

/**
 * OpenAI's codes for a parameter, or a value of one, that this model does not take
 * (`reasoning_effort` on gpt-4o, `temperature` other than 1 on a reasoning model, `max_tokens`
 * where it wants `max_completion_tokens`). The request is well-formed and another model may take
 * it: a gap of the deployment, as an adapter's cannotTranslate is, so the chain passes it over for
 * the next one; with none left the client gets the 400 naming the parameter.
 */
const MODEL_GAPS = new Set(['unsupported_parameter', 'unsupported_value']);

export interface UpstreamErrorInput extends UpstreamErrorAnswer {
  /** Secrets this provider holds, scrubbed from any message passed on. */
  secrets: readonly string[];
}

export function mapOpenAIError(input: UpstreamErrorInput): GatewayError {
  const error = readError(input.bodyText);
  const code = error?.code == null ? undefined : String(error.code);
  const type = error?.type ?? undefined;
  const upstreamMessage = scrubSecrets(error?.message ?? truncate(input.bodyText), input.secrets);
  const shape = shapeOf(input.status, code, type, upstreamMessage);
  const retryAfterMs = parseRetryAfter(input.headers);
  const message = shape === 'auth_error' ? 'The upstream rejected the gateway\'s credentials for this provider.' : upstreamMessage || `The upstream answered ${input.status}.`;
  if (shape === 'client_error' && input.status === 400 && code !== undefined && MODEL_GAPS.has(code)) {
    return new GatewayError(message, { status: 400, code: UNTRANSLATABLE, param: error?.param ?? code, shape, upstreamStatus: input.status });
  }
  return new GatewayError(message, {
    status: clientStatusFor(shape, input.status),
    code: code ?? `upstream_${input.status}`,
    param: error?.param ?? null,
    shape,
    retryAfterMs,
    upstreamStatus: input.status,
  });
}

/** An error object that arrived inside a 200 stream (`data: {"error": {...}}`). */
export function mapOpenAIStreamError(payload: unknown, secrets: readonly string[]): GatewayError {
  const parsed = openaiErrorSchema.safeParse(payload);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = error?.code == null ? undefined : String(error.code);
  const message = scrubSecrets(error?.message ?? 'The upstream reported an error mid-stream.', secrets);
  const shape = inBandShape(code, error?.type ?? undefined, message);
  return new GatewayError(message, { status: clientStatusFor(shape, 502), code: code ?? 'stream_error', shape });
}

function shapeOf(status: number, code: string | undefined, type: string | undefined, message: string): FailureShape {
  if (status === 429) {
    return code === 'insufficient_quota' || type === 'insufficient_quota' ? 'quota_exhausted' : 'rate_limit_429';
  }
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 408) return 'timeout';
  if (status === 409 || status >= 500) return 'upstream_5xx';
  if (status === 413 || code === 'context_length_exceeded' || code === 'string_above_max_length' || CONTEXT_OVERFLOW.test(message)) {
    return 'context_overflow';
  }
  if (code === 'content_filter' || code === 'content_policy_violation' || CONTENT_FILTER.test(message)) return 'guardrail_block';
  // A 404 means the deployment names a model this upstream lacks: our config's fault, not the client's.
  if (status === 404) return 'unknown_upstream_error';
  if (status >= 400 && status < 500) return 'client_error';
  return 'unknown_upstream_error';
}

function inBandShape(code: string | undefined, type: string | undefined, message: string): FailureShape {
  if (code === 'rate_limit_exceeded' || type === 'rate_limit_error') return 'rate_limit_429';
  if (code === 'context_length_exceeded' || CONTEXT_OVERFLOW.test(message)) return 'context_overflow';
  if (code === 'content_filter' || CONTENT_FILTER.test(message)) return 'guardrail_block';
  if (type === 'server_error' || type === 'overloaded_error' || code === 'server_error') return 'upstream_5xx';
  return 'unknown_upstream_error';
}

/** The status a client sees when this shape is the last word of the chain. */
export function clientStatusFor(shape: FailureShape, upstreamStatus: number): number {
  switch (shape) {
    case 'client_error':
      return upstreamStatus >= 400 && upstreamStatus < 500 ? upstreamStatus : 400;
    case 'context_overflow':
    case 'guardrail_block':
      return 400;
    case 'rate_limit_429':
    case 'quota_exhausted':
      return 429;
    case 'timeout':
      return 504;
    default:
      return 502;
  }
}

function readError(bodyText: string): OpenAIError | undefined {
  try {
    const parsed = openaiErrorSchema.safeParse(JSON.parse(bodyText));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
