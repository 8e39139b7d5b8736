/**
 * Anthropic's Messages API: the canonical request translated to a message request, the message (or
 * its SSE events) translated back. Wire shapes follow Anthropic's API reference (messages,
 * streaming, errors).
 */
import { anthropicProvider } from '../../../src/providers/anthropic/index.js';
import type { ConformanceFixture, ConformanceTarget } from '../fixture.js';

/** A fake key; Anthropic's own keys look different on purpose. */
const KEY = 'anthropic-conformance-key-0123456789';
const MODEL = 'claude-sonnet-4-5';
const RESPONSE_MODEL = 'claude-sonnet-4-5-20250929';
const PATH = '/v1/messages';

const hi = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] };

function message(content: object[], stopReason: string, usage: object = { input_tokens: 12, output_tokens: 9 }) {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: RESPONSE_MODEL,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard', ...usage },
  };
}

const text = (value: string) => ({ type: 'text', text: value });

function errorBody(type: string, errorMessage: string) {
  return { type: 'error', error: { type, message: errorMessage }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' };
}

const messageStart = (usage: object = { input_tokens: 25, output_tokens: 1 }) => ({
  event: 'message_start',
  data: { type: 'message_start', message: { id: 'msg_01S1nZdL29xx5MUA1yADyHTE', type: 'message', role: 'assistant', model: RESPONSE_MODEL, content: [], stop_reason: null, stop_sequence: null, usage } },
});
const blockStart = (index: number, block: object) => ({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: block } });
const blockDelta = (index: number, delta: object) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
const blockStop = (index: number) => ({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
const messageDelta = (stopReason: string, outputTokens: number) => ({
  event: 'message_delta',
  data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } },
});
const messageStop = { event: 'message_stop', data: { type: 'message_stop' } };
const ping = { event: 'ping', data: { type: 'ping' } };

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location'] },
  },
};

const contactSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, email: { type: 'string' } },
  required: ['name', 'email'],
  additionalProperties: false,
};

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const IMAGE_URL = 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg';

/** A chat fixture with the defaults most share. */
function chat(fixture: Omit<ConformanceFixture, 'call' | 'model' | 'expectRequest'> & { expectBody?: ConformanceFixture['expectRequest']['body'] }): ConformanceFixture {
  const { expectBody, ...rest } = fixture;
  return { call: 'chat', model: MODEL, expectRequest: { method: 'POST', path: PATH, body: expectBody }, ...rest };
}

function failing(name: string, covers: ConformanceFixture['covers'], response: ConformanceFixture['response'], expect: ConformanceFixture['expect']): ConformanceFixture {
  return chat({ name, covers, request: hi, response, expect });
}

