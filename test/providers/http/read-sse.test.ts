import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_SSE_EVENT_CHARS, readSseWith, SSE_END, type SseEvent, type SseReader } from '../../../src/providers/http/read-sse.js';
import { openaiStream } from '../../../src/providers/openai/openai-stream.js';
import { GatewayError } from '../../../src/errors.js';

/** A body that hands out the given byte chunks one per `next`, and records what the reader asked of it. */
function scriptedBody(parts: (string | Uint8Array | Error)[]) {
  const log = { reads: 0, returned: 0 };
  let at = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      log.reads++;
      const part = parts[at++];
      if (part === undefined) return { done: true, value: undefined };
      if (part instanceof Error) throw part;
      return { done: false, value: typeof part === 'string' ? Buffer.from(part) : part };
    },
    async return() {
      log.returned++;
      return { done: true, value: undefined };
    },
  };
  return { body: { [Symbol.asyncIterator]: () => iterator }, log };
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The body's events as they are (what a reader is given). */
const readSse = (body: AsyncIterable<Uint8Array>) => readSseWith<SseEvent>(body, { read: ({ event, data }) => ({ event, data }), ended: () => undefined });

const chunkData = (content: string) => JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

describe('readSse', () => {
  test('events split across reads, several in one read, a multi-byte character cut in two, and named events', async () => {
    const euro = Buffer.from('data: {"t":"€"}\n\n');
    const cut = euro.indexOf(0xe2) + 1;
    const { body } = scriptedBody(['data: one\n', '\ndata: two\n\nevent: ping\ndata: three\n\n', euro.subarray(0, cut), euro.subarray(cut), 'data: tail']);
    const events = await all(readSse(body));
    assert.deepEqual(events, [
      { event: undefined, data: 'one' },
      { event: undefined, data: 'two' },
      { event: 'ping', data: 'three' },
      { event: undefined, data: '{"t":"€"}' },
    ]);
  });

  test('reads the body only as far as the events asked for (backpressure reaches the upstream)', async () => {
    const { body, log } = scriptedBody(['data: a\n\ndata: b\n\n', 'data: c\n\n', 'data: d\n\n']);
    const reader = readSse(body);
    assert.deepEqual(await reader.next(), { done: false, value: { event: undefined, data: 'a' } });
    assert.deepEqual(await reader.next(), { done: false, value: { event: undefined, data: 'b' } });
    assert.equal(log.reads, 1, 'both events came from the first read');
    assert.deepEqual(await reader.next(), { done: false, value: { event: undefined, data: 'c' } });
    assert.equal(log.reads, 2);
  });

  test('a reader that stops early lets the body go; one that read to the end does not', async () => {
    const early = scriptedBody(['data: a\n\n', 'data: b\n\n']);
    for await (const event of readSse(early.body)) {
      assert.equal(event.data, 'a');
      break;
    }
    assert.equal(early.log.returned, 1);

    const whole = scriptedBody(['data: a\n\n']);
    const reader = readSse(whole.body);
    await all(reader);
    await reader.return?.();
    assert.equal(whole.log.returned, 0);
    assert.deepEqual(await reader.next(), { done: true, value: undefined });
  });

  test("the body's error reaches the reader, which is then done", async () => {
    const { body, log } = scriptedBody(['data: a\n\n', new Error('socket hang up')]);
    const reader = readSse(body);
    assert.equal((await reader.next()).done, false);
    await assert.rejects(reader.next(), /socket hang up/);
    assert.deepEqual(await reader.next(), { done: true, value: undefined });
    await reader.return?.();
    assert.equal(log.returned, 0, 'a body that failed is not let go again');
  });
});

describe('an event that never ends', () => {
  test('past MAX_SSE_EVENT_CHARS the stream fails as a malformed upstream answer, after the events that ended before it', async () => {
    const megabyte = 'a'.repeat(1024 * 1024);
    const endless = ['data: one\n\n', 'data: ', ...Array.from({ length: MAX_SSE_EVENT_CHARS / megabyte.length + 1 }, () => megabyte)];
    const { body } = scriptedBody(endless);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const event of readSse(body)) seen.push(event.data);
    })().then(
      () => assert.fail('the stream should fail'),
      (error: unknown) => error,
    );
    assert.deepEqual(seen, ['one']);
    assert.ok(err instanceof GatewayError && err.status === 502 && err.code === 'malformed_upstream_response' && err.shape === 'unknown_upstream_error', String(err));
    // Data lines without the blank line that ends their event count the same.
    const lines = scriptedBody(Array.from({ length: 20 }, () => `data: ${megabyte}\n`));
    await assert.rejects(all(readSse(lines.body)), /never ended one/);
  });
});

