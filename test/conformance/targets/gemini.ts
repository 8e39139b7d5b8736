/**
 * Google's Gemini API (AI Studio, `v1beta`): the canonical request translated to `generateContent`,
 * the GenerateContentResponse (or its SSE events) translated back. Wire shapes follow the Gemini API
 * reference (generateContent, streamGenerateContent, embedContent, batchEmbedContents, error codes).
 */
import assert from 'node:assert/strict';
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import type { ConformanceFixture, ConformanceTarget } from '../fixture.js';

/** Key-shaped like a real Gemini key, so the scrubber's pattern is exercised as well as the exact secret. */
export const GEMINI_KEY = 'AIzaSyConformance-Gemini-0123456789abcd';
const MODEL = 'gemini-2.5-flash';
const PATH = `/v1beta/models/${MODEL}:generateContent`;
const STREAM_PATH = `/v1beta/models/${MODEL}:streamGenerateContent`;
const RESPONSE_ID = 'mAitaLmkHPPlz7IPvtfUqQ8';
/** A thought signature as Gemini 3 attaches to a function call (base64 of opaque bytes). */
const SIGNATURE = 'CiQB0e2Kb7ZTx3V2cQ5pbTIw/TAxZTk1ZjEy+WFlNjg1ZTc0MWM3NGVmYjc5MzY=';
/** The same signature inside a tool-call id: base64url, unpadded, so the id keeps to [A-Za-z0-9_-]. */
const SIGNATURE_IN_ID = 'CiQB0e2Kb7ZTx3V2cQ5pbTIw_TAxZTk1ZjEy-WFlNjg1ZTc0MWM3NGVmYjc5MzY';

const hi = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] };
const text = (value: string) => ({ text: value });

const SAFETY_RATINGS = [
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
];

function usage(prompt: number, candidates: number, extra: object = {}) {
  return { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates, promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }], ...extra };
}

function response(parts: object[], finishReason = 'STOP', extra: object = {}) {
  return { candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }], usageMetadata: usage(8, 6), modelVersion: MODEL, responseId: RESPONSE_ID, ...extra };
}

function googleError(code: number, status: string, message: string, details?: object[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    // As OpenAI clients write it: JSON Schema with keys Gemini's Schema object does not have.
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City and state, e.g. San Francisco, CA' },
        unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, exclusiveMaximum: 15 },
      },
      required: ['location'],
      additionalProperties: false,
    },
  },
};

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const IMAGE_URL = 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg';

function chat(fixture: Omit<ConformanceFixture, 'call' | 'model' | 'expectRequest'> & { expectBody?: ConformanceFixture['expectRequest']['body'] }): ConformanceFixture {
  const { expectBody, ...rest } = fixture;
  return { call: 'chat', model: MODEL, expectRequest: { method: 'POST', path: PATH, body: expectBody }, ...rest };
}

function failing(name: string, covers: ConformanceFixture['covers'], res: ConformanceFixture['response'], expect: ConformanceFixture['expect']): ConformanceFixture {
  return chat({ name, covers, request: hi, response: res, expect });
}

function noKey(value: unknown): void {
  assert.ok(!JSON.stringify(value).includes('additionalProperties'), 'additionalProperties is stripped');
  assert.ok(!JSON.stringify(value).includes('$schema'), '$schema is stripped');
  assert.ok(!JSON.stringify(value).includes('exclusiveMaximum'), 'exclusiveMaximum is stripped');
}

