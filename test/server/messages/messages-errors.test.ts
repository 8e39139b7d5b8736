import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import { setFaults, startMockGateway } from '../../helpers/mock-gateway.js';
import { CLIENT_KEY, startAnthropicGateway, type AnthropicFixture } from './anthropic-fixture.js';

/** A small body limit, so the 413 test needs no large upload. */
const MAX_BODY_BYTES = 16 * 1024;

interface AnthropicErrorBody {
  type: string;
  error: { type: string; message: string };
  request_id: string;
}

async function post(fx: AnthropicFixture, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; headers: Headers; error: AnthropicErrorBody }> {
  const res = await fetch(`${fx.gw.url}/v1/messages`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, error: anthropicError(text, res.headers) };
}

/** Checks the body is Anthropic's error shape, and nothing else. */
function anthropicError(text: string, headers: Headers): AnthropicErrorBody {
  assert.match(headers.get('content-type') ?? '', /application\/json/);
  const body = JSON.parse(text) as AnthropicErrorBody;
  assert.equal(body.type, 'error');
  assert.deepEqual(Object.keys(body).sort(), ['error', 'request_id', 'type']);
  assert.deepEqual(Object.keys(body.error).sort(), ['message', 'type']);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 5);
  assert.equal(body.request_id, headers.get('request-id'));
  return body;
}

const USER = [{ role: 'user' as const, content: 'hi' }];

