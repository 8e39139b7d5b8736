/**
 * The mock's errors in Google's words: `{"error": {"code", "message", "status", "details"}}` (the JSON
 * form of google.rpc.Status), with the details Gemini really attaches: a 429's QuotaFailure and
 * RetryInfo (`retryDelay`, the wait Google asks for; it sends no retry-after header of its own), a
 * bad key's ErrorInfo `API_KEY_INVALID`.
 */
import type { JsonObject } from '../../../types.js';
import type { MockError, MockErrorSet } from '../../mock-errors.js';

const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const HELP = 'type.googleapis.com/google.rpc.Help';
const LOCALIZED_MESSAGE = 'type.googleapis.com/google.rpc.LocalizedMessage';

const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
const HELP_LINKS = { '@type': HELP, links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] };

/** The canonical code and Google's usual wording for each status an `error` fault may answer. */
const SERVER_ERRORS: Record<number, { status: string; message: string }> = {
  500: { status: 'INTERNAL', message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' },
  501: { status: 'UNIMPLEMENTED', message: 'Operation is not implemented, or supported, or enabled.' },
  502: { status: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

export function googleError(code: number, status: string, message: string, details?: JsonObject[]): MockError {
  const error: JsonObject = { code, message, status };
  if (details !== undefined) error.details = details;
  return { status: code, body: { error } };
}

/** A 400 for a request Gemini would not read. */
export function invalidArgument(message: string): MockError {
  return googleError(400, 'INVALID_ARGUMENT', message);
}

export const geminiMockErrors: MockErrorSet = {
  server(status, message) {
    const known = SERVER_ERRORS[status] ?? { status: 'INTERNAL', message: 'Internal error encountered.' };
    return googleError(status, known.status, message ?? known.message);
  },
  rateLimit: (model, retryAfterS) =>
    googleError(429, 'RESOURCE_EXHAUSTED', QUOTA_MESSAGE, [
      {
        '@type': QUOTA_FAILURE,
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model },
            quotaValue: '10',
          },
        ],
      },
      HELP_LINKS,
      { '@type': RETRY_INFO, retryDelay: duration(retryAfterS) },
    ]),
  rateLimitHeaders: () => ({}),
  // Out of quota for the day: the same words, but only a per-day limit is named (and no retry delay worth waiting for).
  quota: () =>
    googleError(429, 'RESOURCE_EXHAUSTED', QUOTA_MESSAGE, [
      {
        '@type': QUOTA_FAILURE,
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global' },
            quotaValue: '250',
          },
        ],
      },
      HELP_LINKS,
    ]),
  // Google does not echo the key back.
  invalidKey: () =>
    googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': ERROR_INFO, reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      { '@type': LOCALIZED_MESSAGE, locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
    ]),
  missingKey: () =>
    googleError(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    ),
  contextOverflow: (maxTokens, requestedTokens) =>
    invalidArgument(`The input token count (${requestedTokens}) exceeds the maximum number of tokens allowed (${maxTokens}).`),
  // Gemini turns a chat prompt away with a 200 and promptFeedback.blockReason (the chat handler renders that);
  // this HTTP form is what the mock answers where there is no such field (embeddings). The wording is the mock's own.
  contentFilter: () => invalidArgument("The request was blocked because the input violates Google's Generative AI Prohibited Use Policy."),
  streamError: (message): JsonObject => ({ error: { code: 500, message: message ?? (SERVER_ERRORS[500] as { message: string }).message, status: 'INTERNAL' } }),
};

/** Seconds as a google.protobuf.Duration in JSON ("12s", "0.250s"). */
function duration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(3)}s`;
}
