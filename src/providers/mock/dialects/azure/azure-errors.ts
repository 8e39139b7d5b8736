/**
 * How Azure OpenAI words its errors. Model-level errors are OpenAI's own (Azure passes them
 * through: context length, content filtering, a 500), while the resource in front of the model
 * answers in Azure's words: a string `code`, a 401 for a bad key, a 429 with `retry-after-ms`,
 * a 403 when the resource is out of call volume.
 */
import type { MockError, MockErrorSet } from '../../mock-errors.js';
import { mockErrors } from '../../mock-errors.js';

/** The api-version Azure's messages name. */
const MESSAGE_API_VERSION = '2024-10-21';

function azureError(status: number, code: string, message: string, headers?: Record<string, string>): MockError {
  return { status, body: { error: { code, message } }, headers };
}

export const azureErrors: MockErrorSet = {
  server: (status, message) =>
    status === 500 ? mockErrors.server(status, message) : azureError(status, String(status), message ?? 'The service is temporarily unable to process your request. Please try again later.'),
  rateLimit: (_model, retryAfterS) =>
    azureError(
      429,
      '429',
      `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${MESSAGE_API_VERSION} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${Math.max(1, Math.ceil(retryAfterS))} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
      // Azure sends both; the fault's own retry-after (seconds or a date) is added by the fault planner.
      { 'retry-after-ms': String(Math.round(retryAfterS * 1000)) },
    ),
  rateLimitHeaders: () => ({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' }),
  quota: () => azureError(403, '403', 'Out of call volume quota for OpenAI API. Quota will be replenished in 2.12:00:00.'),
  invalidKey: () =>
    azureError(
      401,
      '401',
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    ),
  missingKey: () => azureError(401, '401', 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.'),
  contextOverflow: (maxTokens, requestedTokens, param) => mockErrors.contextOverflow(maxTokens, requestedTokens, param),
  // The shared set already words content filtering as Azure does (code `content_filter`, innererror).
  contentFilter: () => mockErrors.contentFilter(),
  streamError: (message) => mockErrors.streamError(message),
};

/** Azure's answer to a path it does not serve or an api-version it does not know. */
export function resourceNotFound(): MockError {
  return azureError(404, '404', 'Resource not found');
}
