/**
 * Cohere's v2 API: the canonical request translated to `/v2/chat` (and `/v2/embed`), the chat
 * response (or its named SSE events) translated back. Wire shapes follow Cohere's API reference
 * (chat, chat streaming events, embed, errors).
 */
import { createCohereProvider } from '../../../src/providers/cohere/cohere-provider.js';
import type { ConformanceFixture, ConformanceTarget } from '../fixture.js';

const KEY = 'co-conformance-0123456789abcdefghijklmnopqrstuv';
const MODEL = 'command-a-03-2025';
const PATH = '/v2/chat';
const ID = 'c14c80c3-18eb-4519-9460-6c92edd8cfb4';

const hi = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] };

function answer(content: object[], finishReason = 'COMPLETE', usage: object = { billed_units: { input_tokens: 1, output_tokens: 9 }, tokens: { input_tokens: 496, output_tokens: 11 } }) {
  return { id: ID, message: { role: 'assistant', content }, finish_reason: finishReason, usage };
}

const text = (value: string) => ({ type: 'text', text: value });
const cohereError = (message: string) => ({ id: 'b0c3a6a3-5e3f-4c3e-9d8b-2f2c0c3b8e51', message });

function event(type: string, payload: object = {}) {
  return { event: type, data: { type, ...payload } };
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Gets the weather of a given location',
    parameters: { type: 'object', properties: { location: { type: 'string', description: 'The location to get weather.' } }, required: ['location'] },
  },
};
const timeTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } };

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const IMAGE_URL = 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg';

function chat(fixture: Omit<ConformanceFixture, 'call' | 'model' | 'expectRequest'> & { expectBody?: ConformanceFixture['expectRequest']['body'] }): ConformanceFixture {
  const { expectBody, ...rest } = fixture;
  return { call: 'chat', model: MODEL, expectRequest: { method: 'POST', path: PATH, body: expectBody }, ...rest };
}

function failing(name: string, covers: ConformanceFixture['covers'], response: ConformanceFixture['response'], expect: ConformanceFixture['expect']): ConformanceFixture {
  return chat({ name, covers, request: hi, response, expect });
}

function stream(fixture: Omit<ConformanceFixture, 'call' | 'model' | 'expectRequest'>): ConformanceFixture {
  return { call: 'chatStream', model: MODEL, expectRequest: { method: 'POST', path: PATH, headers: { accept: 'text/event-stream' }, body: { stream: true } }, ...fixture };
}

const messageStart = event('message-start', { id: ID, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } });

