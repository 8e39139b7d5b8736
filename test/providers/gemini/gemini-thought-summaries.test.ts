/**
 * Gemini's thought summaries (parts marked `thought: true`) read into `reasoning_content`, whole and
 * streamed, apart from the answer text, which reads exactly as without them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiStream } from '../../../src/providers/gemini/gemini-stream.js';
import { mapGeminiResponse } from '../../../src/providers/gemini/map-gemini-response.js';

const USAGE = { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 7, totalTokenCount: 22 };

function response(parts: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: USAGE, modelVersion: 'gemini-2.5-flash', responseId: 'r1', ...extra });
}

async function* sse(events: unknown[]): AsyncGenerator<Uint8Array> {
  for (const event of events) yield Buffer.from(`data: ${JSON.stringify(event)}\r\n\r\n`);
}

interface Delta {
  role?: string;
  content?: string;
  reasoning_content?: string;
}
interface Chunk {
  choices: Array<{ delta: Delta }>;
  usage?: { completion_tokens: number } | null;
}

async function chunksOf(events: unknown[]): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const chunk of geminiStream(sse(events), { model: 'gemini-2.5-flash', includeUsage: true, secrets: [] })) out.push(JSON.parse(chunk.data) as Chunk);
  return out;
}

function deltasOf(chunks: Chunk[]): Delta[] {
  return chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
}

function event(parts: unknown[], finishReason?: string): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { role: 'model', parts }, index: 0 };
  if (finishReason) candidate.finishReason = finishReason;
  return { candidates: [candidate], usageMetadata: finishReason ? USAGE : { promptTokenCount: 10 }, modelVersion: 'gemini-2.5-flash', responseId: 'r1' };
}

describe('thought summaries in a whole answer', () => {
  test('become message.reasoning_content; the answer text is only the parts without `thought`', () => {
    const completion = JSON.parse(mapGeminiResponse(response([{ text: 'First I ', thought: true }, { text: 'consider.', thought: true }, { text: 'The answer.' }]), 'gemini-2.5-flash').text);
    const message = completion.choices[0].message;
    assert.equal(message.reasoning_content, 'First I consider.');
    assert.equal(message.content, 'The answer.');
    // Thinking tokens are billed as output: counted into completion_tokens.
    assert.equal(completion.usage.completion_tokens, 12);
  });

  test('an answer without thought parts has no reasoning_content at all', () => {
    const message = JSON.parse(mapGeminiResponse(response([{ text: 'The answer.' }]), 'gemini-2.5-flash').text).choices[0].message;
    assert.equal('reasoning_content' in message, false);
    assert.equal(message.content, 'The answer.');
  });

  test('a function call after a thought: reasoning_content, the tool call, and content null', () => {
    const text = response([{ text: 'I need the weather.', thought: true }, { functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'c2ln' }]);
    const choice = JSON.parse(mapGeminiResponse(text, 'gemini-3-pro-preview').text).choices[0];
    assert.equal(choice.message.reasoning_content, 'I need the weather.');
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
    assert.equal(choice.finish_reason, 'tool_calls');
  });
});

describe('thought summaries in a stream', () => {
  test('come as delta.reasoning_content chunks after the role chunk and before the content', async () => {
    const chunks = await chunksOf([event([{ text: 'Thinking', thought: true }]), event([{ text: ' hard.', thought: true }]), event([{ text: 'Hello ' }]), event([{ text: 'there.' }], 'STOP')]);
    const deltas = deltasOf(chunks);
    assert.deepEqual(deltas[0], { role: 'assistant', content: '' });
    assert.deepEqual(
      deltas.slice(1, 3).map((delta) => delta.reasoning_content),
      ['Thinking', ' hard.'],
    );
    assert.equal(
      deltas
        .slice(3)
        .map((delta) => delta.content ?? '')
        .join(''),
      'Hello there.',
    );
    assert.ok(deltas.slice(3).every((delta) => !('reasoning_content' in delta)));
    assert.equal(chunks.at(-1)?.usage?.completion_tokens, 12);
  });

  test('a thought and text in one event: the reasoning chunk goes first, after the role chunk', async () => {
    const chunks = await chunksOf([event([{ text: 'Hmm.', thought: true }, { text: 'Answer.' }], 'STOP')]);
    const deltas = deltasOf(chunks);
    assert.deepEqual(deltas.slice(0, 3), [{ role: 'assistant', content: '' }, { reasoning_content: 'Hmm.' }, { content: 'Answer.' }]);
  });

  test('a stream without thought parts carries no reasoning_content', async () => {
    const chunks = await chunksOf([event([{ text: 'Hello ' }]), event([{ text: 'there.' }], 'STOP')]);
    assert.ok(deltasOf(chunks).every((delta) => !('reasoning_content' in delta)));
  });
});
