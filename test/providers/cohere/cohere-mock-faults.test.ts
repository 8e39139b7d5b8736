/**
 * Every fault kind of the mock, worded as Cohere words it (the mock's Cohere dialect), reaches the
 * gateway through the real Cohere adapter as the failure shape the fallback engine acts on.
 */
import { NEVER_CANCELLED } from '../../../src/cancel.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayError, type FailureShape } from '../../../src/errors.js';
import { mockProvider, startMockServer, type FaultControl, type FaultSpec, type MockServer } from '../../../src/providers/mock/index.js';
import type { ChatCall, Provider } from '../../../src/providers/types.js';
import { createRawClient } from '../mock/raw-client.js';

const TIMEOUTS = { firstByteMs: 2_000, idleMs: 1_000, totalMs: 5_000 };
const KEY = 'co-mock-faults-0123456789abcdefghijklmn';

function chatCall(content: string, stream = false): ChatCall {
  return { model: 'command-a-03-2025', cancel: NEVER_CANCELLED, timeouts: TIMEOUTS, body: { model: 'route', messages: [{ role: 'user', content }], ...(stream ? { stream: true } : {}) } };
}

async function drain(provider: Provider, call: ChatCall): Promise<void> {
  const stream = await provider.chatStream(call);
  for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next());
}

const CASES: Array<{ name: string; fault: FaultSpec; stream: boolean; shape: FailureShape; retryAfterMs?: number; status?: number }> = [
  { name: '503', fault: { kind: 'error', status: 503 }, stream: false, shape: 'upstream_5xx', status: 502 },
  { name: '500 on a stream request', fault: { kind: 'error', status: 500 }, stream: true, shape: 'upstream_5xx' },
  { name: '429 with retry-after', fault: { kind: 'rate_limit', retry_after_s: 3 }, stream: false, shape: 'rate_limit_429', retryAfterMs: 3_000, status: 429 },
  { name: '402 payment required', fault: { kind: 'quota' }, stream: false, shape: 'quota_exhausted', status: 429 },
  { name: '401 invalid api token', fault: { kind: 'auth' }, stream: false, shape: 'auth_error' },
  { name: '400 too many tokens', fault: { kind: 'context_overflow', max_context_tokens: 4000 }, stream: false, shape: 'context_overflow', status: 400 },
  { name: 'an ERROR_TOXIC stop with no content', fault: { kind: 'content_filter' }, stream: false, shape: 'guardrail_block', status: 400 },
  { name: 'an ERROR_TOXIC stop on a stream', fault: { kind: 'content_filter', mode: 'error' }, stream: true, shape: 'guardrail_block' },
  { name: 'message-end with an error mid-stream', fault: { kind: 'stream_error', after_chunks: 3 }, stream: true, shape: 'upstream_5xx' },
  { name: 'a stream cut before message-end', fault: { kind: 'stream_cut', after_chunks: 3 }, stream: true, shape: 'connection_error' },
  { name: 'a connection reset', fault: { kind: 'reset' }, stream: false, shape: 'connection_error' },
  { name: 'a stream that stalls', fault: { kind: 'hang', after_chunks: 1 }, stream: true, shape: 'timeout' },
];

describe('mock faults in Cohere words, through the Cohere adapter', () => {
  let provider: Provider & { faults?: FaultControl };
  before(async () => {
    provider = await mockProvider.create(mockProvider.options.parse({ type: 'mock', wire: 'cohere', api_key: KEY }), { name: 'co' });
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
      await provider.chat(chatCall('again'));
    });
  }
});

describe('the mock Cohere dialect on the wire', () => {
  let mock: MockServer;
  const raw = createRawClient();
  before(async () => {
    mock = await startMockServer({ name: 'wire', apiKey: KEY });
  });
  after(async () => {
    await mock.close();
    await raw.agent.close();
  });

  test('the key is a bearer token; a wrong one is 401 "invalid api token"', async () => {
    const body = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hi' }] };
    assert.equal((await raw.post(`${mock.origin}/v2/chat`, body, { authorization: `Bearer ${KEY}` })).status, 200);
    const wrong = await raw.post(`${mock.origin}/v2/chat`, body, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.equal(JSON.parse(wrong.text).message, 'invalid api token');
  });

  test('a stream is named SSE events ending with data: [DONE]', async () => {
    const res = await raw.post(`${mock.origin}/v2/chat`, { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hi' }], stream: true }, { authorization: `Bearer ${KEY}` });
    const names = [...res.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    assert.equal(names[0], 'message-start');
    assert.equal(names.at(-1), 'message-end');
    assert.ok(names.includes('content-delta'));
    assert.match(res.text, /data: \[DONE\]\n\n$/);
  });

  test('embed requires an input_type, as Cohere v3+ models do', async () => {
    const res = await raw.post(`${mock.origin}/v2/embed`, { model: 'embed-v4.0', texts: ['a'] }, { authorization: `Bearer ${KEY}` });
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.text).message, /input_type/);
  });
});