export const cohereTarget: ConformanceTarget = {
  provider: 'cohere',
  create: (origin) => createCohereProvider({ name: 'cohere', type: 'cohere', baseUrl: `${origin}/v2`, apiKey: KEY, headers: {}, transport: { connectTimeoutMs: 1_000, maxConnections: 4, proxy: 'none' } }),
  fixtures: [
    {
      name: 'chat: the key is a bearer token, the deployment model goes in the body; usage from tokens',
      covers: ['chat-basic'],
      call: 'chat',
      model: MODEL,
      request: hi,
      expectRequest: {
        method: 'POST',
        path: PATH,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: undefined },
      },
      response: { status: 200, body: answer([text('Hello! How can I help you today?')]) },
      expect: {
        type: 'result',
        completion: { id: ID, model: MODEL, choices: [{ message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }] },
        id: ID,
        responseModel: MODEL,
        finishReasons: [{ unified: 'stop', raw: 'COMPLETE' }],
        usage: { inputTokens: 496, outputTokens: 11, cachedInputTokens: 0 },
      },
    },
    chat({
      name: 'chat: system, developer, user and assistant turns keep their roles; text parts become a string',
      covers: ['system-and-multi-turn'],
      request: {
        model: 'chat',
        messages: [
          { role: 'system', content: 'You are a terse assistant.' },
          { role: 'developer', content: 'Answer in English.' },
          { role: 'user', content: 'My name is Ada.' },
          { role: 'assistant', content: 'Hello Ada.' },
          { role: 'user', content: [{ type: 'text', text: 'What is my name?' }] },
        ],
      },
      expectBody: {
        messages: [
          { role: 'system', content: 'You are a terse assistant.' },
          { role: 'system', content: 'Answer in English.' },
          { role: 'user', content: 'My name is Ada.' },
          { role: 'assistant', content: 'Hello Ada.' },
          { role: 'user', content: 'What is my name?' },
        ],
      },
      response: { status: 200, body: answer([text('Ada.')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'Ada.' } }] } },
    }),
    chat({
      name: 'chat: sampling parameters in Cohere\'s names (p, stop_sequences, max_tokens)',
      covers: ['sampling-parameters'],
      request: { ...hi, temperature: 0.3, top_p: 0.75, max_completion_tokens: 300, stop: 'END', seed: 42, presence_penalty: 0.1, frequency_penalty: 0.2 },
      expectBody: { temperature: 0.3, p: 0.75, max_tokens: 300, stop_sequences: ['END'], seed: 42, presence_penalty: 0.1, frequency_penalty: 0.2, top_p: undefined, stop: undefined },
      response: { status: 200, body: answer([text('Hello!')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'Hello!' } }] } },
    }),
    chat({
      name: 'tools: function tools pass as they are, "required" is REQUIRED; the tool plan is not content',
      covers: ['tool-definitions'],
      request: { ...hi, messages: [{ role: 'user', content: "What's the weather in Toronto?" }], tools: [weatherTool], tool_choice: 'required' },
      expectBody: { tools: [weatherTool], tool_choice: 'REQUIRED' },
      response: {
        status: 200,
        body: {
          id: ID,
          message: {
            role: 'assistant',
            tool_plan: 'I will search for the weather in Toronto.',
            tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }],
          },
          finish_reason: 'TOOL_CALL',
          usage: { billed_units: { input_tokens: 37, output_tokens: 28 }, tokens: { input_tokens: 913, output_tokens: 81 } },
        },
      },
      expect: {
        type: 'result',
        completion: { choices: [{ message: { content: null, tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }] }, finish_reason: 'tool_calls' }] },
        finishReasons: [{ unified: 'tool_calls', raw: 'TOOL_CALL' }],
      },
    }),
    chat({
      name: 'tools: a named tool_choice offers only that tool and requires a call (Cohere cannot name one)',
      covers: ['tool-definitions'],
      request: { ...hi, tools: [weatherTool, timeTool], tool_choice: { type: 'function', function: { name: 'get_time' } } },
      expectBody: { tools: [timeTool], tool_choice: 'REQUIRED' },
      response: { status: 200, body: { id: ID, message: { role: 'assistant', tool_calls: [{ id: 'get_time_8pd0mfsx7sjt', type: 'function', function: { name: 'get_time', arguments: '{"tz":"UTC"}' } }] }, finish_reason: 'TOOL_CALL' } },
      expect: { type: 'result', completion: { choices: [{ message: { tool_calls: [{ id: 'get_time_8pd0mfsx7sjt', function: { name: 'get_time' } }] } }] } },
    }),
    chat({
      name: 'tool results: the assistant\'s text with calls becomes tool_plan, results go as tool messages with tool_call_id',
      covers: ['tool-results'],
      request: {
        model: 'chat',
        messages: [
          { role: 'user', content: "What's the weather in Toronto?" },
          { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }] },
          { role: 'tool', tool_call_id: 'get_weather_1byjy32y4hvq', content: '{"temperature": {"toronto": "20C"}}' },
        ],
        tools: [weatherTool],
      },
      expectBody: {
        messages: [
          { role: 'user', content: "What's the weather in Toronto?" },
          { role: 'assistant', tool_plan: 'Let me check.', tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }], content: undefined },
          { role: 'tool', tool_call_id: 'get_weather_1byjy32y4hvq', content: '{"temperature": {"toronto": "20C"}}' },
        ],
      },
      response: { status: 200, body: answer([text('It is 20°C in Toronto.')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'It is 20°C in Toronto.' } }] } },
    }),
    chat({
      name: 'images: an https URL goes as an image_url content part',
      covers: ['image-url'],
      request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: IMAGE_URL } }] }] },
      expectBody: { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: IMAGE_URL } }] }] },
      response: { status: 200, body: answer([text('An ant.')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'An ant.' } }] } },
    }),
    chat({
      name: 'images: a base64 data URL goes as an image_url content part',
      covers: ['image-base64'],
      request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] }] },
      expectBody: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] }] },
      response: { status: 200, body: answer([text('A red pixel.')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'A red pixel.' } }] } },
    }),
    chat({
      name: 'json mode: json_schema becomes json_object with its json_schema',
      covers: ['json-mode'],
      request: { ...hi, response_format: { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } } },
      expectBody: { response_format: { type: 'json_object', json_schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } },
      response: { status: 200, body: answer([text('{"name": "Ada"}')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: '{"name": "Ada"}' } }] } },
    }),
    chat({
      name: 'json mode: json_object passes as json_object',
      covers: ['json-mode'],
      request: { ...hi, response_format: { type: 'json_object' } },
      expectBody: { response_format: { type: 'json_object' } },
      response: { status: 200, body: answer([text('{}')]) },
      expect: { type: 'result', completion: { choices: [{ message: { content: '{}' } }] } },
    }),
    stream({
      name: 'stream: content-delta events (a recorded file) join to the text; message-end gives finish and usage',
      covers: ['stream-text'],
      request: { ...hi, stream_options: { include_usage: true } },
      response: { status: 200, headers: { 'content-type': 'text/event-stream' }, file: 'cohere/stream-text.sse.txt' },
      expect: { type: 'stream', text: 'Bonjour! Comment puis-je vous aider?', finishReason: { unified: 'stop', raw: 'COMPLETE' }, usage: { inputTokens: 69, outputTokens: 11, cachedInputTokens: 0 } },
    }),
    stream({
      name: 'stream: tool-call-start and tool-call-delta events reassemble into one call; the tool plan stays out',
      covers: ['stream-tool-calls'],
      request: { ...hi, tools: [weatherTool] },
      response: {
        status: 200,
        sse: [
          messageStart,
          event('tool-plan-delta', { delta: { message: { tool_plan: 'I will look up' } } }),
          event('tool-plan-delta', { delta: { message: { tool_plan: ' the weather.' } } }),
          event('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: 'get_weather_nsz5zm3w56q3', type: 'function', function: { name: 'get_weather', arguments: '' } } } } }),
          event('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: '{\n    "' } } } } }),
          event('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: 'location": "Toronto"' } } } } }),
          event('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: '\n}' } } } } }),
          event('tool-call-end', { index: 0 }),
          event('message-end', { delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 37, output_tokens: 28 }, tokens: { input_tokens: 913, output_tokens: 81 } } } }),
          { data: '[DONE]' },
        ],
      },
      expect: {
        type: 'stream',
        text: '',
        toolCalls: [{ id: 'get_weather_nsz5zm3w56q3', name: 'get_weather', arguments: '{\n    "location": "Toronto"\n}' }],
        finishReason: { unified: 'tool_calls', raw: 'TOOL_CALL' },
        usage: { inputTokens: 913, outputTokens: 81, cachedInputTokens: 0 },
      },
    }),
    chat({
      name: 'usage: cached_tokens is cached input (counted inside tokens.input_tokens)',
      covers: ['usage-cached-tokens'],
      request: hi,
      response: { status: 200, body: answer([text('Hi again.')], 'COMPLETE', { billed_units: { input_tokens: 50, output_tokens: 26 }, tokens: { input_tokens: 793, output_tokens: 61 }, cached_tokens: 176 }) },
      expect: { type: 'result', usage: { inputTokens: 793, outputTokens: 61, cachedInputTokens: 176 }, completion: { usage: { prompt_tokens: 793, prompt_tokens_details: { cached_tokens: 176 } } } },
    }),
    chat({
      name: 'usage: billed_units when tokens is missing',
      covers: ['usage-cached-tokens'],
      request: hi,
      response: { status: 200, body: answer([text('Hi.')], 'COMPLETE', { billed_units: { input_tokens: 9, output_tokens: 3 } }) },
      expect: { type: 'result', usage: { inputTokens: 9, outputTokens: 3, cachedInputTokens: 0 } },
    }),
    chat({
      name: 'finish: MAX_TOKENS is length',
      covers: ['finish-length'],
      request: { ...hi, max_tokens: 3 },
      expectBody: { max_tokens: 3 },
      response: { status: 200, body: answer([text('Hello, how')], 'MAX_TOKENS') },
      expect: { type: 'result', completion: { choices: [{ finish_reason: 'length' }] }, finishReasons: [{ unified: 'length', raw: 'MAX_TOKENS' }] },
    }),
    chat({
      name: 'finish: STOP_SEQUENCE is stop',
      covers: ['finish-length'],
      request: { ...hi, stop: ['.'] },
      response: { status: 200, body: answer([text('Hello')], 'STOP_SEQUENCE') },
      expect: { type: 'result', finishReasons: [{ unified: 'stop', raw: 'STOP_SEQUENCE' }] },
    }),
    failing(
      'error: 429 (a trial key over its per-minute calls) is rate_limit_429',
      ['error-rate-limit'],
      {
        status: 429,
        headers: { 'retry-after': '6' },
        body: cohereError(
          "You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions",
        ),
      },
      { type: 'error', shape: 'rate_limit_429', status: 429, retryAfterMs: 6_000 },
    ),
    failing(
      'error: 429 for the trial key\'s monthly cap is quota_exhausted',
      ['error-rate-limit'],
      { status: 429, body: cohereError("You are using a Trial key, which is limited to 1000 API calls / month. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'.") },
      { type: 'error', shape: 'quota_exhausted', status: 429 },
    ),
    failing(
      'error: 402 payment required is quota_exhausted',
      ['error-rate-limit'],
      { status: 402, body: cohereError('Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue') },
      { type: 'error', shape: 'quota_exhausted', status: 429 },
    ),
    failing('error: 500 is upstream_5xx', ['error-server'], { status: 500, body: cohereError('internal server error, this has been reported to our developers. id 7e2e9a3c') }, { type: 'error', shape: 'upstream_5xx', status: 502 }),
    failing('error: 503 is upstream_5xx', ['error-server'], { status: 503, body: cohereError('service unavailable') }, { type: 'error', shape: 'upstream_5xx' }),
    failing('error: 422 is the client\'s', ['error-server'], { status: 422, body: cohereError("invalid request: model 'command-r' does not support images") }, { type: 'error', shape: 'client_error', status: 422 }),
    failing(
      'error: 400 "too many tokens" about the prompt is context_overflow',
      ['error-context-overflow'],
      { status: 400, body: cohereError('too many tokens: total number of tokens in the prompt cannot exceed 256000 - received 262144. Try using a shorter prompt, or enabling prompt truncating. See https://docs.cohere.com/reference/chat for more details.') },
      { type: 'error', shape: 'context_overflow', status: 400 },
    ),
    failing(
      'error: 400 "too many tokens" about max_tokens is the client\'s',
      ['error-context-overflow'],
      { status: 400, body: cohereError('too many tokens: max tokens must be less than or equal to 8000, the maximum output for this model - received 16000.') },
      { type: 'error', shape: 'client_error', status: 400 },
    ),
    failing(
      'guardrail: an ERROR_TOXIC stop with no content is guardrail_block',
      ['error-guardrail'],
      { status: 200, body: answer([], 'ERROR_TOXIC') },
      { type: 'error', shape: 'guardrail_block', status: 400 },
    ),
    failing(
      'finish: an ERROR stop with no content is a failed generation, not an empty answer',
      ['error-server'],
      { status: 200, body: answer([], 'ERROR') },
      { type: 'error', shape: 'upstream_5xx' },
    ),
    stream({
      name: 'guardrail: an ERROR_TOXIC message-end before any content fails the stream',
      covers: ['error-guardrail'],
      request: hi,
      response: { status: 200, sse: [messageStart, event('message-end', { delta: { finish_reason: 'ERROR_TOXIC', usage: { billed_units: { input_tokens: 5, output_tokens: 0 } } } }), { data: '[DONE]' }] },
      expect: { type: 'error', shape: 'guardrail_block', status: 400 },
    }),
    failing('error: 401 invalid api token is auth_error', ['error-auth'], { status: 401, body: cohereError('invalid api token') }, { type: 'error', shape: 'auth_error', message: 'credentials' }),
    stream({
      name: 'stream: message-end with an error after content fails the stream',
      covers: ['stream-in-band-error'],
      request: hi,
      response: {
        status: 200,
        sse: [
          messageStart,
          event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
          event('content-delta', { index: 0, delta: { message: { content: { text: 'Hel' } } } }),
          event('message-end', { delta: { finish_reason: 'ERROR', error: 'internal server error, this has been reported to our developers' } }),
        ],
      },
      expect: { type: 'stream', text: 'Hel', error: { shape: 'upstream_5xx' } },
    }),
    stream({
      name: 'stream: a stream that ends before message-end is cut',
      covers: ['stream-in-band-error'],
      request: hi,
      response: { status: 200, sse: [messageStart, event('content-delta', { index: 0, delta: { message: { content: { text: 'Hel' } } } })] },
      expect: { type: 'stream', text: 'Hel', error: { shape: 'connection_error' } },
    }),
    {
      name: 'embeddings: texts go to /v2/embed as search documents with float vectors; billed input tokens are the usage',
      covers: ['embeddings'],
      call: 'embeddings',
      model: 'embed-v4.0',
      request: { model: 'embed', input: ['hello', 'goodbye'], encoding_format: 'float', dimensions: 256 },
      expectRequest: {
        method: 'POST',
        path: '/v2/embed',
        headers: { authorization: `Bearer ${KEY}` },
        body: { model: 'embed-v4.0', texts: ['hello', 'goodbye'], input_type: 'search_document', embedding_types: ['float'], output_dimension: 256 },
      },
      response: {
        status: 200,
        body: {
          id: 'da6e531f-54c6-4a73-bf92-f60566d8d753',
          embeddings: { float: [[0.016296387, -0.008354187], [-0.002372742, 0.0251770]] },
          texts: ['hello', 'goodbye'],
          meta: { api_version: { version: '2' }, billed_units: { input_tokens: 2 } },
          response_type: 'embeddings_by_type',
        },
      },
      expect: {
        type: 'embeddings',
        embeddings: { object: 'list', model: 'embed-v4.0', data: [{ index: 0, embedding: [0.016296387, -0.008354187] }, { index: 1, embedding: [-0.002372742, 0.025177] }], usage: { prompt_tokens: 2 } },
        usage: { inputTokens: 2, outputTokens: 0, cachedInputTokens: 0 },
      },
    },
    {
      name: 'embeddings: a client\'s input_type (search_query) is passed on',
      covers: ['embeddings'],
      call: 'embeddings',
      model: 'embed-v4.0',
      request: { model: 'embed', input: 'where is the ant?', input_type: 'search_query' },
      expectRequest: { method: 'POST', path: '/v2/embed', body: { texts: ['where is the ant?'], input_type: 'search_query' } },
      response: { status: 200, body: { id: 'e1', embeddings: { float: [[1, 0]] }, texts: ['where is the ant?'], meta: { billed_units: { input_tokens: 5 } }, response_type: 'embeddings_by_type' } },
      expect: { type: 'embeddings', embeddings: { data: [{ index: 0, embedding: [1, 0] }] } },
    },
  ],
};
