/**
 * Every fault kind of the mock, worded as Gemini words it (the mock's Gemini dialect), reaches the
 * gateway through the real Gemini adapter as the failure shape the fallback engine acts on. Also
 * the dialect itself: Gemini's paths, key header, error details and schema strictness.
 */
import { NEVER_CANCELLED } from '../../../src/cancel.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayError, type FailureShape } from '../../../src/errors.js';
import { mockProvider, startMockServer, type FaultControl, type FaultSpec, type MockServer } from '../../../src/providers/mock/index.js';
import type { ChatCall, Provider } from '../../../src/providers/types.js';
import { createRawClient } from '../mock/raw-client.js';

const TIMEOUTS = { firstByteMs: 2_000, idleMs: 1_000, totalMs: 5_000 };
const KEY = 'AIzaSyMockFaultsKey-0123456789abcdefghi';

function chatCall(content: string, stream = false): ChatCall {
  return { model: 'gemini-2.5-flash', cancel: NEVER_CANCELLED, timeouts: TIMEOUTS, body: { model: 'route', messages: [{ role: 'user', content }], ...(stream ? { stream: true } : {}) } };
}

async function drain(provider: Provider, call: ChatCall): Promise<{ content: number }> {
  const stream = await provider.chatStream(call);
  let content = 0;
  for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next()) if (next.value.hasContent) content++;
  return { content };
}

const CASES: Array<{ name: string; fault: FaultSpec; stream: boolean; shape: FailureShape; retryAfterMs?: number; status?: number }> = [
  { name: '503 UNAVAILABLE', fault: { kind: 'error', status: 503 }, stream: false, shape: 'upstream_5xx', status: 502 },
  { name: '500 INTERNAL', fault: { kind: 'error', status: 500 }, stream: false, shape: 'upstream_5xx' },
  { name: '504 DEADLINE_EXCEEDED', fault: { kind: 'error', status: 504 }, stream: false, shape: 'timeout', status: 504 },
  { name: '429 RESOURCE_EXHAUSTED with RetryInfo', fault: { kind: 'rate_limit', retry_after_s: 12 }, stream: false, shape: 'rate_limit_429', retryAfterMs: 12_000, status: 429 },
  { name: 'RetryInfo with a fraction of a second', fault: { kind: 'rate_limit', retry_after_ms: 250 }, stream: true, shape: 'rate_limit_429', retryAfterMs: 250 },
  { name: 'a per-day quota', fault: { kind: 'quota' }, stream: false, shape: 'quota_exhausted', status: 429 },
  { name: 'API_KEY_INVALID', fault: { kind: 'auth' }, stream: false, shape: 'auth_error' },
  { name: 'input token count over the limit', fault: { kind: 'context_overflow', max_context_tokens: 1000 }, stream: false, shape: 'context_overflow', status: 400 },
  { name: 'a blocked prompt (promptFeedback)', fault: { kind: 'content_filter', mode: 'error' }, stream: false, shape: 'guardrail_block', status: 400 },
  { name: 'a SAFETY finish with no content', fault: { kind: 'content_filter' }, stream: false, shape: 'guardrail_block' },
  { name: 'a SAFETY finish on a stream', fault: { kind: 'content_filter' }, stream: true, shape: 'guardrail_block' },
  { name: 'an in-band error event mid-stream', fault: { kind: 'stream_error', after_chunks: 2 }, stream: true, shape: 'upstream_5xx' },
  { name: 'a stream cut mid-way', fault: { kind: 'stream_cut', after_chunks: 2 }, stream: true, shape: 'connection_error' },
  { name: 'a body cut mid-way', fault: { kind: 'stream_cut' }, stream: false, shape: 'connection_error' },
  { name: 'a connection reset', fault: { kind: 'reset' }, stream: false, shape: 'connection_error' },
  { name: 'a stream that stalls', fault: { kind: 'hang', after_chunks: 1 }, stream: true, shape: 'timeout' },
];

describe('mock faults in Gemini words, through the Gemini adapter', () => {
  let provider: Provider & { faults?: FaultControl };
  before(async () => {
    provider = await mockProvider.create(mockProvider.options.parse({ type: 'mock', wire: 'gemini', api_key: KEY }), { name: 'gem' });
  });
  after(() => provider.close());

  for (const item of CASES) {
    test(`${item.name} (${item.stream ? 'stream' : 'whole'}) is ${item.shape}`, async () => {
      provider.faults?.set([{ ...item.fault, count: 1 } as FaultSpec]);
      const run = item.stream ? drain(provider, chatCall('hello there friend', true)) : provider.chat(chatCall('hello there friend'));
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof GatewayError, String(err));
        assert.equal(err.shape, item.shape, err.message);
        if (item.retryAfterMs !== undefined) assert.equal(err.retryAfterMs, item.retryAfterMs);
        if (item.status !== undefined) assert.equal(err.status, item.status);
        assert.ok(!err.message.includes(KEY));
        return true;
      });
      // The fault was spent: the next call is answered.
      await provider.chat(chatCall('again'));
    });
  }

  test('embeddings faults map too: a 429 on batchEmbedContents is rate_limit_429', async () => {
    provider.faults?.set([{ kind: 'rate_limit', retry_after_s: 2, count: 1 }]);
    await assert.rejects(
      provider.embeddings({ model: 'gemini-embedding-001', cancel: NEVER_CANCELLED, timeouts: TIMEOUTS, body: { model: 'x', input: ['a', 'b'] } }),
      (err: unknown) => err instanceof GatewayError && err.shape === 'rate_limit_429' && err.retryAfterMs === 2_000,
    );
  });
});

