import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { startMockServer } from '../../../src/providers/mock/index.js';
import { chatBody, createRawClient, sseData, useMockServer } from './raw-client.js';

const mock = useMockServer('faulty');
const { client } = mock;

const chat = () => `${mock.server.url}/chat/completions`;

function errorOf(text: string): Record<string, unknown> {
  const parsed = JSON.parse(text) as { error: Record<string, unknown> };
  assert.equal(typeof parsed.error, 'object');
  return parsed.error;
}

describe('mock faults: canned error responses', () => {
  test('error answers 503 by default with an OpenAI-shaped server_error body', async () => {
    mock.server.setFaults([{ kind: 'error' }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 503);
    assert.deepEqual(Object.keys(errorOf(res.text)).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(errorOf(res.text).type, 'server_error');
    assert.equal(errorOf(res.text).code, null);
  });

  test('error takes any 5xx status, including 529', async () => {
    for (const status of [500, 502, 504, 529]) {
      mock.server.setFaults([{ kind: 'error', status }]);
      const res = await client.post(chat(), chatBody());
      assert.equal(res.status, status);
    }
  });

  test('rate_limit answers 429 with retry-after in seconds and rate_limit_exceeded', async () => {
    mock.server.setFaults([{ kind: 'rate_limit', retry_after_s: 7 }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '7');
    assert.equal(res.headers['retry-after-ms'], undefined);
    assert.equal(errorOf(res.text).type, 'rate_limit_error');
    assert.equal(errorOf(res.text).code, 'rate_limit_exceeded');
  });

  test('rate_limit with retry_after_ms sends retry-after-ms instead', async () => {
    mock.server.setFaults([{ kind: 'rate_limit', retry_after_ms: 250 }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after-ms'], '250');
    assert.equal(res.headers['retry-after'], undefined);
  });

  test('rate_limit with retry_after_date sends an HTTP date at least that far ahead', async () => {
    mock.server.setFaults([{ kind: 'rate_limit', retry_after_s: 30, retry_after_date: true }]);
    const sentAt = Date.now();
    const res = await client.post(chat(), chatBody());
    const header = String(res.headers['retry-after']);
    assert.match(header, /GMT$/);
    const waitMs = Date.parse(header) - sentAt;
    assert.ok(waitMs >= 29_000 && waitMs <= 32_000, `retry-after date is ${waitMs} ms ahead`);
  });

  test('quota answers 429 with insufficient_quota as both code and type', async () => {
    mock.server.setFaults([{ kind: 'quota' }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 429);
    assert.equal(errorOf(res.text).code, 'insufficient_quota');
    assert.equal(errorOf(res.text).type, 'insufficient_quota');
  });

  test('auth answers 401 invalid_api_key echoing a masked key, never the key itself', async () => {
    mock.server.setFaults([{ kind: 'auth' }]);
    const key = 'sk-live-0123456789abcdefXY';
    const res = await client.post(chat(), chatBody(), { authorization: `Bearer ${key}` });
    assert.equal(res.status, 401);
    const error = errorOf(res.text);
    assert.equal(error.code, 'invalid_api_key');
    assert.match(String(error.message), /^Incorrect API key provided: sk-li\*+XY\./);
    assert.ok(!res.text.includes(key));
  });

  test('context_overflow answers 400 context_length_exceeded blaming messages', async () => {
    mock.server.setFaults([{ kind: 'context_overflow' }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 400);
    const error = errorOf(res.text);
    assert.equal(error.code, 'context_length_exceeded');
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.param, 'messages');
    assert.match(String(error.message), /maximum context length is 8192 tokens/);
  });

  test('content_filter in error mode answers Azure-style 400 content_filter', async () => {
    mock.server.setFaults([{ kind: 'content_filter', mode: 'error' }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 400);
    const error = errorOf(res.text);
    assert.equal(error.code, 'content_filter');
    assert.match(String(error.message), /content management policy/);
  });

  test('content_filter by default answers 200 with finish_reason content_filter and no content', async () => {
    mock.server.setFaults([{ kind: 'content_filter' }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 200);
    const completion = JSON.parse(res.text) as { choices: { finish_reason: string; message: { content: string | null } }[] };
    assert.equal(completion.choices[0]?.finish_reason, 'content_filter');
    assert.ok(!completion.choices[0]?.message.content);
  });

  test('content_filter in a stream ends with a content_filter finish chunk and [DONE]', async () => {
    mock.server.setFaults([{ kind: 'content_filter' }]);
    const res = await client.stream(chat(), chatBody({ stream: true }));
    const data = sseData(res.text);
    assert.equal(data.at(-1), '[DONE]');
    const finish = JSON.parse(data.at(-2) as string) as { choices: { finish_reason: string }[] };
    assert.equal(finish.choices[0]?.finish_reason, 'content_filter');
    assert.ok(!res.text.includes('Mock answer'));
  });

  test('stream_error on a non-streaming request answers a plain 500', async () => {
    mock.server.setFaults([{ kind: 'stream_error' }]);
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 500);
    assert.equal(errorOf(res.text).type, 'server_error');
  });

  test('faults apply to embeddings too, with context_overflow blaming input', async () => {
    mock.server.setFaults([{ kind: 'context_overflow' }]);
    const res = await client.post(`${mock.server.url}/embeddings`, { model: 'mock-embed', input: 'hello' });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res.text).param, 'input');
  });
});

describe('mock faults: broken connections and streams', () => {
  test('reset destroys the connection without any response', async () => {
    mock.server.setFaults([{ kind: 'reset' }]);
    await assert.rejects(client.post(chat(), chatBody()), (err: Error & { code?: string }) => {
      assert.ok(['ECONNRESET', 'UND_ERR_SOCKET'].includes(String(err.code ?? (err.cause as { code?: string } | undefined)?.code)), String(err));
      return true;
    });
    assert.equal(mock.server.stats().faults.reset, 1);
  });

  test('stream_cut sends two chunks then drops the connection without [DONE]', async () => {
    mock.server.setFaults([{ kind: 'stream_cut' }]);
    const res = await client.stream(chat(), chatBody({ stream: true }));
    assert.equal(res.status, 200);
    assert.ok(res.error instanceof Error, 'reading the body failed');
    const data = sseData(res.text);
    assert.equal(data.length, 2);
    assert.ok(!data.includes('[DONE]'));
  });

  test('stream_cut honours after_chunks', async () => {
    mock.server.setFaults([{ kind: 'stream_cut', after_chunks: 4 }]);
    const res = await client.stream(chat(), chatBody({ stream: true }));
    assert.ok(res.error instanceof Error);
    assert.equal(sseData(res.text).length, 4);
  });

  test('stream_cut on a non-streaming request sends part of the body and drops the connection', async () => {
    mock.server.setFaults([{ kind: 'stream_cut' }]);
    const res = await client.stream(chat(), chatBody());
    assert.equal(res.status, 200);
    assert.ok(res.error instanceof Error, 'reading the body failed');
    assert.ok(res.text.startsWith('{"id":"chatcmpl-'));
    assert.throws(() => JSON.parse(res.text));
  });

  test('stream_error sends an in-band error event after after_chunks chunks and ends without [DONE]', async () => {
    mock.server.setFaults([{ kind: 'stream_error', after_chunks: 3, message: 'boom mid-stream' }]);
    const res = await client.stream(chat(), chatBody({ stream: true }));
    assert.equal(res.status, 200);
    assert.equal(res.error, undefined, 'the response ends cleanly');
    const data = sseData(res.text);
    assert.equal(data.length, 4);
    assert.ok(!data.includes('[DONE]'));
    assert.deepEqual(JSON.parse(data[3] as string), { error: { message: 'boom mid-stream', type: 'server_error', code: null } });
  });

  test('stream_error by default fails before the first chunk', async () => {
    mock.server.setFaults([{ kind: 'stream_error' }]);
    const res = await client.stream(chat(), chatBody({ stream: true }));
    const data = sseData(res.text);
    assert.equal(data.length, 1);
    assert.ok('error' in (JSON.parse(data[0] as string) as object));
  });

  test('slow delays the answer, then answers normally', async () => {
    mock.server.setFaults([{ kind: 'slow', latency_ms: 150 }]);
    const started = Date.now();
    const res = await client.post(chat(), chatBody());
    assert.equal(res.status, 200);
    // Lower bound only: timers never fire early, but a loaded machine may fire them late.
    assert.ok(Date.now() - started >= 140);
    assert.equal(mock.server.stats().faults.slow, 1);
  });
});

describe('mock faults: hang and close', () => {
  test('hang never answers, and close() ends the hung request', async () => {
    const hung = await startMockServer({ faults: [{ kind: 'hang' }] });
    const raw = createRawClient();
    const pending = raw.post(`${hung.url}/chat/completions`, chatBody());
    pending.catch(() => {});
    const winner = await Promise.race([pending.then(() => 'answered', () => 'failed'), delay(300).then(() => 'still waiting')]);
    assert.equal(winner, 'still waiting');
    await hung.close();
    await assert.rejects(pending);
    await raw.close();
  });

  test('hang with after_chunks streams that many chunks, then stalls with the connection open', async () => {
    const stalled = await startMockServer({ faults: [{ kind: 'hang', after_chunks: 2 }] });
    const res = await request(`${stalled.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatBody({ stream: true })),
      dispatcher: client.agent,
    });
    assert.equal(res.statusCode, 200);
    let text = '';
    const reading = (async () => {
      for await (const chunk of res.body) text += Buffer.from(chunk as Uint8Array).toString('utf8');
    })();
    reading.catch(() => {});
    const winner = await Promise.race([reading.then(() => 'ended', () => 'failed'), delay(300).then(() => 'still open')]);
    assert.equal(winner, 'still open');
    assert.equal(sseData(text).length, 2);
    await stalled.close();
    await assert.rejects(reading);
  });

  test('close() while a slow answer waits clears its timer', async () => {
    const slow = await startMockServer({ faults: [{ kind: 'slow', latency_ms: 60_000 }] });
    const timersBefore = countTimers();
    // node:http without an agent: no client-side timers to muddy the count.
    const failed = new Promise<void>((resolve) => {
      const req = httpRequest(`${slow.url}/chat/completions`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, () => resolve());
      req.on('error', () => resolve());
      req.end(JSON.stringify(chatBody()));
    });
    while (slow.stats().faults.slow !== 1) await delay(10);
    assert.ok(countTimers() > timersBefore, 'the slow answer holds a timer');
    await slow.close();
    await failed;
    await delay(20);
    assert.ok(countTimers() <= timersBefore, `timers left: ${countTimers()} > ${timersBefore}`);
  });
});

function countTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}
