/** OpenAI's Chat Completions and Embeddings API: the canonical shape, passed through byte for byte. */
import { createOpenAIProvider } from '../../../src/providers/openai/openai-provider.js';
import type { ConformanceTarget } from '../fixture.js';

const KEY = 'sk-conformance-openai-0123456789';

const completion = {
  id: 'chatcmpl-abc123',
  object: 'chat.completion',
  created: 1_764_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } },
};

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-s1',
  object: 'chat.completion.chunk',
  created: 1_764_000_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
});

const HISTORY = [
  { role: 'system', content: 'Answer in JSON.' },
  { role: 'user', content: [{ type: 'text', text: 'What is in these?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: '{"animal":"cat"}' },
];

export const openaiTarget: ConformanceTarget = {
  provider: 'openai',
  create: (origin) =>
    createOpenAIProvider({ name: 'openai', type: 'openai', baseUrl: `${origin}/v1`, apiKey: KEY, headers: {}, transport: { connectTimeoutMs: 1_000, maxConnections: 4, proxy: 'none' } }),
  fixtures: [
    {
      name: 'chat: the deployment model replaces the route name; the key goes as a bearer token',
      covers: ['chat-basic', 'sampling-parameters', 'usage-cached-tokens'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, top_p: 0.9, stop: ['END'], max_tokens: 50 },
      expectRequest: {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, top_p: 0.9, stop: ['END'], max_tokens: 50 },
      },
      response: { status: 200, body: completion },
      expect: {
        type: 'result',
        completion: { choices: [{ message: { content: 'Hello there.' } }] },
        id: 'chatcmpl-abc123',
        responseModel: 'gpt-4o-mini-2024-07-18',
        finishReasons: [{ unified: 'stop', raw: 'stop' }],
        usage: { inputTokens: 9, outputTokens: 3, cachedInputTokens: 4 },
      },
    },
    {
      name: 'stream: tool-call deltas reassemble',
      covers: ['stream-tool-calls', 'tool-definitions'],
      call: 'chatStream',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions', body: { stream: true, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] } },
      response: {
        status: 200,
        sse: [
          { data: chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) },
          { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) },
          { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }) },
          { data: chunk({}, 'tool_calls') },
          { data: '[DONE]' },
        ],
      },
      expect: { type: 'stream', text: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], finishReason: { unified: 'tool_calls', raw: 'tool_calls' } },
    },
    {
      name: 'stream: an in-band error after content is a failure with a shape',
      covers: ['stream-in-band-error'],
      call: 'chatStream',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions' },
      response: { status: 200, sse: [{ data: chunk({ role: 'assistant', content: 'Hel' }) }, { data: { error: { message: 'The server had an error', type: 'server_error', code: null } } }] },
      expect: { type: 'stream', text: 'Hel', error: { shape: 'upstream_5xx' } },
    },
    {
      name: 'error: 429 with retry-after is rate_limit_429',
      covers: ['error-rate-limit'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions' },
      response: { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'Rate limit reached', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } } },
      expect: { type: 'error', shape: 'rate_limit_429', status: 429, retryAfterMs: 2_000 },
    },
    {
      name: 'error: context_length_exceeded is context_overflow',
      covers: ['error-context-overflow'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions' },
      response: {
        status: 400,
        body: { error: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
      },
      expect: { type: 'error', shape: 'context_overflow', status: 400 },
    },
    {
      name: 'embeddings: passed through with usage',
      covers: ['embeddings'],
      call: 'embeddings',
      model: 'text-embedding-3-small',
      request: { model: 'embed', input: ['a', 'b'] },
      expectRequest: { method: 'POST', path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['a', 'b'] } },
      response: {
        status: 200,
        body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }, { object: 'embedding', index: 1, embedding: [0.2] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } },
      },
      expect: { type: 'embeddings', embeddings: { data: [{ index: 0 }, { index: 1 }] }, usage: { inputTokens: 2, outputTokens: 0, cachedInputTokens: 0 } },
    },
    {
      name: 'chat: system, multi-turn, tool results, images and json mode pass through untouched',
      covers: ['system-and-multi-turn', 'tool-results', 'image-url', 'image-base64', 'json-mode'],
      call: 'chat',
      model: 'gpt-4o',
      request: {
        model: 'chat',
        messages: HISTORY,
        response_format: { type: 'json_object' },
      },
      expectRequest: { method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o', messages: HISTORY, response_format: { type: 'json_object' } } },
      response: { status: 200, body: { ...completion, choices: [{ index: 0, message: { role: 'assistant', content: '{"ok":true}' }, finish_reason: 'stop' }] } },
      expect: { type: 'result', completion: { choices: [{ message: { content: '{"ok":true}' } }] } },
    },
    {
      name: 'chat: finish_reason length is kept as length',
      covers: ['finish-length'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Write a long story' }], max_tokens: 3 },
      expectRequest: { method: 'POST', path: '/v1/chat/completions', body: { max_tokens: 3 } },
      response: { status: 200, body: { ...completion, choices: [{ index: 0, message: { role: 'assistant', content: 'Once upon a' }, finish_reason: 'length' }] } },
      expect: { type: 'result', finishReasons: [{ unified: 'length', raw: 'length' }] },
    },
    {
      name: 'stream: text deltas join, usage arrives with include_usage',
      covers: ['stream-text'],
      call: 'chatStream',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }], stream_options: { include_usage: true } },
      expectRequest: { method: 'POST', path: '/v1/chat/completions', body: { stream: true, stream_options: { include_usage: true } } },
      response: {
        status: 200,
        sse: [
          { data: chunk({ role: 'assistant', content: '' }) },
          { data: chunk({ content: 'Hello' }) },
          { data: chunk({ content: ' there.' }) },
          { data: chunk({}, 'stop') },
          { data: { ...chunk({}), choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } } },
          { data: '[DONE]' },
        ],
      },
      expect: { type: 'stream', text: 'Hello there.', finishReason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 0 } },
    },
    {
      name: 'error: a 500 is upstream_5xx, answered to a client as a 502',
      covers: ['error-server'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions' },
      response: { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } } },
      expect: { type: 'error', shape: 'upstream_5xx', status: 502 },
    },
    {
      name: 'error: a content_filter 400 is guardrail_block',
      covers: ['error-guardrail'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions' },
      response: { status: 400, body: { error: { message: 'The response was filtered due to the prompt triggering content management policy.', type: null, param: 'prompt', code: 'content_filter' } } },
      expect: { type: 'error', shape: 'guardrail_block', status: 400 },
    },
    {
      name: 'error: a 401 is auth_error, and the echoed key is not repeated',
      covers: ['error-auth'],
      call: 'chat',
      model: 'gpt-4o-mini',
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/v1/chat/completions' },
      response: { status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } },
      expect: { type: 'error', shape: 'auth_error', message: /^(?![\s\S]*sk-conformance)/ },
    },
  ],
};