export const GEMINI_FIXTURES: ConformanceFixture[] = [
  {
    name: 'chat: the credential goes in its header (x-goog-api-key; on Vertex a bearer); text parts join; responseId and modelVersion come back',
    covers: ['chat-basic'],
    call: 'chat',
    model: MODEL,
    request: hi,
    expectRequest: {
      method: 'POST',
      path: PATH,
      headers: { 'x-goog-api-key': GEMINI_KEY, 'content-type': 'application/json' },
      absentHeaders: ['authorization'],
      body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], systemInstruction: undefined, tools: undefined },
    },
    response: { status: 200, body: { ...response([text('Hello'), text(' there.')]), candidates: [{ content: { parts: [text('Hello'), text(' there.')], role: 'model' }, finishReason: 'STOP', index: 0, safetyRatings: SAFETY_RATINGS }] } },
    expect: {
      type: 'result',
      completion: { id: RESPONSE_ID, model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 6, total_tokens: 14 } },
      id: RESPONSE_ID,
      responseModel: MODEL,
      finishReasons: [{ unified: 'stop', raw: 'STOP' }],
      usage: { inputTokens: 8, outputTokens: 6, cachedInputTokens: 0 },
    },
  },
  chat({
    name: 'chat: system messages become systemInstruction; assistant turns take the model role',
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
      systemInstruction: { parts: [{ text: 'You are a terse assistant.\n\nAnswer in English.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'My name is Ada.' }] },
        { role: 'model', parts: [{ text: 'Hello Ada.' }] },
        { role: 'user', parts: [{ text: 'What is my name?' }] },
      ],
    },
    response: { status: 200, body: response([text('Ada.')]) },
    expect: { type: 'result', completion: { choices: [{ message: { content: 'Ada.' } }] } },
  }),
  chat({
    name: 'chat: sampling parameters land in generationConfig (max tokens as maxOutputTokens, n as candidateCount)',
    covers: ['sampling-parameters'],
    request: { ...hi, temperature: 0.4, top_p: 0.9, max_completion_tokens: 256, stop: ['END', 'STOP'], n: 2, seed: 42, presence_penalty: 0.5, frequency_penalty: 0.25 },
    expectBody: {
      generationConfig: { temperature: 0.4, topP: 0.9, maxOutputTokens: 256, stopSequences: ['END', 'STOP'], candidateCount: 2, seed: 42, presencePenalty: 0.5, frequencyPenalty: 0.25 },
    },
    response: {
      status: 200,
      body: {
        candidates: [
          { content: { parts: [text('Hello!')], role: 'model' }, finishReason: 'STOP', index: 0 },
          { content: { parts: [text('Hi there!')], role: 'model' }, finishReason: 'STOP', index: 1 },
        ],
        usageMetadata: usage(1, 5),
        modelVersion: MODEL,
        responseId: RESPONSE_ID,
      },
    },
    expect: {
      type: 'result',
      completion: { choices: [{ index: 0, message: { content: 'Hello!' } }, { index: 1, message: { content: 'Hi there!' } }] },
      finishReasons: [
        { unified: 'stop', raw: 'STOP' },
        { unified: 'stop', raw: 'STOP' },
      ],
    },
  }),
  chat({
    name: 'tools: JSON Schema narrowed to Gemini\'s Schema, a named tool_choice as ANY with allowedFunctionNames; the call comes back with an id',
    covers: ['tool-definitions'],
    request: { ...hi, messages: [{ role: 'user', content: 'What is the weather like in Boston?' }], tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
    expectBody: (body) => {
      const request = body as { tools: Array<{ functionDeclarations: unknown[] }>; toolConfig: unknown };
      assert.deepEqual(request.tools[0]?.functionDeclarations[0], {
        name: 'get_weather',
        description: 'Get the current weather in a given location',
        parameters: {
          type: 'OBJECT',
          properties: {
            location: { type: 'STRING', description: 'City and state, e.g. San Francisco, CA' },
            unit: { type: 'STRING', nullable: true, enum: ['celsius', 'fahrenheit'] },
            days: { type: 'INTEGER', minimum: 1 },
          },
          required: ['location'],
        },
      });
      noKey(request.tools);
      assert.deepEqual(request.toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    },
    response: { status: 200, body: response([{ functionCall: { name: 'get_weather', args: { location: 'Boston, MA' } } }]) },
    expect: {
      type: 'result',
      completion: { choices: [{ message: { content: null, tool_calls: [{ id: `call_${RESPONSE_ID}_0`, type: 'function', function: { name: 'get_weather', arguments: '{"location":"Boston, MA"}' } }] }, finish_reason: 'tool_calls' }] },
      finishReasons: [{ unified: 'tool_calls', raw: 'STOP' }],
    },
  }),
  chat({
    name: 'tools: a thinking model\'s call keeps its thoughtSignature inside the tool-call id',
    covers: ['tool-definitions'],
    request: { ...hi, tools: [weatherTool], tool_choice: 'required' },
    expectBody: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } },
    response: {
      status: 200,
      body: response([
        { functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: SIGNATURE },
        { functionCall: { name: 'get_weather', args: { location: 'Lyon' } } },
      ]),
    },
    expect: {
      type: 'result',
      completion: {
        choices: [
          {
            message: {
              tool_calls: [
                { id: `call_${RESPONSE_ID}_0__sig__${SIGNATURE_IN_ID}`, function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
                { id: `call_${RESPONSE_ID}_1`, function: { name: 'get_weather', arguments: '{"location":"Lyon"}' } },
              ],
            },
          },
        ],
      },
    },
  }),
  chat({
    name: 'tool results: calls become functionCall parts (signature restored), results functionResponse parts named through the call id',
    covers: ['tool-results'],
    request: {
      model: 'chat',
      messages: [
        { role: 'user', content: 'Weather and time in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: `call_x_0__sig__${SIGNATURE_IN_ID}`, type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_x_1', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: `call_x_0__sig__${SIGNATURE_IN_ID}`, content: '{"temperature":22,"unit":"celsius"}' },
        { role: 'tool', tool_call_id: 'call_x_1', content: [{ type: 'text', text: '14:05' }] },
      ],
      tools: [weatherTool, { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } }],
    },
    expectBody: {
      contents: [
        { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: SIGNATURE },
            // Gemini 2.5 does not check signatures: an unsigned call goes without one.
            { functionCall: { name: 'get_time', args: { tz: 'Europe/Paris' } }, thoughtSignature: undefined },
          ],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 22, unit: 'celsius' } } }, { functionResponse: { name: 'get_time', response: { output: '14:05' } } }],
        },
      ],
    },
    response: { status: 200, body: response([text('It is 22°C in Paris at 14:05.')]) },
    expect: { type: 'result', completion: { choices: [{ message: { content: 'It is 22°C in Paris at 14:05.' }, finish_reason: 'stop' }] } },
  }),
  {
    name: 'tool results: on Gemini 3, a call replayed without a signature (another model made it) gets Google\'s skip sentinel',
    covers: ['tool-results'],
    call: 'chat',
    model: 'gemini-3-pro-preview',
    request: {
      model: 'chat',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: 'sunny, 22°C' },
      ],
      tools: [weatherTool],
    },
    expectRequest: {
      method: 'POST',
      path: '/v1beta/models/gemini-3-pro-preview:generateContent',
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'sunny, 22°C' } } }] },
        ],
      },
    },
    response: { status: 200, body: { ...response([text('Sunny and 22°C.')]), modelVersion: 'gemini-3-pro-preview' } },
    expect: { type: 'result', completion: { choices: [{ message: { content: 'Sunny and 22°C.' } }] } },
  },
  chat({
    name: 'images: an https URL becomes fileData with a MIME type from its extension',
    covers: ['image-url'],
    request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: IMAGE_URL, detail: 'high' } }] }] },
    expectBody: { contents: [{ role: 'user', parts: [{ text: 'What is in this image?' }, { fileData: { mimeType: 'image/jpeg', fileUri: IMAGE_URL } }] }] },
    response: { status: 200, body: response([text('An ant.')]) },
    expect: { type: 'result', completion: { choices: [{ message: { content: 'An ant.' } }] } },
  }),
  chat({
    name: 'images: a base64 data URL becomes inlineData',
    covers: ['image-base64'],
    request: { model: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }, { type: 'text', text: 'Describe it.' }] }] },
    expectBody: { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }, { text: 'Describe it.' }] }] },
    response: { status: 200, body: response([text('A single red pixel.')]) },
    expect: { type: 'result', completion: { choices: [{ message: { content: 'A single red pixel.' } }] } },
  }),
  chat({
    name: 'json mode: json_schema becomes responseMimeType application/json with a narrowed responseSchema',
    covers: ['json-mode'],
    request: {
      ...hi,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'contact', strict: true, schema: { type: 'object', properties: { name: { type: 'string' }, emails: { type: 'array', items: { type: 'string', format: 'email' } } }, required: ['name', 'emails'], additionalProperties: false } },
      },
    },
    expectBody: (body) => {
      const config = (body as { generationConfig: unknown }).generationConfig;
      assert.deepEqual(config, {
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { name: { type: 'STRING' }, emails: { type: 'ARRAY', items: { type: 'STRING' } } }, required: ['name', 'emails'] },
      });
    },
    response: { status: 200, body: response([text('{"name": "Ada", "emails": ["ada@example.com"]}')]) },
    expect: { type: 'result', completion: { choices: [{ message: { content: '{"name": "Ada", "emails": ["ada@example.com"]}' } }] } },
  }),
  chat({
    name: 'json mode: json_object becomes responseMimeType application/json alone',
    covers: ['json-mode'],
    request: { ...hi, response_format: { type: 'json_object' } },
    expectBody: { generationConfig: { responseMimeType: 'application/json', responseSchema: undefined } },
    response: { status: 200, body: response([text('{"greeting": "hi"}')]) },
    expect: { type: 'result', completion: { choices: [{ message: { content: '{"greeting": "hi"}' } }] } },
  }),
  {
    name: 'stream: alt=sse events (a recorded file, CRLF-separated) become content deltas; usage counts thinking tokens as output',
    covers: ['stream-text'],
    call: 'chatStream',
    model: MODEL,
    request: { ...hi, stream_options: { include_usage: true } },
    expectRequest: { method: 'POST', path: STREAM_PATH, query: { alt: 'sse' }, headers: { 'x-goog-api-key': GEMINI_KEY }, body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], stream: undefined } },
    response: { status: 200, headers: { 'content-type': 'text/event-stream' }, file: 'gemini/stream-text.sse.txt' },
    expect: {
      type: 'stream',
      text: 'The sky looks blue because air scatters short wavelengths of sunlight most.',
      finishReason: { unified: 'stop', raw: 'STOP' },
      usage: { inputTokens: 9, outputTokens: 36, cachedInputTokens: 0, reasoningTokens: 24 },
    },
  },
  {
    name: 'stream: a function call arrives whole in one event and becomes a tool-call delta with an id',
    covers: ['stream-tool-calls'],
    call: 'chatStream',
    model: MODEL,
    request: { ...hi, tools: [weatherTool] },
    expectRequest: { method: 'POST', path: STREAM_PATH, query: { alt: 'sse' } },
    response: {
      status: 200,
      sse: [
        {
          data: {
            candidates: [{ content: { parts: [{ functionCall: { name: 'get_weather', args: { location: 'Boston, MA', unit: 'celsius' } }, thoughtSignature: SIGNATURE }], role: 'model' }, finishReason: 'STOP', index: 0 }],
            usageMetadata: usage(70, 22, { thoughtsTokenCount: 31 }),
            modelVersion: MODEL,
            responseId: RESPONSE_ID,
          },
        },
      ],
    },
    expect: {
      type: 'stream',
      text: '',
      toolCalls: [{ id: `call_${RESPONSE_ID}_0__sig__${SIGNATURE_IN_ID}`, name: 'get_weather', arguments: '{"location":"Boston, MA","unit":"celsius"}' }],
      finishReason: { unified: 'tool_calls', raw: 'STOP' },
      usage: { inputTokens: 70, outputTokens: 53, cachedInputTokens: 0, reasoningTokens: 31 },
    },
  },
  chat({
    name: 'usage: cachedContentTokenCount is cached input, thoughtsTokenCount counts as output, thought parts are not text (a recorded file)',
    covers: ['usage-cached-tokens'],
    request: hi,
    response: { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, file: 'gemini/generate-content-cached-thinking.json' },
    expect: {
      type: 'result',
      completion: { model: 'gemini-2.5-pro', choices: [{ message: { content: 'Paris is the capital of France.' } }], usage: { prompt_tokens: 2087, completion_tokens: 58, prompt_tokens_details: { cached_tokens: 2048 } } },
      usage: { inputTokens: 2087, outputTokens: 58, cachedInputTokens: 2048, reasoningTokens: 50 },
    },
  }),
  chat({
    name: 'finish: MAX_TOKENS is length',
    covers: ['finish-length'],
    request: { ...hi, max_tokens: 5 },
    expectBody: { generationConfig: { maxOutputTokens: 5 } },
    response: { status: 200, body: response([text('Hello, how can')], 'MAX_TOKENS') },
    expect: { type: 'result', completion: { choices: [{ finish_reason: 'length' }] }, finishReasons: [{ unified: 'length', raw: 'MAX_TOKENS' }] },
  }),
  chat({
    name: 'finish: RECITATION after some content is content_filter, the content kept',
    covers: ['error-guardrail'],
    request: hi,
    response: { status: 200, body: response([text('It was the best of times,')], 'RECITATION') },
    expect: { type: 'result', completion: { choices: [{ message: { content: 'It was the best of times,' }, finish_reason: 'content_filter' }] }, finishReasons: [{ unified: 'content_filter', raw: 'RECITATION' }] },
  }),
  failing(
    'error: 429 RESOURCE_EXHAUSTED takes its wait from RetryInfo.retryDelay',
    ['error-rate-limit'],
    {
      status: 429,
      body: googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.', [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
              quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
              quotaDimensions: { location: 'global', model: MODEL },
              quotaValue: '250000',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' },
      ]),
    },
    { type: 'error', shape: 'rate_limit_429', status: 429, retryAfterMs: 17_000, message: 'You exceeded your current quota' },
  ),
  failing(
    'error: 429 RESOURCE_EXHAUSTED naming only a per-day quota is quota_exhausted',
    ['error-rate-limit'],
    {
      status: 429,
      body: googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model: MODEL }, quotaValue: '250' }],
        },
      ]),
    },
    { type: 'error', shape: 'quota_exhausted', status: 429 },
  ),
  failing(
    'error: 429 without details falls back to the retry-after header',
    ['error-rate-limit'],
    { status: 429, headers: { 'retry-after': '3' }, body: googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).') },
    { type: 'error', shape: 'rate_limit_429', retryAfterMs: 3_000 },
  ),
  failing('error: 503 UNAVAILABLE is upstream_5xx', ['error-server'], { status: 503, body: googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.') }, { type: 'error', shape: 'upstream_5xx', status: 502, message: 'overloaded' }),
  failing(
    'error: 500 INTERNAL is upstream_5xx',
    ['error-server'],
    { status: 500, body: googleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting') },
    { type: 'error', shape: 'upstream_5xx' },
  ),
  failing('error: 504 DEADLINE_EXCEEDED is a timeout', ['error-server'], { status: 504, body: googleError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.') }, { type: 'error', shape: 'timeout', status: 504 }),
  failing(
    'error: 400 INVALID_ARGUMENT over the input token limit is context_overflow',
    ['error-context-overflow'],
    { status: 400, body: googleError(400, 'INVALID_ARGUMENT', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).') },
    { type: 'error', shape: 'context_overflow', status: 400 },
  ),
  failing(
    'error: any other 400 INVALID_ARGUMENT is the client\'s',
    ['error-context-overflow'],
    { status: 400, body: googleError(400, 'INVALID_ARGUMENT', 'Invalid value at \'generation_config.temperature\' (TYPE_FLOAT), "hot"') },
    { type: 'error', shape: 'client_error', status: 400 },
  ),
  failing(
    'error: 404 NOT_FOUND (a model the deployment names) is not the client\'s fault',
    ['error-server'],
    { status: 404, body: googleError(404, 'NOT_FOUND', 'models/gemini-9-ultra is not found for API version v1beta, or is not supported for generateContent.') },
    { type: 'error', shape: 'unknown_upstream_error', status: 502 },
  ),
  failing(
    'guardrail: a prompt blocked by promptFeedback (no candidates) is guardrail_block',
    ['error-guardrail'],
    { status: 200, body: { promptFeedback: { blockReason: 'SAFETY', safetyRatings: SAFETY_RATINGS }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 }, modelVersion: MODEL, responseId: RESPONSE_ID } },
    { type: 'error', shape: 'guardrail_block', status: 400, message: 'blockReason SAFETY' },
  ),
  failing(
    'guardrail: a SAFETY finish without content is guardrail_block, not an empty answer',
    ['error-guardrail'],
    {
      status: 200,
      body: {
        candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }] }],
        usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
        modelVersion: MODEL,
        responseId: RESPONSE_ID,
      },
    },
    { type: 'error', shape: 'guardrail_block', status: 400 },
  ),
  {
    name: 'guardrail: a blocked prompt on a stream fails before any chunk',
    covers: ['error-guardrail'],
    call: 'chatStream',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: STREAM_PATH },
    response: { status: 200, sse: [{ data: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 }, modelVersion: MODEL, responseId: RESPONSE_ID } }] },
    expect: { type: 'error', shape: 'guardrail_block', status: 400 },
  },
  failing(
    'error: 400 API_KEY_INVALID is auth_error, and the message names no key',
    ['error-auth'],
    {
      status: 400,
      body: googleError(400, 'INVALID_ARGUMENT', `API key not valid. Please pass a valid API key. (${GEMINI_KEY})`, [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
        { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
      ]),
    },
    { type: 'error', shape: 'auth_error', status: 502, message: /^(?![\s\S]*AIza)/ },
  ),
  failing(
    'error: 403 PERMISSION_DENIED is auth_error',
    ['error-auth'],
    { status: 403, body: googleError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.') },
    { type: 'error', shape: 'auth_error' },
  ),
  failing(
    'error: 400 FAILED_PRECONDITION about billing is quota_exhausted',
    ['error-auth'],
    { status: 400, body: googleError(400, 'FAILED_PRECONDITION', 'Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.') },
    { type: 'error', shape: 'quota_exhausted', status: 429 },
  ),
  {
    name: 'stream: an in-band {"error"} event after content fails the stream with its shape',
    covers: ['stream-in-band-error'],
    call: 'chatStream',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: STREAM_PATH, query: { alt: 'sse' } },
    response: {
      status: 200,
      sse: [
        { data: { candidates: [{ content: { parts: [text('Hel')], role: 'model' }, index: 0 }], usageMetadata: { promptTokenCount: 1, totalTokenCount: 1 }, modelVersion: MODEL, responseId: RESPONSE_ID } },
        { data: googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.') },
      ],
    },
    expect: { type: 'stream', text: 'Hel', error: { shape: 'upstream_5xx' } },
  },
  {
    name: 'stream: a body that ends before any finish reason is a cut stream',
    covers: ['stream-in-band-error'],
    call: 'chatStream',
    model: MODEL,
    request: hi,
    expectRequest: { method: 'POST', path: STREAM_PATH },
    response: { status: 200, sse: [{ data: { candidates: [{ content: { parts: [text('Hel')], role: 'model' }, index: 0 }], modelVersion: MODEL, responseId: RESPONSE_ID } }] },
    expect: { type: 'stream', text: 'Hel', error: { shape: 'connection_error' } },
  },
  {
    name: 'embeddings: one input goes to embedContent and answers in the OpenAI shape',
    covers: ['embeddings'],
    call: 'embeddings',
    model: 'gemini-embedding-001',
    request: { model: 'embed', input: 'What is the meaning of life?', dimensions: 3, encoding_format: 'float' },
    expectRequest: {
      method: 'POST',
      path: '/v1beta/models/gemini-embedding-001:embedContent',
      headers: { 'x-goog-api-key': GEMINI_KEY },
      body: { content: { parts: [{ text: 'What is the meaning of life?' }] }, outputDimensionality: 3 },
    },
    response: { status: 200, body: { embedding: { values: [0.0123, -0.0456, 0.0789] } } },
    expect: { type: 'embeddings', embeddings: { object: 'list', model: 'gemini-embedding-001', data: [{ object: 'embedding', index: 0, embedding: [0.0123, -0.0456, 0.0789] }] } },
  },
  {
    name: 'embeddings: several inputs go to batchEmbedContents, each naming the model; base64 as the openai SDK asks',
    covers: ['embeddings'],
    call: 'embeddings',
    model: 'gemini-embedding-001',
    request: { model: 'embed', input: ['first', 'second'], encoding_format: 'base64' },
    expectRequest: {
      method: 'POST',
      path: '/v1beta/models/gemini-embedding-001:batchEmbedContents',
      body: {
        requests: [
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'first' }] } },
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second' }] } },
        ],
      },
    },
    response: { status: 200, body: { embeddings: [{ values: [1, 0] }, { values: [0, 1] }] } },
    expect: { type: 'embeddings', embeddings: { data: [{ index: 0, embedding: 'AACAPwAAAAA=' }, { index: 1, embedding: 'AAAAAAAAgD8=' }] } },
  },
];

export const geminiTarget: ConformanceTarget = {
  provider: 'gemini',
  create: (origin) =>
    createGeminiProvider({
      name: 'gemini',
      type: 'gemini',
      endpoint: { type: 'ai-studio', baseUrl: `${origin}/v1beta`, apiKey: GEMINI_KEY },
      headers: {},
      transport: { connectTimeoutMs: 1_000, maxConnections: 4, proxy: 'none' },
    }),
  fixtures: GEMINI_FIXTURES,
};
