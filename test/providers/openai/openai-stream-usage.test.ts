/**
 * The usage the gateway asked for on the client's behalf (`stream_usage`), read from the orders in
 * which OpenAI-format servers send it: the client's stream never gets the usage-only chunk, and the
 * finish chunk carries the usage whatever came first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openaiStream } from '../../../src/providers/openai/openai-stream.js';
import type { StreamChunk } from '../../../src/providers/types.js';

const BASE = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' };
const content = (text: string) => JSON.stringify({ ...BASE, choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
const finish = (usage?: object) => JSON.stringify({ ...BASE, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...(usage ? { usage } : {}) });
const usageOnly = (completion: number) => JSON.stringify({ ...BASE, choices: [], usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion } });

async function read(payloads: string[]): Promise<StreamChunk[]> {
  const body = (async function* () {
    for (const payload of [...payloads, '[DONE]']) yield new TextEncoder().encode(`data: ${payload}\n\n`);
  })();
  const out: StreamChunk[] = [];
  for await (const chunk of openaiStream(body, [], true)) out.push(chunk);
  return out;
}

const shapes = (chunks: StreamChunk[]) => chunks.map((chunk) => [chunk.hasContent, chunk.finishReason?.unified ?? null, chunk.usage?.outputTokens ?? null]);

describe('openaiStream with the usage the gateway asked for', () => {
  test("OpenAI's order: the usage-only chunk after the finish rides on the finish chunk", async () => {
    assert.deepEqual(shapes(await read([content('Hi'), finish(), usageOnly(3)])), [
      [true, null, null],
      [false, 'stop', 3],
    ]);
  });

  test('usage on the finish chunk and again after it (Groq): the last one is kept, once', async () => {
    assert.deepEqual(shapes(await read([content('Hi'), finish({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }), usageOnly(3)])), [
      [true, null, null],
      [false, 'stop', 3],
    ]);
  });

  test('usage only on the finish chunk (DeepSeek): it stays there', async () => {
    assert.deepEqual(shapes(await read([content('Hi'), finish({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 })])), [
      [true, null, null],
      [false, 'stop', 2],
    ]);
  });

  test('usage before the finish chunk: it goes on the finish chunk, not lost', async () => {
    assert.deepEqual(shapes(await read([content('Hi'), usageOnly(4), finish()])), [
      [true, null, null],
      [false, 'stop', 4],
    ]);
  });
});
