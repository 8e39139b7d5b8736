/**
 * The error bodies the mock sends, worded as OpenAI (and, for content filtering, Azure OpenAI) word
 * them, because the gateway's classifier matches messages as well as codes.
 */
import type { JsonObject } from '../types.js';

export interface MockError {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

/**
 * The errors a fault answers with, worded in one provider's dialect. OpenAI's set is below; each
 * other wire format the mock speaks (mock/dialects/) has its own with the same signatures.
 */
export interface MockErrorSet {
  server(status: number, message?: string): MockError;
  rateLimit(model: string, retryAfterS: number): MockError;
  /** Headers a real 429 of this provider carries besides retry-after. */
  rateLimitHeaders(): Record<string, string>;
  quota(): MockError;
  /** A wrong key (the `auth` fault, or a key that does not match the mock's own). */
  invalidKey(presented: string | undefined): MockError;
  missingKey(): MockError;
  contextOverflow(maxTokens: number, requestedTokens: number, param: string): MockError;
  /** A prompt rejected by the provider's safety system, as an HTTP error. */
  contentFilter(): MockError;
  /** The in-band error of a stream that fails after it started (the payload of its error event). */
  streamError(message: string | undefined): JsonObject;
}

function openaiError(status: number, message: string, type: string | null, code: string | null, param: string | null = null): MockError {
  return { status, body: { error: { message, type, param, code } } };
}

const SERVER_MESSAGES: Record<number, string> = {
  500: 'The server had an error while processing your request. Sorry about that!',
  502: 'Bad gateway.',
  503: 'The server is overloaded or not ready yet.',
  504: 'Gateway timeout.',
  529: 'Overloaded.',
};

/** Shown in a 401 when the caller's key does not look like an OpenAI key, so scrubbing is still exercised. */
const PLACEHOLDER_MASKED_KEY = 'sk-ab***yz';
const MIN_MASKABLE_KEY_LENGTH = 12;

export const mockErrors = {
  invalidJson: () =>
    openaiError(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      'invalid_request_error',
      null,
    ),
  bodyTooLarge: (limit: number) => openaiError(413, `The request body exceeds the mock's limit of ${limit} bytes.`, 'invalid_request_error', null),
  missingModel: () => openaiError(400, 'you must provide a model parameter', 'invalid_request_error', null),
  missingParameter: (param: string) =>
    openaiError(400, `Missing required parameter: '${param}'.`, 'invalid_request_error', 'missing_required_parameter', param),
  invalidValue: (param: string, detail: string) =>
    openaiError(400, `Invalid value for '${param}': ${detail}.`, 'invalid_request_error', 'invalid_value', param),
  notFound: (method: string, path: string) => openaiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null),
  missingKey: () =>
    openaiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
    ),
  /** OpenAI echoes a masked key back; the gateway must scrub it before a client sees it. */
  invalidKey: (presented: string | undefined) =>
    openaiError(
      401,
      `Incorrect API key provided: ${maskKey(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    ),
  server: (status: number, message?: string) =>
    openaiError(status, message ?? SERVER_MESSAGES[status] ?? SERVER_MESSAGES[500] ?? 'Server error.', 'server_error', null),
  rateLimit: (model: string, retryAfterS: number) =>
    openaiError(
      429,
      `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfterS}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      'rate_limit_error',
      'rate_limit_exceeded',
      'requests',
    ),
  quota: () =>
    openaiError(
      429,
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      'insufficient_quota',
      'insufficient_quota',
    ),
  contextOverflow: (maxTokens: number, requestedTokens: number, param: string) =>
    openaiError(
      400,
      `This model's maximum context length is ${maxTokens} tokens. However, your messages resulted in ${requestedTokens} tokens. Please reduce the length of the messages.`,
      'invalid_request_error',
      'context_length_exceeded',
      param,
    ),
  /** Azure OpenAI's prompt-filter rejection (its `type` is null; the code and message carry the meaning). */
  contentFilter: (): MockError => {
    const base = openaiError(
      400,
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
      null,
      'content_filter',
      'prompt',
    );
    const error = base.body.error as JsonObject;
    error.status = 400;
    error.innererror = {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: {
        hate: { filtered: false, severity: 'safe' },
        self_harm: { filtered: false, severity: 'safe' },
        sexual: { filtered: false, severity: 'safe' },
        violence: { filtered: true, severity: 'high' },
      },
    };
    return base;
  },
  internal: () => openaiError(500, 'The mock server hit an internal error.', 'server_error', null),
  /** The in-band error event of a stream that fails after it started. */
  streamError: (message: string | undefined): JsonObject => ({ error: { message: message ?? SERVER_MESSAGES[500], type: 'server_error', code: null } }),
  /** OpenAI's rate-limit headers, so dashboards and the gateway's parsers see a realistic 429. */
  rateLimitHeaders: () => ({
    'x-ratelimit-limit-requests': '3',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '20s',
  }),
} satisfies MockErrorSet & Record<string, (...args: never[]) => unknown>;

/** Masks a key the way OpenAI's 401 does: first five and last two characters kept. */
function maskKey(key: string | undefined): string {
  if (key === undefined || !key.startsWith('sk-') || key.length < MIN_MASKABLE_KEY_LENGTH) return PLACEHOLDER_MASKED_KEY;
  return `${key.slice(0, 5)}${'*'.repeat(key.length - 7)}${key.slice(-2)}`;
}
