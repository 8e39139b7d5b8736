/**
 * Azure OpenAI: OpenAI's wire format at Azure's paths (`/openai/deployments/{deployment}/...` with
 * `api-version`, or `/openai/v1/...`), the key in `api-key`, Azure's content-filter annotations and
 * errors. Shapes follow Azure OpenAI's REST reference.
 */
import { azureProvider, DEFAULT_AZURE_API_VERSION } from '../../../src/providers/azure/index.js';
import type { ConformanceFixture, ConformanceTarget } from '../fixture.js';

/** Made up, shaped like an Azure resource key (32 hex characters). */
const KEY = '0123456789abcdef0123456789abcdef';
const ENTRA_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.conformance.signature';
const DEPLOYMENT = 'my-gpt-4o';
const EMBED_DEPLOYMENT = 'my-text-embedding-3-small';
const CHAT_PATH = `/openai/deployments/${DEPLOYMENT}/chat/completions`;

const hi = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] };

const SAFE = { filtered: false, severity: 'safe' };
const SAFE_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER = [{ prompt_index: 0, content_filter_results: SAFE_RESULTS }];

function completion(message: object, finishReason: string, usage: object = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 }) {
  return {
    id: 'chatcmpl-AzUr3eq5vXb8Qm1nX0example',
    object: 'chat.completion',
    created: 1_764_000_000,
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_b705f0c291',
    prompt_filter_results: PROMPT_FILTER,
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: finishReason, content_filter_results: SAFE_RESULTS }],
    usage,
  };
}

/** Azure's first stream chunk: no choices, only the prompt's filter results, with empty id, model and object. */
const promptFilterChunk = { data: { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER } };

const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  data: {
    id: 'chatcmpl-AzStr3am',
    object: 'chat.completion.chunk',
    created: 1_764_000_000,
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_b705f0c291',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, content_filter_results: delta && 'content' in delta ? SAFE_RESULTS : {} }],
    ...extra,
  },
});

function azureError(status: number, code: string, message: string, headers?: Record<string, string>) {
  return { status, headers, body: { error: { code, message } } };
}

