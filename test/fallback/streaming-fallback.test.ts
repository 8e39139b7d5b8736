/**
 * Streaming through the fallback engine with the real openai client: a failure before the first
 * content (no first token in time, an in-band error, a cut, a refusal) falls back and the client
 * sees one clean stream; a failure after content ends in an error the client raises.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIError } from 'openai';
import type { GatewayFixture } from '../helpers/gateway-fixture.js';
import { attemptLog, callsTo, setFaults, startMockGateway, walkOf } from '../helpers/mock-gateway.js';

interface Read {
  text: string;
  finish: string | null | undefined;
  chunks: number;
  headers: Headers;
  elapsedMs: number;
}

/** Streams a request through the openai client and reads it to the end. */
async function readStream(gw: GatewayFixture, content: string): Promise<Read> {
  const started = performance.now();
  const { data: stream, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content }], stream: true }).withResponse();
  let text = '';
  let finish: string | null | undefined;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  return { text, finish, chunks, headers: response.headers, elapsedMs: performance.now() - started };
}

describe('streaming fallback through the openai client', () => {
  test('a stream with no content within first_token_ms (role chunk, then silence) falls back, and the client gets a clean stream from the backup', async (t) => {
    const firstTokenMs = 300;
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000, first_token_ms: firstTokenMs } } });
    setFaults(gw, 'primary', [{ kind: 'hang', after_chunks: 1, stream: true }]);
    const read = await readStream(gw, 'hello stream');
    assert.match(read.text, /^Mock answer from backup \(mock-backup\): hello stream/);
    assert.equal(read.finish, 'stop');
    // The head went out with the primary's role chunk (server.stream_head): the log says what served.
    assert.equal(read.headers.get('x-switchyard-deployment'), 'primary');
    assert.ok(read.elapsedMs >= firstTokenMs, `served after ${read.elapsedMs} ms, before the first-token timeout`);
    assert.ok(read.elapsedMs < 3 * firstTokenMs, `took ${read.elapsedMs} ms for a ${firstTokenMs} ms first-token timeout`);
    assert.equal(callsTo(gw, 'primary'), 1);
    const log = await attemptLog(gw, read.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:timeout', 'backup:served']);
    assert.equal(log.attempts[0]?.code, 'first_token_timeout');
    assert.equal(log.deployment, 'backup');
    assert.equal(log.fallbackReason, 'timeout');
  });

  test('first_token_ms counts from sending the request: an upstream that never sends headers is given up on after first_token_ms, not first_byte_ms', async (t) => {
    const firstTokenMs = 300;
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000, first_token_ms: firstTokenMs } } });
    setFaults(gw, 'primary', [{ kind: 'hang', stream: true }]);
    const read = await readStream(gw, 'hello stream');
    assert.match(read.text, /^Mock answer from backup/);
    assert.ok(read.elapsedMs >= firstTokenMs, `served after ${read.elapsedMs} ms, before the first-token timeout`);
    assert.ok(read.elapsedMs < 3 * firstTokenMs, `took ${read.elapsedMs} ms for a ${firstTokenMs} ms first-token timeout`);
    const log = await attemptLog(gw, read.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:timeout', 'backup:served']);
    assert.equal(log.attempts[0]?.code, 'first_token_timeout');
  });

  test("an in-band stream error before any content falls back, and the client's text is the backup's alone", async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'stream_error', after_chunks: 1 }]);
    const read = await readStream(gw, 'hello stream');
    assert.match(read.text, /^Mock answer from backup/);
    assert.equal(read.finish, 'stop');
    // upstream_5xx: the default policy retries once before moving on.
    assert.equal(callsTo(gw, 'primary'), 2);
    const log = await attemptLog(gw, read.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'primary:failed:upstream_5xx', 'backup:served']);
  });

  test('a stream cut before any content falls back like a connection error', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { connection_error: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'stream_cut', after_chunks: 1 }]);
    const read = await readStream(gw, 'hello stream');
    assert.match(read.text, /^Mock answer from backup/);
    const log = await attemptLog(gw, read.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:connection_error', 'backup:served']);
  });

  test('a streamed refusal (finish_reason content_filter, no content) falls back to the next deployment', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'content_filter', mode: 'finish_reason' }]);
    const read = await readStream(gw, 'hello stream');
    assert.match(read.text, /^Mock answer from backup/);
    const log = await attemptLog(gw, read.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:guardrail_block', 'backup:served']);
  });

  test('a stream cut after content has reached the client ends in an error the openai client raises, not a silent end', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], providers: { primary: { chunk_delay_ms: 5 } } });
    setFaults(gw, 'primary', [{ kind: 'stream_cut', after_chunks: 3 }]);
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello stream' }], stream: true });
    let text = '';
    let finish: string | null | undefined;
    await assert.rejects(
      async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
      },
      (err: unknown) => err instanceof APIError,
    );
    assert.match(text, /^Mock answer/, 'the content sent before the cut reached the client');
    assert.equal(finish, undefined, 'the stream never claimed to have finished');
    assert.equal(callsTo(gw, 'backup'), 0, 'once content is out, there is no fallback');
  });
});
