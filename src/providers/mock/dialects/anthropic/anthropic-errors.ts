/**
 * The mock's errors in Anthropic's words: `{"type":"error","error":{"type":...,"message":...},"request_id":...}`
 * with Anthropic's statuses (529 for overload, a 400 for a prompt over the context window or a
 * spent credit balance), so the gateway's Anthropic adapter is tested against the real wording.
 */
import type { JsonObject } from '../../../types.js';
import type { MockError, MockErrorSet } from '../../mock-errors.js';
import { randomId } from '../../random-id.js';

/** Requests per minute a mock 429 claims the organization is allowed. */
const MOCK_REQUESTS_PER_MINUTE = 50;

/** Anthropic's error type for each status an `error` fault may answer. */
const SERVER_ERRORS: Record<number, { type: string; message: string }> = {
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

export function anthropicError(status: number, type: string, message: string, headers?: Record<string, string>): MockError {
  const requestId = randomId('req_011C', 20);
  return { status, body: { type: 'error', error: { type, message }, request_id: requestId }, headers: { 'request-id': requestId, ...headers } };
}

/** A 400 for a request the mock cannot read, worded as Anthropic words validation errors (`field: problem`). */
export function invalidRequestError(message: string): MockError {
  return anthropicError(400, 'invalid_request_error', message);
}

export const anthropicMockErrors: MockErrorSet = {
  server(status, message) {
    const known = SERVER_ERRORS[status];
    return anthropicError(status, known?.type ?? 'api_error', message ?? known?.message ?? 'Internal server error');
  },
  rateLimit: (model, retryAfterS) =>
    anthropicError(
      429,
      'rate_limit_error',
      `This request would exceed the rate limit for your organization of ${MOCK_REQUESTS_PER_MINUTE} requests per minute for ${model}. Please try again in ${retryAfterS} seconds; the response headers show your current usage.`,
    ),
  rateLimitHeaders: () => {
    const reset = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000).toISOString().replace('.000Z', 'Z');
    return {
      'anthropic-ratelimit-requests-limit': String(MOCK_REQUESTS_PER_MINUTE),
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-tokens-limit': '40000',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': reset,
    };
  },
  quota: () =>
    anthropicError(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'),
  // Anthropic's 401 does not echo the key back.
  invalidKey: () => anthropicError(401, 'authentication_error', 'invalid x-api-key'),
  missingKey: () => anthropicError(401, 'authentication_error', 'x-api-key header is required'),
  contextOverflow: (maxTokens, requestedTokens) => anthropicError(400, 'invalid_request_error', `prompt is too long: ${requestedTokens} tokens > ${maxTokens} maximum`),
  contentFilter: () => anthropicError(400, 'invalid_request_error', 'Output blocked by content filtering policy'),
  streamError: (message): JsonObject => ({ type: 'error', error: { type: 'overloaded_error', message: message ?? 'Overloaded' } }),
};
