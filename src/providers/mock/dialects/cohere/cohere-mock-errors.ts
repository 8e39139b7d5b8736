/**
 * The mock's errors in Cohere's words: `{"id", "message"}` with a conventional status (401 for a
 * bad key, 402 for billing, 429 for a rate limit, 400 "too many tokens: ..." for a long prompt).
 * Cohere has no error codes, so the gateway's adapter reads these very messages.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../../types.js';
import type { MockError, MockErrorSet } from '../../mock-errors.js';

/** Calls per minute a mock 429 says the trial key allows. */
const TRIAL_CALLS_PER_MINUTE = 20;

const SERVER_MESSAGES: Record<number, string> = {
  500: 'internal server error, this has been reported to our developers',
  503: 'service unavailable, please try again later',
  504: 'the request timed out, please try again later',
};

export function cohereError(status: number, message: string, headers?: Record<string, string>): MockError {
  return { status, body: { id: randomUUID(), message }, headers };
}

export const cohereMockErrors: MockErrorSet = {
  server: (status, message) => cohereError(status, message ?? SERVER_MESSAGES[status] ?? (SERVER_MESSAGES[500] as string)),
  rateLimit: () =>
    cohereError(
      429,
      `You are using a Trial key, which is limited to ${TRIAL_CALLS_PER_MINUTE} API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions`,
    ),
  rateLimitHeaders: () => ({ 'x-trial-endpoint-call-limit': String(TRIAL_CALLS_PER_MINUTE), 'x-trial-endpoint-call-remaining': '0' }),
  quota: () => cohereError(402, 'Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue'),
  // Cohere does not echo the key back.
  invalidKey: () => cohereError(401, 'invalid api token'),
  missingKey: () => cohereError(401, 'no api key supplied'),
  contextOverflow: (maxTokens, requestedTokens) =>
    cohereError(
      400,
      `too many tokens: total number of tokens in the prompt cannot exceed ${maxTokens} - received ${requestedTokens}. Try using a shorter prompt, or enabling prompt truncating. See https://docs.cohere.com/reference/chat for more details.`,
    ),
  // Cohere stops a toxic chat reply with a finish reason (the chat handler renders that); this HTTP form,
  // for embeddings, is the mock's own wording.
  contentFilter: () => cohereError(400, 'invalid request: the input was flagged as toxic and could not be processed'),
  streamError: (message): JsonObject => ({ type: 'message-end', delta: { finish_reason: 'ERROR', error: message ?? SERVER_MESSAGES[500] } }),
};
