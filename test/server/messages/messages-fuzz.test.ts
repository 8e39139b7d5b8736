import assert from 'node:assert/strict';
import { request as rawRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startAnthropicGateway, type AnthropicFixture } from './anthropic-fixture.js';

interface Reply {
  status: number;
  contentType: string;
  requestId: string | undefined;
  text: string;
}

function send(url: string, path: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = rawRequest(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          requestId: res.headers['request-id'] as string | undefined,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Fails unless the reply is exactly Anthropic's error shape. */
function assertAnthropicError(reply: Reply, what: string): void {
  assert.match(reply.contentType, /application\/json/, what);
  const body = JSON.parse(reply.text) as { type: unknown; error: { type: unknown; message: unknown }; request_id: unknown };
  assert.equal(body.type, 'error', what);
  assert.equal(typeof body.error.type, 'string', what);
  assert.ok(typeof body.error.message === 'string' && body.error.message.length > 5, what);
  assert.equal(body.request_id, reply.requestId, what);
}

const anyValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));

const block = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()) }),
  fc.record({ type: fc.constant('image'), source: fc.oneof(fc.record({ type: fc.constantFrom('base64', 'url', 'file'), media_type: fc.constantFrom('image/png', ''), data: fc.base64String({ maxLength: 16 }), url: fc.webUrl() }, { requiredKeys: ['type'] }), anyValue) }),
  fc.record({ type: fc.constant('tool_use'), id: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()), name: fc.constantFrom('get_weather', '', 'other'), input: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), anyValue) }, { requiredKeys: ['type'] }),
  fc.record(
    {
      type: fc.constant('tool_result'),
      tool_use_id: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
      content: fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.record({ type: fc.constantFrom('text', 'image', 'document'), text: fc.string({ maxLength: 10 }) }), { maxLength: 2 }), anyValue),
      is_error: fc.oneof(fc.boolean(), anyValue),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constantFrom('thinking', 'redacted_thinking'), thinking: fc.oneof(fc.string({ maxLength: 20 }), anyValue), signature: fc.oneof(fc.string({ maxLength: 12 }), anyValue), data: fc.oneof(fc.string({ maxLength: 12 }), anyValue) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constantFrom('document', 'thinking', 'redacted_thinking', 'search_result', 'server_tool_use', 'nonsense') }),
  anyValue,
);

const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool'), anyValue),
    content: fc.oneof(fc.string({ maxLength: 40 }), fc.array(block, { maxLength: 4 }), anyValue),
  },
  { requiredKeys: [] },
);

const tool = fc.record(
  {
    name: fc.oneof(fc.constantFrom('get_weather', 'lookup'), anyValue),
    type: fc.oneof(fc.constantFrom('custom', 'web_search_20250305'), anyValue),
    description: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    input_schema: fc.oneof(fc.constant({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }), fc.constant({ type: 'object' }), fc.constant({ type: 'string' }), anyValue),
  },
  { requiredKeys: [] },
);

const messagesBody = fc.record(
  {
    model: fc.oneof(fc.constant('chat'), fc.constant('chat'), fc.string({ maxLength: 10 }), anyValue),
    max_tokens: fc.oneof(fc.integer({ min: -2, max: 400 }), fc.double(), anyValue),
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), anyValue),
    system: fc.oneof(fc.string({ maxLength: 20 }), fc.array(block, { maxLength: 2 }), anyValue),
    stream: fc.oneof(fc.boolean(), anyValue),
    tools: fc.oneof(fc.array(tool, { maxLength: 2 }), anyValue),
    tool_choice: fc.oneof(fc.record({ type: fc.constantFrom('auto', 'any', 'tool', 'none', 'bogus'), name: fc.constantFrom('get_weather', 'missing'), disable_parallel_tool_use: fc.boolean() }, { requiredKeys: ['type'] }), anyValue),
    temperature: fc.oneof(fc.double({ min: -1, max: 3, noNaN: true }), anyValue),
    top_p: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), anyValue),
    top_k: fc.oneof(fc.integer({ min: -1, max: 100 }), anyValue),
    stop_sequences: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }), anyValue),
    metadata: fc.oneof(fc.record({ user_id: anyValue }), anyValue),
    thinking: fc.oneof(fc.record({ type: fc.oneof(fc.constantFrom('enabled', 'disabled', 'adaptive', 'between_tools', 'bogus'), anyValue), budget_tokens: fc.oneof(fc.integer({ min: 0, max: 2000 }), anyValue) }, { requiredKeys: ['type'] }), anyValue),
    output_config: fc.oneof(fc.record({ effort: fc.oneof(fc.constantFrom('low', 'medium', 'high', 'xhigh', 'max', 'bogus'), anyValue) }), anyValue),
  },
  { requiredKeys: [] },
);

/** Bodies that are valid, so the property also covers what gets served (text, tools, streams). */
const validBlock = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.string({ minLength: 1, maxLength: 40 }) }),
  fc.record({ type: fc.constant('image'), source: fc.record({ type: fc.constant('base64'), media_type: fc.constant('image/png'), data: fc.constant('iVBORw0KGgo=') }) }),
);
const validBody = fc.record(
  {
    model: fc.constant('chat'),
    max_tokens: fc.integer({ min: 1, max: 400 }),
    messages: fc.array(fc.record({ role: fc.constant('user'), content: fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.array(validBlock, { minLength: 1, maxLength: 3 })) }), { minLength: 1, maxLength: 3 }),
    system: fc.string({ maxLength: 30 }),
    stream: fc.boolean(),
    tools: fc.constant([{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]),
    tool_choice: fc.record({ type: fc.constantFrom('auto', 'any', 'none') }),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    stop_sequences: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 2 }),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
);

const anyBody = fc.oneof(
  { weight: 3, arbitrary: validBody.map((body) => JSON.stringify(body)) },
  { weight: 6, arbitrary: messagesBody.map((body) => JSON.stringify(body)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
);

describe('fuzz: /v1/messages', () => {
  let fx: AnthropicFixture;
  before(async () => {
    fx = await startAnthropicGateway();
  });
  after(() => fx.close());

  test('random bodies never get a 5xx, every error is well-formed Anthropic, every 200 a message or a complete event stream', async () => {
    let served = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, fc.constantFrom('/v1/messages', '/v1/messages/count_tokens'), async (body, path) => {
        const reply = await send(fx.gw.url, path, body);
        const what = `${path} ${body.slice(0, 300)} -> ${reply.status} ${reply.text.slice(0, 300)}`;
        assert.ok(reply.status < 500, what);
        if (reply.status >= 400) {
          assertAnthropicError(reply, what);
          return;
        }
        assert.equal(reply.status, 200, what);
        served++;
        if (reply.contentType.startsWith('text/event-stream')) {
          assert.ok(reply.text.startsWith('event: message_start\n'), what);
          assert.ok(reply.text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'), what);
        } else if (path.endsWith('count_tokens')) {
          assert.equal(typeof (JSON.parse(reply.text) as { input_tokens: unknown }).input_tokens, 'number', what);
        } else {
          assert.equal((JSON.parse(reply.text) as { type: unknown }).type, 'message', what);
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(served > 0, 'some random bodies were valid and served');
  });
});