const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } };

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const HISTORY = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: [{ type: 'text', text: 'Compare these.' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_abc', content: '18°C' },
];

const keyHeaders = { 'api-key': KEY, 'content-type': 'application/json' };

export const azureFixtures: ConformanceFixture[] = [
  {
    name: 'chat: the deployment goes in the path with api-version, the key in api-key (never authorization); the body passes through',
    covers: ['chat-basic', 'sampling-parameters', 'usage-cached-tokens'],
    call: 'chat',
    model: DEPLOYMENT,
    request: { ...hi, temperature: 0.2, top_p: 0.9, max_tokens: 64 },
    expectRequest: {
      method: 'POST',
      path: CHAT_PATH,
      query: { 'api-version': DEFAULT_AZURE_API_VERSION },
      headers: keyHeaders,
      absentHeaders: ['authorization'],
      body: { messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, top_p: 0.9, max_tokens: 64 },
    },
    response: {
      status: 200,
      headers: { 'apim-request-id': 'f3d2c1b0-0000-4000-8000-000000000001', 'x-ms-region': 'Sweden Central' },
      body: completion({ content: 'Hello there.' }, 'stop', { prompt_tokens: 1_200, completion_tokens: 3, total_tokens: 1_203, prompt_tokens_details: { cached_tokens: 1_024 } }),
    },
    expect: {
      type: 'result',
      completion: { choices: [{ message: { content: 'Hello there.' } }], prompt_filter_results: PROMPT_FILTER },
      id: 'chatcmpl-AzUr3eq5vXb8Qm1nX0example',
      responseModel: 'gpt-4o-2024-08-06',
      finishReasons: [{ unified: 'stop', raw: 'stop' }],
      usage: { inputTokens: 1_200, outputTokens: 3, cachedInputTokens: 1_024 },
    },
  },
  {
    name: 'chat: system, multi-turn, tool results, image URLs and json mode pass through untouched',
    covers: ['system-and-multi-turn', 'tool-results', 'image-url', 'image-base64', 'json-mode', 'tool-definitions'],
    call: 'chat',
    model: DEPLOYMENT,
    request: { model: 'chat', messages: HISTORY, tools: [weatherTool], response_format: { type: 'json_object' } },
    expectRequest: { method: 'POST', path: CHAT_PATH, body: { messages: HISTORY, tools: [weatherTool], response_format: { type: 'json_object' } } },
    response: { status: 200, body: completion({ content: '{"warmer":"Paris"}' }, 'stop') },
    expect: { type: 'result', completion: { choices: [{ message: { content: '{"warmer":"Paris"}' } }] } },
  },
  {
    name: 'chat: finish_reason length is kept',
    covers: ['finish-length'],
    call: 'chat',
    model: DEPLOYMENT,
    request: { ...hi, max_tokens: 3 },
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: { status: 200, body: completion({ content: 'Once upon a' }, 'length') },
    expect: { type: 'result', finishReasons: [{ unified: 'length', raw: 'length' }] },
  },
  {
    name: 'chat: an answer stopped by the output filter is a content_filter finish',
    covers: ['error-guardrail'],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: { status: 200, body: completion({ content: null }, 'content_filter') },
    expect: { type: 'result', finishReasons: [{ unified: 'content_filter', raw: 'content_filter' }] },
  },
  {
    name: 'error: a prompt rejected by the content filter (400, code content_filter) is guardrail_block',
    covers: ['error-guardrail'],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: {
      status: 400,
      body: {
        error: {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { ...SAFE_RESULTS, violence: { filtered: true, severity: 'high' } } },
        },
      },
    },
    expect: { type: 'error', shape: 'guardrail_block', status: 400 },
  },
  {
    name: "stream: Azure's choice-less prompt-filter chunk is left out; text and usage come through",
    covers: ['stream-text'],
    call: 'chatStream',
    model: DEPLOYMENT,
    request: { ...hi, stream_options: { include_usage: true } },
    expectRequest: { method: 'POST', path: CHAT_PATH, query: { 'api-version': DEFAULT_AZURE_API_VERSION }, body: { stream: true, stream_options: { include_usage: true } } },
    response: {
      status: 200,
      sse: [
        promptFilterChunk,
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Hello' }),
        chunk({ content: ' there.' }),
        chunk({}, 'stop'),
        { data: { ...chunk({}).data, choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } } },
        { data: '[DONE]' },
      ],
    },
    expect: { type: 'stream', text: 'Hello there.', finishReason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 0 } },
  },
  {
    name: 'stream: tool-call deltas reassemble',
    covers: ['stream-tool-calls'],
    call: 'chatStream',
    model: DEPLOYMENT,
    request: { model: 'chat', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] },
    expectRequest: { method: 'POST', path: CHAT_PATH, body: { tools: [weatherTool] } },
    response: {
      status: 200,
      sse: [
        promptFilterChunk,
        chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
        chunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
    },
    expect: { type: 'stream', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"location":"Oslo"}' }], finishReason: { unified: 'tool_calls', raw: 'tool_calls' } },
  },
  {
    name: 'stream: an in-band error after content is a failure with a shape',
    covers: ['stream-in-band-error'],
    call: 'chatStream',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: {
      status: 200,
      sse: [promptFilterChunk, chunk({ role: 'assistant', content: 'Hel' }), { data: { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null } } }],
    },
    expect: { type: 'stream', text: 'Hel', error: { shape: 'upstream_5xx' } },
  },
  {
    name: 'error: a 429 with retry-after-ms and retry-after is rate_limit_429, waiting what retry-after-ms says',
    covers: ['error-rate-limit'],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: azureError(
      429,
      '429',
      'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 2 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
      { 'retry-after-ms': '1500', 'retry-after': '2', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' },
    ),
    expect: { type: 'error', shape: 'rate_limit_429', status: 429, retryAfterMs: 1_500 },
  },
  {
    name: 'error: a 403 "out of call volume quota" is quota_exhausted, not auth_error',
    covers: [],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: azureError(403, '403', 'Out of call volume quota for OpenAI API. Quota will be replenished in 2.12:00:00.'),
    expect: { type: 'error', shape: 'quota_exhausted', status: 429, message: 'Out of call volume quota' },
  },
  {
    name: 'error: a 500 is upstream_5xx',
    covers: ['error-server'],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: { status: 500, body: { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } } },
    expect: { type: 'error', shape: 'upstream_5xx', status: 502 },
  },
  {
    name: 'error: context_length_exceeded is context_overflow',
    covers: ['error-context-overflow'],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: {
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130532 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      },
    },
    expect: { type: 'error', shape: 'context_overflow', status: 400 },
  },
  {
    name: 'error: a 401 is auth_error, and the key is not repeated',
    covers: ['error-auth'],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: azureError(
      401,
      '401',
      `Access denied due to invalid subscription key or wrong API endpoint (key ${KEY}). Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.`,
    ),
    expect: { type: 'error', shape: 'auth_error', message: new RegExp(`^(?![\\s\\S]*${KEY})`) },
  },
  {
    name: "error: a 404 DeploymentNotFound is the config's fault (unknown_upstream_error), not the client's",
    covers: [],
    call: 'chat',
    model: DEPLOYMENT,
    request: hi,
    expectRequest: { method: 'POST', path: CHAT_PATH },
    response: azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.'),
    expect: { type: 'error', shape: 'unknown_upstream_error' },
  },
  {
    name: 'embeddings: the embedding deployment in the path, the answer passed through',
    covers: ['embeddings'],
    call: 'embeddings',
    model: EMBED_DEPLOYMENT,
    request: { model: 'embed', input: ['a', 'b'] },
    expectRequest: {
      method: 'POST',
      path: `/openai/deployments/${EMBED_DEPLOYMENT}/embeddings`,
      query: { 'api-version': DEFAULT_AZURE_API_VERSION },
      headers: { 'api-key': KEY },
      body: { input: ['a', 'b'] },
    },
    response: {
      status: 200,
      body: {
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: [0.1] },
          { object: 'embedding', index: 1, embedding: [0.2] },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      },
    },
    expect: { type: 'embeddings', embeddings: { data: [{ index: 0 }, { index: 1 }] }, usage: { inputTokens: 2, outputTokens: 0, cachedInputTokens: 0 } },
  },
];