describe('the mock Gemini dialect on the wire', () => {
  let mock: MockServer;
  const raw = createRawClient();
  before(async () => {
    mock = await startMockServer({ name: 'wire', apiKey: KEY });
  });
  after(async () => {
    await mock.close();
    await raw.agent.close();
  });
  const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

  test('the key goes in x-goog-api-key (or ?key=); none is 403 PERMISSION_DENIED, a wrong one 400 API_KEY_INVALID', async () => {
    const url = `${mock.origin}/v1beta/models/gemini-2.5-flash:generateContent`;
    assert.equal((await raw.post(url, body, { 'x-goog-api-key': KEY })).status, 200);
    assert.equal((await raw.post(`${url}?key=${KEY}`, body)).status, 200);
    const missing = await raw.post(url, body);
    assert.equal(missing.status, 403);
    assert.equal(JSON.parse(missing.text).error.status, 'PERMISSION_DENIED');
    const wrong = await raw.post(url, body, { 'x-goog-api-key': 'AIzaWrong' });
    assert.equal(wrong.status, 400);
    assert.equal(JSON.parse(wrong.text).error.details[0].reason, 'API_KEY_INVALID');
  });

  test('a function schema with a key Gemini lacks is refused as Gemini refuses it', async () => {
    const res = await raw.post(
      `${mock.origin}/v1beta/models/gemini-2.5-flash:generateContent`,
      { ...body, tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, additionalProperties: false } }] }] },
      { 'x-goog-api-key': KEY },
    );
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.text).error.message, /Unknown name "additionalProperties"/);
  });

  test('for Gemini 3 models a replayed function call without its thought signature is refused', async () => {
    const replay = {
      contents: [
        { role: 'user', parts: [{ text: 'weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'cold' } } }] },
      ],
    };
    const url = `${mock.origin}/v1beta/models/gemini-3-pro-preview:generateContent`;
    const refused = await raw.post(url, replay, { 'x-goog-api-key': KEY });
    assert.equal(refused.status, 400);
    assert.match(JSON.parse(refused.text).error.message, /missing a thought_signature/);
    const signed = structuredClone(replay);
    (signed.contents[1]?.parts[0] as Record<string, unknown>).thoughtSignature = 'c2lnbmF0dXJl';
    assert.equal((await raw.post(url, signed, { 'x-goog-api-key': KEY })).status, 200);
  });

  test('a 429 carries the QuotaFailure, Help and RetryInfo details Gemini attaches', async () => {
    mock.setFaults([{ kind: 'rate_limit', retry_after_s: 7, count: 1 }]);
    const res = await raw.post(`${mock.origin}/v1beta/models/gemini-2.5-flash:generateContent`, body, { 'x-goog-api-key': KEY });
    const error = JSON.parse(res.text).error;
    assert.equal(res.status, 429);
    assert.equal(error.status, 'RESOURCE_EXHAUSTED');
    assert.deepEqual(
      error.details.map((detail: { '@type': string }) => detail['@type']),
      ['type.googleapis.com/google.rpc.QuotaFailure', 'type.googleapis.com/google.rpc.Help', 'type.googleapis.com/google.rpc.RetryInfo'],
    );
    assert.equal(error.details[2].retryDelay, '7s');
  });

  test('streamGenerateContent without alt=sse streams one JSON array; with it, CRLF-separated data events', async () => {
    const array = await raw.post(`${mock.origin}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, body, { 'x-goog-api-key': KEY });
    const items = JSON.parse(array.text) as Array<{ candidates: Array<{ finishReason?: string }> }>;
    assert.ok(items.length > 1);
    assert.equal(items.at(-1)?.candidates[0]?.finishReason, 'STOP');
    const sse = await raw.post(`${mock.origin}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, body, { 'x-goog-api-key': KEY });
    assert.match(sse.text, /^data: \{.*\}\r\n\r\n/);
  });

  test('Vertex paths take the bearer token and answer embedContent with a token count', async () => {
    const res = await raw.post(
      `${mock.origin}/v1/projects/p/locations/global/publishers/google/models/gemini-embedding-001:embedContent`,
      { content: { parts: [{ text: 'embed me' }] } },
      { authorization: `Bearer ${KEY}` },
    );
    assert.equal(res.status, 200);
    const parsed = JSON.parse(res.text);
    assert.equal(parsed.embedding.values.length, 16);
    assert.ok(parsed.usageMetadata.promptTokenCount > 0);
  });
});