describe('errors on /v1/messages come back in Anthropic shape and the SDK raises the right class', () => {
  let fx: AnthropicFixture;
  before(async () => {
    fx = await startAnthropicGateway({ max_body_bytes: MAX_BODY_BYTES });
  });
  after(() => fx.close());

  test('malformed JSON is a 400 invalid_request_error', async () => {
    const reply = await post(fx, '{"model": "chat", "messages": [');
    assert.equal(reply.status, 400);
    assert.equal(reply.error.error.type, 'invalid_request_error');
    assert.match(reply.error.error.message, /JSON/);
  });

  test('an empty body is a 400 invalid_request_error', async () => {
    const reply = await post(fx, '');
    assert.equal(reply.status, 400);
    assert.equal(reply.error.error.type, 'invalid_request_error');
  });

  test('a body over the limit is a 413 request_too_large', async () => {
    const reply = await post(fx, JSON.stringify({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY_BYTES) }] }));
    assert.equal(reply.status, 413);
    assert.equal(reply.error.error.type, 'request_too_large');
  });

  test('a form content type is a 415 invalid_request_error saying to send JSON', async () => {
    const reply = await post(fx, '{}', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(reply.status, 415);
    assert.equal(reply.error.error.type, 'invalid_request_error');
    assert.match(reply.error.error.message, /application\/json/);
  });

  test('a missing max_tokens is a BadRequestError naming max_tokens, and no upstream is called', async () => {
    const before = fx.upstream.requests.length;
    const params = { model: 'recorded', messages: USER } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const err = await fx.anthropic.messages.create(params).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.BadRequestError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.apiMessage, 'max_tokens: Field required');
    assert.ok(err.requestID);
    assert.equal(fx.upstream.requests.length, before);
  });

  test('a malformed field is a 400 naming its path', async () => {
    const reply = await post(fx, JSON.stringify({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }] }] }));
    assert.equal(reply.status, 400);
    assert.match(reply.error.error.message, /^messages\.0\.content\.0\.source/);
    const role = await post(fx, JSON.stringify({ model: 'chat', max_tokens: 10, messages: [{ role: 'robot', content: 'x' }] }));
    assert.match(role.error.error.message, /^messages\.0\.role: /);
    const temperature = await post(fx, JSON.stringify({ model: 'chat', max_tokens: 10, temperature: 3, messages: USER }));
    assert.match(temperature.error.error.message, /^temperature: /);
  });

  test('a document block cannot be translated: a 400 naming the block', async () => {
    const err = await fx.anthropic.messages
      .create({
        model: 'chat',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Read this' }, { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } }] }],
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.BadRequestError);
    assert.match(err.apiMessage ?? '', /^messages\.0\.content\.1: Content blocks of type "document" cannot be passed/);
  });

  test('a server tool is a 400 that says why', async () => {
    const serverTool = await post(fx, JSON.stringify({ model: 'chat', max_tokens: 10, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: USER }));
    assert.equal(serverTool.status, 400);
    assert.match(serverTool.error.error.message, /^tools\.0\.type: .*server tools/);
  });

  test('a thinking block in an assistant turn is no longer a 400 (regression: it was refused as untranslatable)', async () => {
    const message = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }] }, { role: 'user', content: 'go on' }] });
    assert.equal(message.type, 'message');
  });

  test('invalid thinking is a BadRequestError in Anthropic shape naming the field, on messages and count_tokens alike', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'enabled', budget_tokens: 1000 }, /^thinking\.budget_tokens: .*1024/],
      [{ type: 'enabled', budget_tokens: 2048 }, /^thinking\.budget_tokens: .*less than max_tokens/],
      [{ type: 'enabled' }, /^thinking\.budget_tokens: Field required/],
      [{ type: 'always' }, /^thinking\.type: /],
    ];
    for (const [thinking, message] of cases) {
      const reply = await post(fx, JSON.stringify({ model: 'chat', max_tokens: 2048, thinking, messages: USER }));
      assert.equal(reply.status, 400, JSON.stringify(thinking));
      assert.equal(reply.error.error.type, 'invalid_request_error');
      assert.match(reply.error.error.message, message);
    }
    const err = await fx.anthropic.messages.countTokens({ model: 'chat', thinking: { type: 'enabled', budget_tokens: 100 }, messages: USER }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.BadRequestError, String(err));
    assert.match(err.apiMessage ?? '', /^thinking\.budget_tokens: /);
  });

  test('an unknown model is a NotFoundError with not_found_error', async () => {
    const err = await fx.anthropic.messages.create({ model: 'claude-nope', max_tokens: 10, messages: USER }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.NotFoundError, String(err));
    assert.equal(err.type, 'not_found_error');
    assert.match(err.message, /claude-nope/);
    const count = await fx.anthropic.messages.countTokens({ model: 'claude-nope', messages: USER }).catch((e: unknown) => e);
    assert.ok(count instanceof Anthropic.NotFoundError);
  });

  test('an upstream 429 is a RateLimitError with rate_limit_error and the retry-after the upstream gave', async () => {
    setFaults(fx.gw, 'primary', [{ kind: 'rate_limit', retry_after_s: 7 }]);
    try {
      const err = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 10, messages: USER }).catch((e: unknown) => e);
      assert.ok(err instanceof Anthropic.RateLimitError, String(err));
      assert.equal(err.status, 429);
      assert.equal(err.type, 'rate_limit_error');
      assert.equal(err.headers?.get('retry-after'), '7');
      assert.equal(err.headers?.get('x-switchyard-route'), 'chat', 'the served headers are kept on errors');
    } finally {
      setFaults(fx.gw, 'primary', []);
    }
  });

  test('every deployment failing is a 502 api_error that shows no upstream key', async () => {
    setFaults(fx.gw, 'flaky', [{ kind: 'error', status: 500 }]);
    setFaults(fx.gw, 'backup', [{ kind: 'error', status: 500 }]);
    try {
      const err = await fx.anthropic.messages.create({ model: 'fallback', max_tokens: 10, messages: USER }).catch((e: unknown) => e);
      assert.ok(err instanceof Anthropic.InternalServerError, String(err));
      assert.equal(err.status, 502);
      assert.equal(err.type, 'api_error');
      assert.ok(!JSON.stringify(err.error).includes('sk-'));
    } finally {
      setFaults(fx.gw, 'flaky', []);
      setFaults(fx.gw, 'backup', []);
    }
  });

  test('an error after the stream started arrives as an error event, which the SDK raises', async () => {
    setFaults(fx.gw, 'primary', [{ kind: 'stream_error', after_chunks: 3 }]);
    try {
      const stream = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'a long answer please' }] });
      let text = '';
      const err = await (async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
        }
      })().catch((e: unknown) => e);
      assert.ok(text.length > 0, 'some text came before the error');
      assert.ok(err instanceof Anthropic.APIError, String(err));
      assert.ok(err.type === 'api_error' || err.type === 'overloaded_error', `type ${err.type}`);
    } finally {
      setFaults(fx.gw, 'primary', []);
    }
  });

  test('a client that leaves mid-stream cancels the upstream stream, and the gateway keeps serving', async () => {
    fx.upstream.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = { id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'first words' }, finish_reason: null }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      // ...and nothing more: only the gateway's cancel ends this exchange.
    });
    const before = fx.upstream.requests.length;
    const controller = new AbortController();
    const stream = await fx.anthropic.messages.create({ model: 'recorded', max_tokens: 256, stream: true, messages: USER }, { signal: controller.signal });
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'content_block_delta') controller.abort();
    }
    assert.deepEqual(seen, ['message_start', 'content_block_start', 'content_block_delta']);
    const upstreamRequest = fx.upstream.requests[before];
    assert.ok(upstreamRequest);
    const closed = await Promise.race([upstreamRequest.closedEarly.then(() => true), sleep(2000).then(() => false)]);
    assert.ok(closed, 'the upstream connection was closed well before any timeout');
    const next = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 50, messages: USER });
    assert.equal(next.type, 'message');
  });

  test("the client's x-api-key never reaches the upstream", async () => {
    const before = fx.upstream.requests.length;
    fx.upstream.respond((_req, res) => {
      const text = JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
    await fx.anthropic.messages.create({ model: 'recorded', max_tokens: 10, messages: USER });
    const seen = fx.upstream.requests[before];
    assert.ok(seen);
    assert.ok(!JSON.stringify(seen.headers).includes(CLIENT_KEY));
  });
});

describe('/v1/messages refusals before the handler', () => {
  test('a wrong method and an unknown subpath are answered in Anthropic\'s shape', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    for (const [method, path, status] of [['GET', '/v1/messages', 405], ['POST', '/v1/messages/nope', 404]] as const) {
      const res = await fetch(`${gw.url}${path}`, { method });
      assert.equal(res.status, status);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error');
      assert.equal(typeof body.error.message, 'string');
    }
  });
});
