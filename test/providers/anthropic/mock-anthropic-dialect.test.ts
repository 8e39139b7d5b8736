/**
 * The mock's Anthropic dialect, checked with Anthropic's own SDK: if the SDK reads the mock's
 * messages, streams and errors, the mock speaks Anthropic's wire format closely enough to stand in
 * for it in the gateway's tests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';

const KEY = 'mock-anthropic-key-0123456789';

describe('the mock server speaks Anthropic on POST /v1/messages', () => {
  let mock: MockServer;
  let client: Anthropic;
  before(async () => {
    mock = await startMockServer({ name: 'claude-mock', apiKey: KEY });
    client = new Anthropic({ apiKey: KEY, baseURL: mock.origin, maxRetries: 0 });
  });
  after(() => mock.close());

  test('a message answers with text, end_turn and usage, read by the Anthropic SDK', async () => {
    mock.clearFaults();
    const message = await client.messages.create({ model: 'claude-mock-1', max_tokens: 1024, system: 'Be brief.', messages: [{ role: 'user', content: 'hello anthropic' }] });
    assert.equal(message.type, 'message');
    assert.match(message.id, /^msg_01/);
    assert.equal(message.model, 'claude-mock-1');
    assert.equal(message.stop_reason, 'end_turn');
    const first = message.content[0];
    assert.ok(first?.type === 'text');
    assert.match(first.text, /^Mock answer from claude-mock \(claude-mock-1\): hello anthropic/);
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
  });

  test('a stream (with a ping) accumulates into the same message in the SDK', async () => {
    mock.clearFaults();
    const stream = client.messages.stream({ model: 'claude-mock-1', max_tokens: 1024, messages: [{ role: 'user', content: 'stream please' }] });
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'end_turn');
    const first = message.content[0];
    assert.ok(first?.type === 'text');
    assert.match(first.text, /stream please/);
    assert.ok(message.usage.output_tokens > 1, 'message_delta carries the final output tokens');
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(events.filter((type) => type === 'content_block_delta').length >= 3);
  });

  test('a tool the user names is called: tool_use block, stop_reason tool_use, streamed as input_json_delta', async () => {
    mock.clearFaults();
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } }];
    const message = await client.messages.create({ model: 'claude-mock-1', max_tokens: 1024, tools, messages: [{ role: 'user', content: 'call get_weather for Oslo' }] });
    assert.equal(message.stop_reason, 'tool_use');
    const block = message.content[0];
    assert.ok(block?.type === 'tool_use');
    assert.equal(block.name, 'get_weather');
    assert.match(block.id, /^toolu_01/);
    assert.deepEqual(block.input, { city: 'mock' });

    const streamed = await client.messages.stream({ model: 'claude-mock-1', max_tokens: 1024, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'anything' }] }).finalMessage();
    const streamedBlock = streamed.content[0];
    assert.ok(streamedBlock?.type === 'tool_use');
    assert.deepEqual(streamedBlock.input, { city: 'mock' });
  });

  test('an error fault with status 529 is overloaded_error in the Anthropic error body', async () => {
    mock.setFaults([{ kind: 'error', status: 529 }]);
    const err = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.APIError, String(err));
    assert.equal(err.status, 529);
    assert.deepEqual((err.error as { type: string; error: unknown }).type, 'error');
    assert.deepEqual((err.error as { error: unknown }).error, { type: 'overloaded_error', message: 'Overloaded' });
    assert.match(String(err.requestID), /^req_/);
  });

  test('a rate_limit fault is a 429 rate_limit_error with retry-after and anthropic-ratelimit-* headers', async () => {
    mock.setFaults([{ kind: 'rate_limit', retry_after_s: 3 }]);
    const err = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.RateLimitError, String(err));
    assert.equal(err.headers?.get('retry-after'), '3');
    assert.equal(err.headers?.get('anthropic-ratelimit-requests-remaining'), '0');
    assert.match(err.headers?.get('anthropic-ratelimit-requests-reset') ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((err.error as { error: { type: string } }).error.type, 'rate_limit_error');
  });

  test('context_overflow, quota, auth and content_filter (error mode) faults answer in Anthropic words', async () => {
    const cases = [
      { fault: { kind: 'context_overflow' as const, max_context_tokens: 200_000 }, status: 400, type: 'invalid_request_error', message: /^prompt is too long: \d+ tokens > 200000 maximum$/ },
      { fault: { kind: 'quota' as const }, status: 400, type: 'invalid_request_error', message: /credit balance is too low/ },
      { fault: { kind: 'auth' as const }, status: 401, type: 'authentication_error', message: /^invalid x-api-key$/ },
      { fault: { kind: 'content_filter' as const, mode: 'error' as const }, status: 400, type: 'invalid_request_error', message: /^Output blocked by content filtering policy$/ },
    ];
    for (const { fault, status, type, message } of cases) {
      mock.setFaults([fault]);
      const err = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof Anthropic.APIError, `${fault.kind}: ${String(err)}`);
      assert.equal(err.status, status, fault.kind);
      const body = (err.error as { error: { type: string; message: string } }).error;
      assert.equal(body.type, type, fault.kind);
      assert.match(body.message, message, fault.kind);
    }
  });

  test('a content_filter fault (finish_reason mode) answers stop_reason refusal with no content', async () => {
    mock.setFaults([{ kind: 'content_filter' }]);
    const message = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(message.stop_reason, 'refusal');
    assert.deepEqual(message.content, []);
    const streamed = await client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    assert.equal(streamed.stop_reason, 'refusal');
  });

  test('a stream_error fault sends an in-band `event: error` with overloaded_error, which the SDK raises', async () => {
    mock.setFaults([{ kind: 'stream_error', after_chunks: 2 }]);
    const stream = client.messages.stream({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'stream and fail' }] });
    let text = '';
    stream.on('text', (piece) => (text += piece));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    assert.ok(err instanceof Error, String(err));
    assert.match(String(err.message), /overloaded_error|Overloaded/);
    assert.ok(text.length > 0, 'the content before the error arrived');
  });

  test('a wrong or missing x-api-key is a 401 authentication_error; a missing anthropic-version is a 400', async () => {
    mock.clearFaults();
    const wrong = new Anthropic({ apiKey: 'not-the-key', baseURL: mock.origin, maxRetries: 0 });
    const err = await wrong.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.AuthenticationError, String(err));

    const missingKey = await fetch(`${mock.origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(missingKey.status, 401);
    assert.deepEqual(((await missingKey.json()) as { error: unknown }).error, { type: 'authentication_error', message: 'x-api-key header is required' });

    const body = JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    const noVersion = await fetch(`${mock.origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body });
    assert.equal(noVersion.status, 400);
    assert.deepEqual(((await noVersion.json()) as { error: unknown }).error, { type: 'invalid_request_error', message: 'anthropic-version: header is required' });

    const noMaxTokens = await fetch(`${mock.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(noMaxTokens.status, 400);
    assert.deepEqual(((await noMaxTokens.json()) as { error: unknown }).error, { type: 'invalid_request_error', message: 'max_tokens: Field required' });
  });
});
