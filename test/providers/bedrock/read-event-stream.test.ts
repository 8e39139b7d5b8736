/** Framing an `application/vnd.amazon.eventstream` body into messages: split anywhere, joined once, and refused when it is not one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatewayError } from '../../../src/errors.js';
import { readEventStream } from '../../../src/providers/bedrock/read-event-stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function encoded(eventType: string, payload: string): Buffer {
  const message: Message = {
    headers: { ':event-type': { type: 'string', value: eventType }, ':message-type': { type: 'string', value: 'event' } },
    body: fromUtf8(payload),
  };
  return Buffer.from(codec.encode(message));
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(body: AsyncIterable<Uint8Array>): Promise<string[]> {
  const seen: string[] = [];
  for await (const message of readEventStream(body)) seen.push(`${String(message.headers[':event-type']?.value)}:${toUtf8(message.body)}`);
  return seen;
}

test('messages come out whole however the bytes are split: all at once, a byte at a time, at every split point', async () => {
  const stream = Buffer.concat([encoded('messageStart', '{"role":"assistant"}'), encoded('contentBlockDelta', '{"delta":{"text":"hi"}}'), encoded('messageStop', '{}')]);
  const expected = ['messageStart:{"role":"assistant"}', 'contentBlockDelta:{"delta":{"text":"hi"}}', 'messageStop:{}'];
  assert.deepEqual(await read(chunked(stream, stream.length)), expected);
  assert.deepEqual(await read(chunked(stream, 1)), expected);
  for (let split = 1; split < stream.length; split++) {
    async function* twoParts(): AsyncGenerator<Uint8Array> {
      yield stream.subarray(0, split);
      yield stream.subarray(split);
    }
    assert.deepEqual(await read(twoParts()), expected, `split at ${split}`);
  }
});

test('a large message that arrives in many chunks is joined once, not copied again with each chunk', async () => {
  const payload = JSON.stringify({ delta: { text: 'x'.repeat(1024 * 1024) } });
  const big = encoded('contentBlockDelta', payload);
  const concat = Buffer.concat;
  let joins = 0;
  Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
    joins++;
    return concat(list, length);
  }) as typeof Buffer.concat;
  try {
    assert.deepEqual(await read(chunked(big, 1024)), [`contentBlockDelta:${payload}`]);
  } finally {
    Buffer.concat = concat;
  }
  assert.ok(joins <= 2, `${joins} joins for ${Math.ceil(big.length / 1024)} chunks`);
});

test('an impossible length is a malformed upstream; a stream that ends inside a message is truncated', async () => {
  const garbage = Buffer.alloc(16);
  garbage.writeUInt32BE(3, 0);
  await assert.rejects(read(chunked(garbage, 16)), (err: unknown) => err instanceof GatewayError && err.status === 502 && /impossible length/.test(err.message));
  const whole = encoded('messageStop', '{}');
  await assert.rejects(read(chunked(whole.subarray(0, whole.length - 1), 4)), (err: unknown) => err instanceof GatewayError && err.code === 'stream_truncated');
  await assert.rejects(read(chunked(whole.subarray(0, 5), 5)), (err: unknown) => err instanceof GatewayError && err.code === 'stream_truncated');
});
