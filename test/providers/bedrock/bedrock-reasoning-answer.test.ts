/**
 * Converse reasoningContent blocks read into the canonical answer: `reasoning_content` (the text)
 * and `thinking_blocks` (signed or redacted, as the client sends them back), whole and streamed.
 * Wire shapes as Bedrock Runtime's API reference gives them: a reasoningText block with `text` and
 * `signature`, or `redactedContent` (bytes, base64 in JSON); stream deltas carry one of the three.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromUtf8 } from '@smithy/util-utf8';
import { converseResponseSchema } from '../../../src/providers/bedrock/bedrock-api.js';
import { bedrockStream } from '../../../src/providers/bedrock/bedrock-stream.js';
import { mapBedrockResponse } from '../../../src/providers/bedrock/map-bedrock-response.js';
import type { Message } from '../../../src/providers/bedrock/read-event-stream.js';

const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const SIGNATURE = 'EqQBCkgIARABGAIiQL2n';
const REDACTED = Buffer.from('encrypted reasoning bytes').toString('base64');

interface Delta {
  content?: string | null;
  reasoning_content?: string;
  thinking_blocks?: unknown[];
}

describe('a whole Converse answer with reasoning', () => {
  test('reasoningText blocks become reasoning_content (joined by a blank line) and thinking_blocks; redacted ones a redacted_thinking block; the text is unchanged', () => {
    const response = converseResponseSchema.parse({
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'First, the question.', signature: SIGNATURE } } },
            { reasoningContent: { redactedContent: REDACTED } },
            { reasoningContent: { reasoningText: { text: 'Then the answer.' } } },
            { text: 'The answer is 4.' },
          ],
        },
      },
      stopReason: 'end_turn',
      usage: { inputTokens: 10, outputTokens: 30 },
    });
    const result = mapBedrockResponse(response, { id: 'req-1', model: MODEL, jsonTool: undefined });
    const message = (JSON.parse(result.text) as { choices: Array<{ message: Record<string, unknown> }> }).choices[0]?.message;
    assert.equal(message?.content, 'The answer is 4.');
    assert.equal(message?.reasoning_content, 'First, the question.\n\nThen the answer.');
    assert.deepEqual(message?.thinking_blocks, [
      { type: 'thinking', thinking: 'First, the question.', signature: SIGNATURE },
      { type: 'redacted_thinking', data: REDACTED },
      { type: 'thinking', thinking: 'Then the answer.' },
    ]);
  });

  test('an answer without reasoning carries neither field', () => {
    const response = converseResponseSchema.parse({ output: { message: { role: 'assistant', content: [{ text: 'hi' }] } }, stopReason: 'end_turn' });
    const message = (JSON.parse(mapBedrockResponse(response, { id: 'req-2', model: MODEL, jsonTool: undefined }).text) as { choices: Array<{ message: Record<string, unknown> }> }).choices[0]?.message;
    assert.equal('reasoning_content' in (message ?? {}), false);
    assert.equal('thinking_blocks' in (message ?? {}), false);
  });
});

describe('a ConverseStream with reasoning', () => {
  function event(eventType: string, payload: object): Message {
    const str = (value: string) => ({ type: 'string' as const, value });
    return { headers: { ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') }, body: fromUtf8(JSON.stringify(payload)) };
  }

  async function* events(list: Message[]): AsyncGenerator<Message> {
    yield* list;
  }

  async function read(list: Message[]): Promise<Delta[]> {
    const deltas: Delta[] = [];
    for await (const chunk of bedrockStream(events(list), { id: 'req-3', model: MODEL, includeUsage: false, jsonTool: undefined, secrets: [] })) {
      const delta = (JSON.parse(chunk.data) as { choices: Array<{ delta: Delta }> }).choices[0]?.delta;
      if (delta) deltas.push(delta);
    }
    return deltas;
  }

  test('reasoning text streams as it arrives; each block is given whole, signed or redacted, when it stops; the answer text follows unchanged', async () => {
    const deltas = await read([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Let me ' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'think.' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: '' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: SIGNATURE.slice(0, 8) } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: SIGNATURE.slice(8) } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      // Redacted bytes in two deltas, each base64 of its own piece: they join as bytes.
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: Buffer.from('encrypted ').toString('base64') } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: Buffer.from('reasoning bytes').toString('base64') } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('contentBlockDelta', { contentBlockIndex: 2, delta: { reasoningContent: { text: 'More.' } } }),
      event('contentBlockStop', { contentBlockIndex: 2 }),
      event('contentBlockDelta', { contentBlockIndex: 3, delta: { text: 'The answer' } }),
      event('contentBlockDelta', { contentBlockIndex: 3, delta: { text: ' is 4.' } }),
      event('contentBlockStop', { contentBlockIndex: 3 }),
      event('messageStop', { stopReason: 'end_turn' }),
      event('metadata', { usage: { inputTokens: 5, outputTokens: 9 } }),
    ]);
    assert.deepEqual(
      deltas.flatMap((delta) => (delta.reasoning_content === undefined ? [] : [delta.reasoning_content])),
      ['Let me ', 'think.', '\n\nMore.'],
    );
    assert.deepEqual(
      deltas.flatMap((delta) => delta.thinking_blocks ?? []),
      [
        { type: 'thinking', thinking: 'Let me think.', signature: SIGNATURE },
        { type: 'redacted_thinking', data: REDACTED },
        { type: 'thinking', thinking: 'More.' },
      ],
    );
    assert.equal(deltas.map((delta) => delta.content ?? '').join(''), 'The answer is 4.');
    const firstText = deltas.findIndex((delta) => typeof delta.content === 'string' && delta.content !== '');
    const lastBlock = deltas.findLastIndex((delta) => delta.thinking_blocks !== undefined);
    assert.ok(lastBlock < firstText, 'the reasoning comes before the answer, as it streamed');
  });
});