describe('readSseWith', () => {
  test("a reader's arrays are handed on one by one, SSE_END stops reading and lets the body go", async () => {
    const { body, log } = scriptedBody(['data: 2\n\ndata: 0\n\n', 'data: 1\n\ndata: end\n\n', 'data: 5\n\n']);
    const reader: SseReader<string> = {
      read: ({ data }) => (data === 'end' ? SSE_END : data === '1' ? 'one' : Array.from({ length: Number(data) }, (_, i) => `${data}.${i}`)),
      ended: () => ['never'],
    };
    assert.deepEqual(await all(readSseWith(body, reader)), ['2.0', '2.1', 'one']);
    assert.equal(log.reads, 2);
    assert.equal(log.returned, 1);
  });

  test('a reader that says it is finished stops the reading after its values; ended() gives the values of a body that ends', async () => {
    const finishing = scriptedBody(['data: a\n\ndata: b\n\n', 'data: c\n\n']);
    let finished = false;
    const stopsAtB: SseReader<string> = {
      read: ({ data }) => {
        finished = data === 'b';
        return [data, data];
      },
      get finished() {
        return finished;
      },
      ended: () => ['never'],
    };
    assert.deepEqual(await all(readSseWith(finishing.body, stopsAtB)), ['a', 'a', 'b', 'b']);
    assert.equal(finishing.log.returned, 1);

    const ending = scriptedBody(['data: a\n\n']);
    assert.deepEqual(await all(readSseWith(ending.body, { read: ({ data }) => data, ended: () => ['last'] })), ['a', 'last']);
    assert.equal(ending.log.returned, 0);
  });
});

describe('openaiStream over readSse', () => {
  test('chunks in order, then [DONE] ends the stream and lets the body go', async () => {
    const { body, log } = scriptedBody([`data: ${chunkData('Hel')}\n\ndata: ${chunkData('lo')}\n\n`, 'data: [DONE]\n\n', 'data: never read\n\n']);
    const chunks = await all(openaiStream(body, []));
    assert.deepEqual(
      chunks.map((chunk) => [JSON.parse(chunk.data).choices[0].delta.content, chunk.hasContent]),
      [
        ['Hel', true],
        ['lo', true],
      ],
    );
    assert.equal(log.reads, 2, 'nothing is read after [DONE]');
    assert.equal(log.returned, 1);
  });

  test('an in-band error fails the stream with its shape, lets the body go, and nothing follows', async () => {
    const { body, log } = scriptedBody([`data: ${chunkData('a')}\n\n`, `data: {"error":{"type":"rate_limit_error","message":"slow down"}}\n\n`, `data: ${chunkData('b')}\n\n`]);
    const stream = openaiStream(body, []);
    assert.equal((await stream.next()).done, false);
    await assert.rejects(stream.next(), (err: unknown) => err instanceof GatewayError && err.shape === 'rate_limit_429');
    assert.equal(log.returned, 1);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
  });

  test('a chunk that is not JSON is a malformed upstream answer; the body is let go', async () => {
    const { body, log } = scriptedBody(['data: {not json\n\n', `data: ${chunkData('b')}\n\n`]);
    await assert.rejects(all(openaiStream(body, [])), (err: unknown) => err instanceof GatewayError && err.status === 502);
    assert.equal(log.returned, 1);
  });

  test('a body that ends without [DONE] is a connection_error; a reader that stops early lets the body go', async () => {
    const cut = scriptedBody([`data: ${chunkData('a')}\n\n`]);
    await assert.rejects(all(openaiStream(cut.body, [])), (err: unknown) => err instanceof GatewayError && err.code === 'stream_truncated');
    assert.equal(cut.log.returned, 0);

    const early = scriptedBody([`data: ${chunkData('a')}\n\n`, `data: ${chunkData('b')}\n\n`]);
    const stream = openaiStream(early.body, []);
    await stream.next();
    await stream.return?.();
    assert.equal(early.log.returned, 1);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
  });

  test('a transport error mid-stream reaches the reader as it came, and the stream is then done', async () => {
    const { body } = scriptedBody([`data: ${chunkData('a')}\n\n`, new Error('ECONNRESET')]);
    const stream = openaiStream(body, []);
    await stream.next();
    await assert.rejects(stream.next(), /ECONNRESET/);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
  });
});
