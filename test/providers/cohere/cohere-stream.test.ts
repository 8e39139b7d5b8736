/** Cohere's v2 stream read into canonical chunks: where it ends, cleanly or cut. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { cohereStream } from '../../../src/providers/cohere/cohere-stream.js';
import type { StreamChunk } from '../../../src/providers/types.js';

const OPTIONS = { model: 'command-a-03-2025', includeUsage: false, secrets: [] };

/** A body that sends each payload as a named SSE event (or `data: [DONE]`), one read each. */
async function* sse(payloads: ({ type: string } & Record<string, unknown> | '[DONE]')[]): AsyncGenerator<Uint8Array> {
  for (const payload of payloads) yield Buffer.from(payload === '[DONE]' ? 'data: [DONE]\n\n' : `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`);
}

async function read(body: AsyncIterable<Uint8Array>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of cohereStream(body, OPTIONS)) chunks.push(chunk);
  return chunks;
}

const START = { type: 'message-start', id: 'c0ffee', delta: { message: { role: 'assistant', content: [], tool_calls: [] } } };
const TEXT = { type: 'content-delta', index: 0, delta: { message: { content: { type: 'text', text: 'Hi' } } } };
const END = { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { tokens: { input_tokens: 3, output_tokens: 1 } } } };

test('a stream ends at [DONE] after message-end, or cleanly at its body end after message-end', async () => {
  for (const tail of [[END, '[DONE]'], [END]] as const) {
    const chunks = await read(sse([START, TEXT, ...tail]));
    assert.deepEqual(
      chunks.map((chunk) => [chunk.hasContent, chunk.finishReason?.unified]),
      [
        [false, undefined],
        [true, undefined],
        [false, 'stop'],
      ],
    );
  }
});

test('[DONE] or the body end before message-end is a cut stream', async () => {
  for (const body of [sse([START, TEXT, '[DONE]']), sse([START, TEXT])]) {
    await assert.rejects(read(body), (err: unknown) => err instanceof GatewayError && err.code === 'stream_truncated' && err.shape === 'connection_error');
  }
});
