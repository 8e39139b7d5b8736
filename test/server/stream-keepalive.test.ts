/**
 * A stream whose first content is slow gets its response head and SSE comments while it waits
 * (server.stream_keepalive_ms), so that a proxy's idle timeout cannot cut it, and it can still fall
 * back: what served is told in a comment, and a failure ends in-band. Real sockets, the real
 * `openai` and `@anthropic-ai/sdk` clients, mock providers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIError } from 'openai';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { mockGatewayConfig, setFaults, userBody } from '../helpers/mock-gateway.js';
import { WAITING_COMMENT } from '../../src/server/hold-stream-head.js';
import Anthropic from '@anthropic-ai/sdk';

const KEEPALIVE_MS = 100;

async function start(t: { after(fn: () => Promise<void>): void }, keepaliveMs: number, firstByteMs = 5000): Promise<GatewayFixture> {
  const config = mockGatewayConfig({ mocks: ['primary', 'backup'], route: { timeouts: { first_byte_ms: firstByteMs, idle_ms: 5000, total_ms: 10000 } } });
  const gw = await startGateway({ ...config, server: { ...config.server, stream_keepalive_ms: keepaliveMs } });
  t.after(() => gw.close());
  return gw;
}

interface TimedStream {
  status: number;
  headers: Headers;
  /** ms from sending to the first body bytes. */
  firstBytesMs: number;
  body: string;
}

/** A streamed chat request, read as raw text, with the time its first bytes came. */
async function streamRaw(gw: GatewayFixture, path = '/v1/chat/completions', body: unknown = userBody('hello there', { stream: true })): Promise<TimedStream> {
  const started = performance.now();
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let firstBytesMs = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (firstBytesMs < 0) firstBytesMs = performance.now() - started;
    text += decoder.decode(value, { stream: true });
  }
  return { status: res.status, headers: res.headers, firstBytesMs, body: text };
}

const comments = (body: string) => body.split('\n').filter((line) => line.startsWith(':'));

describe('a stream waiting for its first content (server.stream_keepalive_ms)', () => {
  test('gets its head and a comment each interval, then what served in a comment, then the whole answer', async (t) => {
    const gw = await start(t, KEEPALIVE_MS);
    setFaults(gw, 'primary', [{ kind: 'slow', latency_ms: 500 }]);
    const raw = await streamRaw(gw);
    assert.equal(raw.status, 200);
    assert.ok(raw.firstBytesMs < 400, `the head came before the content (after ${raw.firstBytesMs.toFixed(0)} ms)`);
    assert.match(raw.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(raw.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(raw.headers.get('x-switchyard-deployment'), null, 'what serves is not known when the head goes out');
    const lines = comments(raw.body);
    const waiting = lines.filter((line) => `${line}\n\n` === WAITING_COMMENT);
    assert.ok(waiting.length >= 2, `a comment each interval (${waiting.length})`);
    const servedBy = lines.find((line) => line.startsWith(': served-by '));
    assert.ok(servedBy, 'what served is told in a comment');
    assert.match(servedBy, / route=chat /);
    assert.match(servedBy, / deployment=primary /);
    assert.match(servedBy, / hop=1 /);
    assert.match(servedBy, new RegExp(` request-id=${raw.headers.get('x-request-id')}`));
    assert.ok(raw.body.indexOf(servedBy) < raw.body.indexOf('data: '), 'before the first chunk');
    assert.ok(raw.body.endsWith('data: [DONE]\n\n'));

    // The openai client skips the comments and reads the answer as if there were none.
    setFaults(gw, 'primary', [{ kind: 'slow', latency_ms: 300 }]);
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello there' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    const plain = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(text, plain.choices[0]?.message.content);
  });

  test('still falls back after its head went out; the comment names the hop that served', async (t) => {
    const gw = await start(t, KEEPALIVE_MS, 350);
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    const raw = await streamRaw(gw);
    assert.equal(raw.status, 200);
    assert.ok(raw.firstBytesMs < 300);
    const servedBy = comments(raw.body).find((line) => line.startsWith(': served-by '));
    assert.match(servedBy ?? '', / deployment=backup /);
    assert.match(servedBy ?? '', / hop=2 /);
    assert.match(servedBy ?? '', / fallback-reason=timeout/);
    assert.match(raw.body, /"model":"mock-backup"/);
    assert.ok(raw.body.endsWith('data: [DONE]\n\n'));
  });

  test('a request that fails after its head went out ends with an in-band error the openai client raises', async (t) => {
    const gw = await start(t, KEEPALIVE_MS, 250);
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    setFaults(gw, 'backup', [{ kind: 'hang' }]);
    const raw = await streamRaw(gw);
    assert.equal(raw.status, 200);
    const events = raw.body.split('\n\n').filter((event) => event.startsWith('data: '));
    assert.equal(events.length, 1, 'one event: the error');
    const error = (JSON.parse((events[0] as string).slice('data: '.length)) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'first_byte_timeout', 'the last hop\'s failure, OpenAI-shaped');
    assert.match(error.message, /first-byte timeout/);

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }], stream: true });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;
    }, (err: unknown) => err instanceof APIError && err.message.includes(error.message.slice(0, 20)));
  });

  test('0 holds the head for the first content, with the served headers, as before', async (t) => {
    const gw = await start(t, 0);
    setFaults(gw, 'primary', [{ kind: 'slow', latency_ms: 300 }]);
    const raw = await streamRaw(gw);
    assert.ok(raw.firstBytesMs >= 280, `no byte before the content (first after ${raw.firstBytesMs.toFixed(0)} ms)`);
    assert.equal(raw.headers.get('x-switchyard-deployment'), 'primary');
    assert.deepEqual(comments(raw.body), []);
  });

  test('a stream whose content comes before the interval gets the served headers and no comment', async (t) => {
    const gw = await start(t, 1000);
    const raw = await streamRaw(gw);
    assert.equal(raw.headers.get('x-switchyard-deployment'), 'primary');
    assert.deepEqual(comments(raw.body), []);
  });

  test('Anthropic\'s endpoint: the same comments, which @anthropic-ai/sdk skips', async (t) => {
    const gw = await start(t, KEEPALIVE_MS);
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    setFaults(gw, 'primary', [{ kind: 'slow', latency_ms: 400 }]);
    const raw = await streamRaw(gw, '/v1/messages', { model: 'chat', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(raw.status, 200);
    assert.ok(raw.firstBytesMs < 350);
    assert.ok(comments(raw.body).some((line) => `${line}\n\n` === WAITING_COMMENT));
    assert.match(comments(raw.body).find((line) => line.startsWith(': served-by ')) ?? '', / deployment=primary /);
    assert.match(raw.body, /event: message_stop/);

    setFaults(gw, 'primary', [{ kind: 'slow', latency_ms: 300 }]);
    const message = await anthropic.messages.stream({ model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }] }).finalMessage();
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.content.some((block) => block.type === 'text' && block.text.length > 0));
  });

  test('Anthropic\'s endpoint: a failure after the head is an error event the SDK raises', async (t) => {
    const gw = await start(t, KEEPALIVE_MS, 250);
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    setFaults(gw, 'backup', [{ kind: 'hang' }]);
    const raw = await streamRaw(gw, '/v1/messages', { model: 'chat', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(raw.status, 200);
    assert.ok(comments(raw.body).length > 0);
    assert.match(raw.body, /event: error\ndata: .*"type":"timeout_error"/);
    await assert.rejects(anthropic.messages.stream({ model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }] }).finalMessage(), /first-byte timeout/);
  });
});
