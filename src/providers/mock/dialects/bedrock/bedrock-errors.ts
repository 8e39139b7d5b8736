/**
 * How Bedrock Runtime words its errors: a `{"message"}` body, the type in `x-amzn-errortype`, a
 * request id in `x-amzn-requestid`. The gateway's Bedrock adapter reads the type, so each fault
 * answers with the exception Bedrock itself would send.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../../types.js';
import type { MockError, MockErrorSet } from '../../mock-errors.js';

/** Bedrock's default message when a guardrail blocks a prompt or an answer. */
export const GUARDRAIL_MESSAGE = 'Sorry, the model cannot answer this question.';

/** The payload of a stream's exception frame: its `:exception-type` and its JSON body. */
export interface BedrockStreamException extends JsonObject {
  exceptionType: string;
  body: JsonObject;
}

export function bedrockError(status: number, type: string, message: string): MockError {
  return {
    status,
    body: { message },
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': randomUUID() },
  };
}

const SERVER_ERRORS: Record<number, { type: string; message: string }> = {
  500: { type: 'InternalServerException', message: 'The system encountered an unexpected error during processing. Try your request again.' },
  503: { type: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' },
};

/** Other 5xx statuses the mock is asked for: the model behind Bedrock failed. */
const MODEL_ERROR = { type: 'ModelErrorException', message: 'The model returned an error while processing the request. Try your request again.' };

export const bedrockErrors: MockErrorSet = {
  server(status, message) {
    const known = SERVER_ERRORS[status] ?? MODEL_ERROR;
    return bedrockError(status, known.type, message ?? known.message);
  },
  rateLimit: () => bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'),
  // Bedrock's throttling answers carry no rate-limit headers of their own.
  rateLimitHeaders: () => ({}),
  quota: () => bedrockError(400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account. You can resubmit your request later.'),
  invalidKey: (presented) =>
    presented === undefined
      ? bedrockError(
          403,
          'InvalidSignatureException',
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        )
      : bedrockError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
  missingKey: () => bedrockError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  contextOverflow: () => bedrockError(400, 'ValidationException', 'Input is too long for requested model.'),
  /**
   * Bedrock has no HTTP error for a guardrail: it answers 200 with `stopReason: guardrail_intervened`.
   * The Bedrock routes turn a content_filter fault into that answer themselves; this body is the same
   * answer, for any caller that asks the error set for it.
   */
  contentFilter: () => ({
    status: 200,
    body: {
      output: { message: { role: 'assistant', content: [{ text: GUARDRAIL_MESSAGE }] } },
      stopReason: 'guardrail_intervened',
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      metrics: { latencyMs: 0 },
    },
  }),
  streamError: (message): BedrockStreamException => ({
    exceptionType: 'modelStreamErrorException',
    body: { message: message ?? 'Model Stream Error', originalStatusCode: 500, originalMessage: 'The model stream failed.' },
  }),
};
