/**
 * Amazon Bedrock's Converse, ConverseStream and InvokeModel (embeddings), signed with SigV4. Wire
 * shapes follow Bedrock Runtime's API reference: Converse request and answer, the binary event
 * stream (encoded here with the same codec Bedrock's SDKs use), `x-amzn-errortype` errors.
 */
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { bedrockProvider } from '../../../src/providers/bedrock/index.js';
import type { ConformanceFixture, ConformanceTarget } from '../fixture.js';

/** AWS's documentation example credentials: not a real key. */
export const ACCESS_KEY_ID = 'AKIDEXAMPLE';
export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'conformance-session-token-0123456789';
export const REGION = 'us-west-2';

export const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
/** The model id as a path segment: `:` encoded. */
const MODEL_PATH = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0';
const REQUEST_ID = 'a8c4c6de-8f2b-4f1e-9a8e-3c5d7b1e2f40';

const hi = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] };

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });

/** One ConverseStream event as Bedrock frames it (payload padded with `p`, as Bedrock pads it). */
export function event(eventType: string, payload: object): Uint8Array {
  const headers: MessageHeaders = { ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGH' })) });
}

export function exception(exceptionType: string, payload: object): Uint8Array {
  const headers: MessageHeaders = { ':exception-type': str(exceptionType), ':content-type': str('application/json'), ':message-type': str('exception') };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

function converse(content: object[], stopReason: string, usage: object = { inputTokens: 12, outputTokens: 9, totalTokens: 21 }) {
  return { output: { message: { role: 'assistant', content } }, stopReason, usage, metrics: { latencyMs: 412 } };
}

function bedrockError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  return {
    status,
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': REQUEST_ID, ...headers },
    body: { message },
  };
}

const ok = (body: object) => ({ status: 200, headers: { 'x-amzn-requestid': REQUEST_ID }, body: body as Record<string, unknown> });
const frames = (list: Uint8Array[]) => ({ status: 200, headers: { 'x-amzn-requestid': REQUEST_ID }, frames: list });

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const signedHeaders = {
  authorization: new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`),
  'x-amz-date': /^\d{8}T\d{6}Z$/,
  'x-amz-content-sha256': /^[0-9a-f]{64}$/,
  'x-amz-security-token': SESSION_TOKEN,
  'content-type': 'application/json',
};

/** The fixtures, with the headers SigV4 signing adds; the API-key target reuses them with a bearer token. */
export const bedrockFixtures: ConformanceFixture[] = [
  {
    name: 'chat: Converse at /model/{id}/converse, signed with SigV4; inferenceConfig from the sampling parameters; cache reads counted',
    covers: ['chat-basic', 'sampling-parameters', 'usage-cached-tokens'],
    call: 'chat',
    model: MODEL,
    request: { ...hi, max_tokens: 256, temperature: 0.2, top_p: 0.9, stop: ['END'] },
    expectRequest: {
      method: 'POST',
      path: `${MODEL_PATH}/converse`,
      headers: signedHeaders,
      body: {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
        system: undefined,
        toolConfig: undefined,
      },
    },
    response: ok(converse([{ text: 'Hello there.' }], 'end_turn', { inputTokens: 9, outputTokens: 3, totalTokens: 16, cacheReadInputTokens: 4, cacheWriteInputTokens: 0 })),
    expect: {
      type: 'result',
      completion: { id: REQUEST_ID, model: MODEL, choices: [{ message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 13, completion_tokens: 3 } },
      id: REQUEST_ID,
      responseModel: MODEL,
      finishReasons: [{ unified: 'stop', raw: 'end_turn' }],
      usage: { inputTokens: 13, outputTokens: 3, cachedInputTokens: 4 },
    },
  },
  {
    name: 'chat: system blocks, an image as bytes, tool calls and their results (merged into one user turn)',
    covers: ['system-and-multi-turn', 'tool-results', 'image-base64'],
    call: 'chat',
    model: MODEL,
    request: {
      model: 'chat',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'What is in this picture, and the weather in Paris and Oslo?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
        {
          role: 'assistant',
          content: 'A dot. Checking the weather.',
          tool_calls: [
            { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'tooluse_9bqN3lMdSg2gQ1xY4kP0aA', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: '18°C, clear' },
        { role: 'tool', tool_call_id: 'tooluse_9bqN3lMdSg2gQ1xY4kP0aA', content: '4°C, snow' },
        { role: 'user', content: 'Which is warmer?' },
      ],
      tools: [weatherTool],
    },
    expectRequest: {
      method: 'POST',
      path: `${MODEL_PATH}/converse`,
      body: {
        system: [{ text: 'You are terse.' }],
        messages: [
          { role: 'user', content: [{ text: 'What is in this picture, and the weather in Paris and Oslo?' }, { image: { format: 'png', source: { bytes: PNG } } }] },
          {
            role: 'assistant',
            content: [
              { text: 'A dot. Checking the weather.' },
              { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', input: { location: 'Paris' } } },
              { toolUse: { toolUseId: 'tooluse_9bqN3lMdSg2gQ1xY4kP0aA', name: 'get_weather', input: { location: 'Oslo' } } },
            ],
          },
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: [{ text: '18°C, clear' }] } },
              { toolResult: { toolUseId: 'tooluse_9bqN3lMdSg2gQ1xY4kP0aA', content: [{ text: '4°C, snow' }] } },
              { text: 'Which is warmer?' },
            ],
          },
        ],
      },
    },
    response: ok(converse([{ text: 'Paris.' }], 'end_turn')),
    expect: { type: 'result', completion: { choices: [{ message: { content: 'Paris.' } }] } },
  },
  {
    name: 'chat: an s3:// image URL goes as an S3 location (Converse cannot fetch web URLs)',
    covers: ['image-url'],
    call: 'chat',
    model: MODEL,
    request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 's3://my-bucket/photos/cat.jpg' } }] }] },
    expectRequest: {
      method: 'POST',
      path: `${MODEL_PATH}/converse`,
      body: { messages: [{ role: 'user', content: [{ image: { format: 'jpeg', source: { s3Location: { uri: 's3://my-bucket/photos/cat.jpg' } } } }] }] },
    },
    response: ok(converse([{ text: 'A cat.' }], 'end_turn')),
    expect: { type: 'result', completion: { choices: [{ message: { content: 'A cat.' } }] } },
  },
  {
    name: 'chat: tools become toolSpecs, a named tool_choice becomes toolChoice.tool, a toolUse answer becomes tool_calls',
    covers: ['tool-definitions'],
    call: 'chat',
    model: MODEL,
    request: { model: 'chat', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
    expectRequest: {
      method: 'POST',
      path: `${MODEL_PATH}/converse`,
      body: {
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: 'get_weather',
                description: 'Get the current weather in a given location',
                inputSchema: { json: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
              },
            },
          ],
          toolChoice: { tool: { name: 'get_weather' } },
        },
      },
    },
    response: ok(converse([{ toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', input: { location: 'Paris' } } }], 'tool_use')),
    expect: {
      type: 'result',
      completion: {
        choices: [
          {
            message: { content: null, tool_calls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      },
      finishReasons: [{ unified: 'tool_calls', raw: 'tool_use' }],
    },
  },
  {
    name: 'chat: response_format json_schema uses Converse structured output (outputConfig.textFormat, the schema as JSON text)',
    covers: ['json-mode'],
    call: 'chat',
    model: MODEL,
    request: {
      ...hi,
      response_format: { type: 'json_schema', json_schema: { name: 'greeting', description: 'A greeting', schema: { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'], additionalProperties: false } } },
    },
    expectRequest: {
      method: 'POST',
      path: `${MODEL_PATH}/converse`,
      body: {
        outputConfig: {
          textFormat: {
            type: 'json_schema',
            structure: {
              jsonSchema: {
                name: 'greeting',
                description: 'A greeting',
                schema: '{"type":"object","properties":{"greeting":{"type":"string"}},"required":["greeting"],"additionalProperties":false}',
              },
            },
          },
        },
      },
    },
    response: ok(converse([{ text: '{"greeting":"Hello"}' }], 'end_turn')),
    expect: { type: 'result', completion: { choices: [{ message: { content: '{"greeting":"Hello"}' }, finish_reason: 'stop' }] } },
  },
  {
    name: 'chat: response_format json_object is answered through a forced tool, whose input becomes the content',
    covers: ['json-mode'],
    call: 'chat',
    model: MODEL,
    request: { ...hi, response_format: { type: 'json_object' } },
    expectRequest: {
      method: 'POST',
      path: `${MODEL_PATH}/converse`,
      body: { toolConfig: { tools: [{ toolSpec: { name: 'json_response', inputSchema: { json: { type: 'object' } } } }], toolChoice: { tool: { name: 'json_response' } } } },
    },
    response: ok(converse([{ toolUse: { toolUseId: 'tooluse_Jx1', name: 'json_response', input: { greeting: 'Hello' } } }], 'tool_use')),
    expect: { type: 'result', completion: { choices: [{ message: { content: '{"greeting":"Hello"}', tool_calls: undefined }, finish_reason: 'stop' }] }, finishReasons: [{ unified: 'stop', raw: 'tool_use' }] },
  },
  {
    name: 'stream: a json_object answer streams the forced tool\'s input as text, finishing as a plain stop',
    covers: ['json-mode'],
    call: 'chatStream',
    model: MODEL,
    request: { ...hi, response_format: { type: 'json_object' }, temperature: 1.6 },
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse-stream`, body: { inferenceConfig: { temperature: 1 }, toolConfig: { toolChoice: { tool: { name: 'json_response' } } } } },
    response: frames([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_Jx2', name: 'json_response' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"greeting":' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '"Hello"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('messageStop', { stopReason: 'tool_use' }),
      event('metadata', { usage: { inputTokens: 20, outputTokens: 8, totalTokens: 28 }, metrics: { latencyMs: 200 } }),
    ]),
    expect: { type: 'stream', text: '{"greeting":"Hello"}', toolCalls: [], finishReason: { unified: 'stop', raw: 'tool_use' } },
  },
  {
    name: 'chat: stopReason max_tokens is length',
    covers: ['finish-length'],
    call: 'chat',
    model: MODEL,
    request: { ...hi, max_completion_tokens: 3 },
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse`, body: { inferenceConfig: { maxTokens: 3 } } },
    response: ok(converse([{ text: 'Once upon a' }], 'max_tokens')),
    expect: { type: 'result', finishReasons: [{ unified: 'length', raw: 'max_tokens' }] },
  },
  {
    name: 'chat: a guardrail intervention (200, stopReason guardrail_intervened) is a content_filter finish, which the gateway treats as guardrail_block',
    covers: ['error-guardrail'],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: ok(converse([{ text: 'Sorry, the model cannot answer this question.' }], 'guardrail_intervened')),
    expect: { type: 'result', finishReasons: [{ unified: 'content_filter', raw: 'guardrail_intervened' }], completion: { choices: [{ finish_reason: 'content_filter' }] } },
  },
  {
    name: 'chat: an unknown stopReason is other, with the raw value kept',
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: ok(converse([{ text: 'Hm.' }], 'some_future_reason')),
    expect: { type: 'result', finishReasons: [{ unified: 'other', raw: 'some_future_reason' }] },
  },
  {
    name: 'stream: ConverseStream text deltas join; the finish waits for metadata usage',
    covers: ['stream-text'],
    call: 'chatStream',
    model: MODEL,
    request: { ...hi, stream_options: { include_usage: true } },
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse-stream`, headers: { accept: 'application/vnd.amazon.eventstream' }, body: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] } },
    response: frames([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' there.' } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('messageStop', { stopReason: 'end_turn' }),
      event('metadata', { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, metrics: { latencyMs: 301 } }),
    ]),
    expect: { type: 'stream', text: 'Hello there.', finishReason: { unified: 'stop', raw: 'end_turn' }, usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 0 } },
  },
  {
    name: 'stream: a toolUse block start and its input pieces reassemble into a tool call',
    covers: ['stream-tool-calls'],
    call: 'chatStream',
    model: MODEL,
    request: { model: 'chat', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool], tool_choice: 'required' },
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse-stream`, body: { toolConfig: { toolChoice: { any: {} } } } },
    response: frames([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check.' } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"location":' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('messageStop', { stopReason: 'tool_use' }),
      event('metadata', { usage: { inputTokens: 125, outputTokens: 45, totalTokens: 170 }, metrics: { latencyMs: 234 } }),
    ]),
    expect: {
      type: 'stream',
      text: 'Let me check.',
      toolCalls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', arguments: '{"location":"Paris"}' }],
      finishReason: { unified: 'tool_calls', raw: 'tool_use' },
      usage: { inputTokens: 125, outputTokens: 45, cachedInputTokens: 0 },
    },
  },
  {
    name: 'stream: a modelStreamErrorException frame after content is upstream_5xx',
    covers: ['stream-in-band-error'],
    call: 'chatStream',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse-stream` },
    response: frames([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
      exception('modelStreamErrorException', { message: 'Model Stream Error', originalStatusCode: 500, originalMessage: 'The model stream failed.' }),
    ]),
    expect: { type: 'stream', text: 'Hel', error: { shape: 'upstream_5xx' } },
  },
  {
    name: 'stream: a throttlingException frame is rate_limit_429',
    covers: [],
    call: 'chatStream',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse-stream` },
    response: frames([exception('throttlingException', { message: 'Too many requests, please wait before trying again.' })]),
    expect: { type: 'stream', text: '', error: { shape: 'rate_limit_429' } },
  },
  {
    name: 'stream: an event stream that ends before messageStop is a connection_error',
    covers: [],
    call: 'chatStream',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse-stream` },
    response: frames([event('messageStart', { role: 'assistant' }), event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } })]),
    expect: { type: 'stream', text: 'Hel', error: { shape: 'connection_error' } },
  },
  {
    name: 'error: ThrottlingException (429) is rate_limit_429',
    covers: ['error-rate-limit'],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.', { 'retry-after': '3' }),
    expect: { type: 'error', shape: 'rate_limit_429', status: 429, retryAfterMs: 3_000, message: 'Too many requests' },
  },
  {
    name: 'error: ServiceQuotaExceededException is quota_exhausted',
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account. You can resubmit your request later.'),
    expect: { type: 'error', shape: 'quota_exhausted', status: 429 },
  },
  {
    name: 'error: ServiceUnavailableException (503) is upstream_5xx',
    covers: ['error-server'],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'),
    expect: { type: 'error', shape: 'upstream_5xx', status: 502 },
  },
  {
    name: 'error: ModelNotReadyException (429) is upstream_5xx, not a rate limit',
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(429, 'ModelNotReadyException', 'Model is not ready for inference. Wait and try your request again.'),
    expect: { type: 'error', shape: 'upstream_5xx', status: 502 },
  },
  {
    name: 'error: ModelTimeoutException (408) is timeout',
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(408, 'ModelTimeoutException', 'Model has timed out in processing the request. Try your request again.'),
    expect: { type: 'error', shape: 'timeout', status: 504 },
  },
  {
    name: 'error: ValidationException "Input is too long" is context_overflow',
    covers: ['error-context-overflow'],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(400, 'ValidationException', 'Input is too long for requested model.'),
    expect: { type: 'error', shape: 'context_overflow', status: 400 },
  },
  {
    name: "error: ValidationException with Anthropic's \"prompt is too long\" wording is context_overflow",
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(400, 'ValidationException', 'The model returned the following errors: prompt is too long: 215387 tokens > 200000 maximum'),
    expect: { type: 'error', shape: 'context_overflow', status: 400 },
  },
  {
    name: 'error: any other ValidationException is client_error',
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(400, 'ValidationException', "This model doesn't support the image field for user messages. Remove image and try again."),
    expect: { type: 'error', shape: 'client_error', status: 400, message: "doesn't support the image field" },
  },
  {
    name: 'error: UnrecognizedClientException (403) is auth_error, with no upstream wording passed on',
    covers: ['error-auth'],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
    expect: { type: 'error', shape: 'auth_error', message: /^(?![\s\S]*security token)(?![\s\S]*AKID)/ },
  },
  {
    name: 'error: AccessDeniedException (403, model access not granted) is auth_error',
    covers: [],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: `${MODEL_PATH}/converse` },
    response: bedrockError(403, 'AccessDeniedException', "You don't have access to the model with the specified model ID."),
    expect: { type: 'error', shape: 'auth_error' },
  },
  {
    name: 'embeddings: Titan v2 by InvokeModel (inputText, dimensions, normalize), answered in the canonical shape',
    covers: ['embeddings'],
    call: 'embeddings',
    model: 'amazon.titan-embed-text-v2:0',
    request: { model: 'embed', input: 'The quick brown fox', dimensions: 256 },
    expectRequest: {
      method: 'POST',
      path: '/model/amazon.titan-embed-text-v2%3A0/invoke',
      headers: { authorization: signedHeaders.authorization, accept: 'application/json' },
      body: { inputText: 'The quick brown fox', dimensions: 256, normalize: true },
    },
    response: { status: 200, headers: { 'x-amzn-requestid': REQUEST_ID, 'x-amzn-bedrock-input-token-count': '5' }, body: { embedding: [0.011, -0.052, 0.093], inputTextTokenCount: 5 } },
    expect: {
      type: 'embeddings',
      embeddings: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.011, -0.052, 0.093] }], model: 'amazon.titan-embed-text-v2:0', usage: { prompt_tokens: 5, total_tokens: 5 } },
      usage: { inputTokens: 5, outputTokens: 0, cachedInputTokens: 0 },
    },
  },
  {
    name: 'embeddings: Cohere embed through a cross-region profile (texts, input_type), tokens from the header',
    covers: ['embeddings'],
    call: 'embeddings',
    model: 'us.cohere.embed-v4:0',
    request: { model: 'embed', input: ['first text', 'second text'] },
    expectRequest: { method: 'POST', path: '/model/us.cohere.embed-v4%3A0/invoke', body: { texts: ['first text', 'second text'], input_type: 'search_document' } },
    response: {
      status: 200,
      headers: { 'x-amzn-requestid': REQUEST_ID, 'x-amzn-bedrock-input-token-count': '4' },
      body: { id: '2c7e0b8e-3b52-4d0c-9b3f-5d1d6a0e9f11', embeddings: { float: [[0.1, 0.2], [0.3, 0.4]] }, texts: ['first text', 'second text'], response_type: 'embeddings_by_type' },
    },
    expect: { type: 'embeddings', embeddings: { data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 1, embedding: [0.3, 0.4] }] }, usage: { inputTokens: 4, outputTokens: 0, cachedInputTokens: 0 } },
  },
];

export const bedrockTarget: ConformanceTarget = {
  provider: 'bedrock',
  create: (origin) =>
    bedrockProvider.create(
      bedrockProvider.options.parse({
        type: 'bedrock',
        region: REGION,
        base_url: origin,
        access_key_id: ACCESS_KEY_ID,
        secret_access_key: SECRET_ACCESS_KEY,
        session_token: SESSION_TOKEN,
        connect_timeout_ms: 1_000,
        max_connections: 4,
      }),
      { name: 'bedrock' },
    ),
  fixtures: bedrockFixtures,
};