export const anthropicTarget: ConformanceTarget = {
  provider: 'anthropic',
  create: (origin) =>
    anthropicProvider.create(
      anthropicProvider.options.parse({ type: 'anthropic', api_key: KEY, base_url: `${origin}/v1`, beta: ['context-1m-2025-08-07', 'interleaved-thinking-2025-05-14'] }),
      { name: 'anthropic' },
    ),
  skip: [{ case: 'embeddings', reason: 'Anthropic has no embeddings endpoint; the adapter fails such calls so the route moves on' }],
  fixtures: [
    {
      name: 'chat: the key goes in x-api-key (never authorization) with anthropic-version and anthropic-beta; max_tokens defaults; cache reads and writes count as input',
      covers: ['chat-basic', 'usage-cached-tokens'],
      call: 'chat',
      model: MODEL,
      request: hi,
      expectRequest: {
        method: 'POST',
        path: PATH,
        headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'context-1m-2025-08-07,interleaved-thinking-2025-05-14', 'content-type': 'application/json' },
        absentHeaders: ['authorization'],
        body: { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: [text('Hi')] }], system: undefined, stream: undefined },
      },
      response: { status: 200, headers: { 'request-id': 'req_011CSHoEeqs5C35K2UUqR7Fy' }, body: message([text('Hello! How can I help you today?')], 'end_turn', { input_tokens: 12, cache_creation_input_tokens: 2048, cache_read_input_tokens: 1800, output_tokens: 11 }) },
      expect: {
        type: 'result',
        completion: {
          id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
          model: RESPONSE_MODEL,
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3860, completion_tokens: 11, total_tokens: 3871, prompt_tokens_details: { cached_tokens: 1800, cache_write_tokens: 2048 } },
        },
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        responseModel: RESPONSE_MODEL,
        finishReasons: [{ unified: 'stop', raw: 'end_turn' }],
        usage: { inputTokens: 3860, outputTokens: 11, cachedInputTokens: 1800, cacheWriteInputTokens: 2048 },
      },
    },
    chat({
      name: 'chat: system and developer messages become the top-level system; consecutive same-role turns merge',
      covers: ['system-and-multi-turn'],
      request: {
        model: 'chat',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello.' },
          { role: 'user', content: [{ type: 'text', text: 'Are you there?' }] },
          { role: 'assistant', content: 'Oui.' },
          { role: 'user', content: 'Thanks!' },
        ],
      },
      expectBody: {
        system: [text('You are terse.'), text('Answer in French.')],
        messages: [
          { role: 'user', content: [text('Hello.'), text('Are you there?')] },
          { role: 'assistant', content: [text('Oui.')] },
          { role: 'user', content: [text('Thanks!')] },
        ],
      },
      response: { status: 200, body: message([text('De rien.')], 'end_turn') },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'De rien.' } }] }, finishReasons: [{ unified: 'stop', raw: 'end_turn' }] },
    }),
    chat({
      name: 'chat: temperature, top_p, stop, max_completion_tokens and user translate; a stop sequence is a stop',
      covers: ['sampling-parameters'],
      request: { ...hi, temperature: 0.3, top_p: 0.9, stop: 'END', max_completion_tokens: 256, user: 'user-5f2a' },
      expectBody: { temperature: 0.3, top_p: 0.9, stop_sequences: ['END'], max_tokens: 256, metadata: { user_id: 'user-5f2a' } },
      response: { status: 200, body: { ...message([text('One, two, three')], 'stop_sequence'), stop_sequence: 'END' } },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'One, two, three' }, finish_reason: 'stop' }] }, finishReasons: [{ unified: 'stop', raw: 'stop_sequence' }] },
    }),
    chat({
      name: 'chat: function tools, tool_choice required (any) and parallel_tool_calls false translate; tool_use blocks come back as tool_calls',
      covers: ['tool-definitions'],
      request: {
        model: 'chat',
        messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
        tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
      expectBody: {
        tools: [
          { name: 'get_weather', description: 'Get the current weather in a given location', input_schema: weatherTool.function.parameters },
          { name: 'get_time', input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      },
      response: {
        status: 200,
        body: message(
          [text("I'll check the weather."), { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } }],
          'tool_use',
        ),
      },
      expect: {
        type: 'result',
        completion: {
          choices: [
            {
              message: {
                content: "I'll check the weather.",
                tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }],
              },
              finish_reason: 'tool_calls',
            },
          ],
        },
        finishReasons: [{ unified: 'tool_calls', raw: 'tool_use' }],
      },
    }),
    chat({
      name: 'chat: assistant tool calls become tool_use blocks; tool messages become tool_result blocks first in one user turn',
      covers: ['tool-results'],
      request: {
        model: 'chat',
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Weather in Paris and Oslo?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'toolu_01Paris', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
              { id: 'toolu_01Oslo', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_01Paris', content: '18°C, clear' },
          { role: 'tool', tool_call_id: 'toolu_01Oslo', content: [{ type: 'text', text: '4°C, snow' }] },
          { role: 'user', content: 'Which is warmer?' },
        ],
      },
      expectBody: {
        messages: [
          { role: 'user', content: [text('Weather in Paris and Oslo?')] },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { location: 'Paris' } },
              { type: 'tool_use', id: 'toolu_01Oslo', name: 'get_weather', input: { location: 'Oslo' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_01Paris', content: '18°C, clear' },
              { type: 'tool_result', tool_use_id: 'toolu_01Oslo', content: [text('4°C, snow')] },
              text('Which is warmer?'),
            ],
          },
        ],
      },
      response: { status: 200, body: message([text('Paris is warmer.')], 'end_turn') },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'Paris is warmer.' } }] } },
    }),
    chat({
      name: 'chat: an https image_url is an image block with a url source',
      covers: ['image-url'],
      request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: IMAGE_URL } }] }] },
      expectBody: { messages: [{ role: 'user', content: [text('What is in this image?'), { type: 'image', source: { type: 'url', url: IMAGE_URL } }] }] },
      response: { status: 200, body: message([text('An ant.')], 'end_turn') },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'An ant.' } }] } },
    }),
    chat({
      name: 'chat: a base64 data URL is an image block with a base64 source and its media type',
      covers: ['image-base64'],
      request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' } }, { type: 'text', text: 'Describe it.' }] }] },
      expectBody: { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }, text('Describe it.')] }] },
      response: { status: 200, body: message([text('A single pixel.')], 'end_turn') },
      expect: { type: 'result', completion: { choices: [{ message: { content: 'A single pixel.' } }] } },
    }),
    chat({
      name: "chat: json_schema is Anthropic's native output_config.format",
      covers: ['json-mode'],
      request: { ...hi, response_format: { type: 'json_schema', json_schema: { name: 'contact', strict: true, schema: contactSchema } } },
      expectBody: { output_config: { format: { type: 'json_schema', schema: contactSchema } }, tools: undefined, tool_choice: undefined },
      response: { status: 200, body: message([text('{"name":"Jane Doe","email":"jane@example.com"}')], 'end_turn') },
      expect: { type: 'result', completion: { choices: [{ message: { content: '{"name":"Jane Doe","email":"jane@example.com"}' }, finish_reason: 'stop' }] } },
    }),
    chat({
      name: 'chat: json_object is answered through a forced tool whose input becomes the message content, finishing as stop',
      covers: ['json-mode'],
      request: { ...hi, response_format: { type: 'json_object' } },
      expectBody: {
        tools: [{ name: 'json_response', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'json_response', disable_parallel_tool_use: true },
        output_config: undefined,
      },
      response: { status: 200, body: message([{ type: 'tool_use', id: 'toolu_01D7FLrfh4GYq7yT1ULFeyMV', name: 'json_response', input: { greeting: 'hi', language: 'en' } }], 'tool_use') },
      expect: {
        type: 'result',
        completion: { choices: [{ message: { content: '{"greeting":"hi","language":"en"}', tool_calls: undefined }, finish_reason: 'stop' }] },
        finishReasons: [{ unified: 'stop', raw: 'tool_use' }],
      },
    }),
    chat({
      name: 'chat: stop_reason max_tokens is finish reason length',
      covers: ['finish-length'],
      request: { ...hi, max_tokens: 5 },
      expectBody: { max_tokens: 5 },
      response: { status: 200, body: message([text('Hello! How can')], 'max_tokens', { input_tokens: 8, output_tokens: 5 }) },
      expect: { type: 'result', completion: { choices: [{ finish_reason: 'length' }] }, finishReasons: [{ unified: 'length', raw: 'max_tokens' }] },
    }),
    chat({
      name: 'chat: an unknown stop_reason is other, never a silent stop',
      covers: [],
      request: hi,
      response: { status: 200, body: message([text('Searching…')], 'pause_turn') },
      expect: { type: 'result', finishReasons: [{ unified: 'other', raw: 'pause_turn' }] },
    }),
    chat({
      name: 'chat: a refusal stop_reason is content_filter (the gateway treats an all-filtered answer as guardrail_block)',
      covers: ['error-guardrail'],
      request: hi,
      response: { status: 200, body: message([], 'refusal', { input_tokens: 30, output_tokens: 0 }) },
      expect: { type: 'result', completion: { choices: [{ message: { content: null }, finish_reason: 'content_filter' }] }, finishReasons: [{ unified: 'content_filter', raw: 'refusal' }] },
    }),
    {
      name: 'stream: text deltas join; thinking deltas and pings are skipped; usage arrives with include_usage',
      covers: ['stream-text'],
      call: 'chatStream',
      model: MODEL,
      request: { ...hi, stream_options: { include_usage: true } },
      expectRequest: { method: 'POST', path: PATH, body: { stream: true, stream_options: undefined } },
      response: {
        status: 200,
        sse: [
          messageStart({ input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }),
          blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
          blockDelta(0, { type: 'thinking_delta', thinking: 'The user greets me.' }),
          blockDelta(0, { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' }),
          blockStop(0),
          blockStart(1, { type: 'text', text: '' }),
          ping,
          blockDelta(1, { type: 'text_delta', text: 'Hello' }),
          blockDelta(1, { type: 'text_delta', text: ' there!' }),
          blockStop(1),
          messageDelta('end_turn', 15),
          messageStop,
        ],
      },
      expect: { type: 'stream', text: 'Hello there!', toolCalls: [], finishReason: { unified: 'stop', raw: 'end_turn' }, usage: { inputTokens: 25, outputTokens: 15, cachedInputTokens: 0 } },
    },
    {
      name: 'stream: a recorded tool-use stream (text, then two tool_use blocks) reassembles into tool calls',
      covers: ['stream-tool-calls'],
      call: 'chatStream',
      model: MODEL,
      request: { model: 'chat', messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }], tools: [weatherTool] },
      expectRequest: { method: 'POST', path: PATH, body: { stream: true, tools: [{ name: 'get_weather' }] } },
      response: { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, file: 'anthropic/stream-tool-use.sse.txt' },
      expect: {
        type: 'stream',
        text: 'Let me check both cities.',
        toolCalls: [
          { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "Paris", "unit": "celsius"}' },
          { id: 'toolu_01LLv6gqH8QLxbg4PZvUbq1q', name: 'get_weather', arguments: '{"location": "Oslo", "unit": "celsius"}' },
        ],
        finishReason: { unified: 'tool_calls', raw: 'tool_use' },
        usage: { inputTokens: 512, outputTokens: 118, cachedInputTokens: 0 },
      },
    },
    {
      name: 'stream: a json_object answer streams the forced tool input as content',
      covers: ['json-mode'],
      call: 'chatStream',
      model: MODEL,
      request: { ...hi, response_format: { type: 'json_object' } },
      expectRequest: { method: 'POST', path: PATH, body: { tool_choice: { type: 'tool', name: 'json_response' } } },
      response: {
        status: 200,
        sse: [
          messageStart(),
          blockStart(0, { type: 'tool_use', id: 'toolu_01JSON', name: 'json_response', input: {} }),
          blockDelta(0, { type: 'input_json_delta', partial_json: '{"greeting":' }),
          blockDelta(0, { type: 'input_json_delta', partial_json: ' "hi"}' }),
          blockStop(0),
          messageDelta('tool_use', 12),
          messageStop,
        ],
      },
      expect: { type: 'stream', text: '{"greeting": "hi"}', toolCalls: [], finishReason: { unified: 'stop', raw: 'tool_use' } },
    },
    {
      name: 'stream: a refusal with no content is content_filter',
      covers: ['error-guardrail'],
      call: 'chatStream',
      model: MODEL,
      request: hi,
      expectRequest: { method: 'POST', path: PATH },
      response: { status: 200, sse: [messageStart(), messageDelta('refusal', 0), messageStop] },
      expect: { type: 'stream', text: '', finishReason: { unified: 'content_filter', raw: 'refusal' } },
    },
    {
      name: 'stream: an in-band overloaded_error after content is upstream_5xx',
      covers: ['stream-in-band-error'],
      call: 'chatStream',
      model: MODEL,
      request: hi,
      expectRequest: { method: 'POST', path: PATH },
      response: {
        status: 200,
        sse: [messageStart(), blockStart(0, { type: 'text', text: '' }), blockDelta(0, { type: 'text_delta', text: 'Hel' }), { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }],
      },
      expect: { type: 'stream', text: 'Hel', error: { shape: 'upstream_5xx' } },
    },
    {
      name: 'stream: a stream that ends without message_stop is a connection_error',
      covers: [],
      call: 'chatStream',
      model: MODEL,
      request: hi,
      expectRequest: { method: 'POST', path: PATH },
      response: { status: 200, sse: [messageStart(), blockStart(0, { type: 'text', text: '' }), blockDelta(0, { type: 'text_delta', text: 'Hel' })] },
      expect: { type: 'stream', text: 'Hel', error: { shape: 'connection_error' } },
    },
    failing(
      'error: 429 rate_limit_error with retry-after is rate_limit_429',
      ['error-rate-limit'],
      {
        status: 429,
        headers: {
          'retry-after': '7',
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2025-11-20T10:15:07Z',
        },
        body: errorBody('rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.'),
      },
      { type: 'error', shape: 'rate_limit_429', status: 429, retryAfterMs: 7_000 },
    ),
    failing(
      'error: a 429 whose error_code says the spend limit is reached is quota_exhausted',
      [],
      {
        status: 429,
        body: { type: 'error', error: { type: 'rate_limit_error', message: 'You have reached your specified API usage limits.', details: { error_code: 'enforced_spend_limit_reached' } }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' },
      },
      { type: 'error', shape: 'quota_exhausted', status: 429 },
    ),
    failing(
      'error: a 400 about a too-low credit balance is quota_exhausted',
      [],
      { status: 400, body: errorBody('invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.') },
      { type: 'error', shape: 'quota_exhausted', status: 429 },
    ),
    failing('error: a 402 billing_error is quota_exhausted', [], { status: 402, body: errorBody('billing_error', 'Your credit balance is too low.') }, { type: 'error', shape: 'quota_exhausted' }),
    failing(
      'error: 529 overloaded_error is upstream_5xx, answered to a client as a 502',
      ['error-server'],
      { status: 529, body: errorBody('overloaded_error', 'Overloaded') },
      { type: 'error', shape: 'upstream_5xx', status: 502, message: 'Overloaded' },
    ),
    failing('error: 500 api_error is upstream_5xx', ['error-server'], { status: 500, body: errorBody('api_error', 'Internal server error') }, { type: 'error', shape: 'upstream_5xx', status: 502 }),
    failing(
      "error: 400 'prompt is too long' is context_overflow",
      ['error-context-overflow'],
      { status: 400, body: errorBody('invalid_request_error', 'prompt is too long: 215443 tokens > 200000 maximum') },
      { type: 'error', shape: 'context_overflow', status: 400, message: 'prompt is too long' },
    ),
    failing(
      'error: 413 request_too_large is context_overflow',
      ['error-context-overflow'],
      { status: 413, body: errorBody('request_too_large', 'Request exceeds the maximum allowed number of bytes.') },
      { type: 'error', shape: 'context_overflow', status: 400 },
    ),
    failing(
      'error: any other 400 invalid_request_error is the client’s own (client_error, 400)',
      [],
      { status: 400, body: errorBody('invalid_request_error', 'messages.0.content.0.image.source.base64.media_type: Input should be image/jpeg, image/png, image/gif or image/webp') },
      { type: 'error', shape: 'client_error', status: 400 },
    ),
    failing(
      "error: 400 'Output blocked by content filtering policy' is guardrail_block",
      ['error-guardrail'],
      { status: 400, body: errorBody('invalid_request_error', 'Output blocked by content filtering policy') },
      { type: 'error', shape: 'guardrail_block', status: 400 },
    ),
    failing(
      'error: 401 authentication_error is auth_error with a message of our own',
      ['error-auth'],
      { status: 401, body: errorBody('authentication_error', 'invalid x-api-key') },
      { type: 'error', shape: 'auth_error', status: 502, message: /credentials/ },
    ),
    failing('error: 403 permission_error is auth_error', ['error-auth'], { status: 403, body: errorBody('permission_error', 'Your API key does not have permission to use the specified resource.') }, { type: 'error', shape: 'auth_error' }),
    failing(
      'error: 404 not_found_error (a model this upstream lacks) moves on as unknown_upstream_error',
      [],
      { status: 404, body: errorBody('not_found_error', 'model: claude-sonnet-4-5') },
      { type: 'error', shape: 'unknown_upstream_error' },
    ),
    failing(
      'error: the provider key echoed in an upstream message is scrubbed',
      [],
      { status: 500, body: errorBody('api_error', `Internal error while checking key ${KEY}`) },
      { type: 'error', shape: 'upstream_5xx', message: /Internal error while checking key \[redacted\]$/ },
    ),
  ],
};