export const azureTarget: ConformanceTarget = {
  provider: 'azure',
  create: (origin) =>
    azureProvider.create(azureProvider.options.parse({ type: 'azure', base_url: origin, api_key: KEY, connect_timeout_ms: 1_000, max_connections: 4 }), { name: 'azure' }),
  fixtures: azureFixtures,
};

/** The v1 URL form with an Entra ID token: the same fixtures at `/openai/v1/...`, the deployment in the body, a bearer token. */
function atV1(fixture: ConformanceFixture): ConformanceFixture {
  const { 'api-key': _key, ...headers } = fixture.expectRequest.headers ?? {};
  const path = fixture.expectRequest.path.replace(/^\/openai\/deployments\/[^/]+\//, '/openai/v1/');
  const { body } = fixture.expectRequest;
  return {
    ...fixture,
    name: `${fixture.name} (v1 form, Entra ID token)`,
    expectRequest: {
      ...fixture.expectRequest,
      path,
      query: undefined,
      headers: { ...headers, authorization: `Bearer ${ENTRA_TOKEN}` },
      absentHeaders: ['api-key'],
      body: typeof body === 'function' ? body : { ...body, model: fixture.model },
    },
  };
}

export const azureV1Target: ConformanceTarget = {
  provider: 'azure (v1 form)',
  create: (origin) =>
    azureProvider.create(azureProvider.options.parse({ type: 'azure', base_url: origin, entra_token: ENTRA_TOKEN, url_form: 'v1', connect_timeout_ms: 1_000, max_connections: 4 }), {
      name: 'azure-v1',
    }),
  fixtures: azureFixtures.map(atV1),
};
