/** The chunks every translating adapter streams: their JSON text is built from a head made once, and must read as OpenAI's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkBuilder } from '../../src/providers/canonical/canonical-answer.js';

// An id and model that JSON must escape: the head made once has to carry them as JSON.stringify would.
const ID = 'msg_"quoted"\\slash\u2028';
const MODEL = 'model\n"x"';

function expected(delta: object, finishReason: string | null, includeUsage: boolean): string {
  const chunk: Record<string, unknown> = { id: ID, object: 'chat.completion.chunk', created: 1700000000, model: MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  if (includeUsage) chunk.usage = null;
  return JSON.stringify(chunk);
}

for (const includeUsage of [false, true]) {
  test(`every chunk is the JSON text of OpenAI's chunk object, key for key${includeUsage ? ', with usage: null until the usage chunk' : ''}`, () => {
    const builder = new ChunkBuilder({ id: ID, model: MODEL, created: 1700000000, includeUsage });
    const chunks = [
      ...builder.text('Hello "there"\n'),
      ...builder.text(''),
      ...builder.toolCallStart('block-1', 'call_1', 'lookup'),
      ...builder.toolCallArguments('block-1', '{"q":"a\\"b"}'),
      ...builder.finish({ unified: 'tool_calls', raw: 'tool_use' }, { inputTokens: 7, outputTokens: 3, cachedInputTokens: 2 }),
    ];
    const want = [
      expected({ role: 'assistant', content: '' }, null, includeUsage),
      expected({ content: 'Hello "there"\n' }, null, includeUsage),
      expected({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] }, null, includeUsage),
      expected({ tool_calls: [{ index: 0, function: { arguments: '{"q":"a\\"b"}' } }] }, null, includeUsage),
      expected({}, 'tool_calls', includeUsage),
    ];
    if (includeUsage) {
      want.push(
        JSON.stringify({
          id: ID,
          object: 'chat.completion.chunk',
          created: 1700000000,
          model: MODEL,
          choices: [],
          usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 2 } },
        }),
      );
    }
    assert.deepEqual(
      chunks.map((chunk) => chunk.data),
      want,
    );
    assert.deepEqual(
      chunks.map((chunk) => chunk.hasContent),
      [false, true, true, true, false, ...(includeUsage ? [false] : [])],
    );
  });
}

test('the role chunk comes once, before the first delta of any kind', () => {
  const builder = new ChunkBuilder({ id: 'a', model: 'b', includeUsage: false });
  const first = builder.toolCallStart('0', 'call_1', 'f');
  assert.equal(first.length, 2);
  assert.match(first[0]?.data ?? '', /"delta":\{"role":"assistant","content":""\}/);
  assert.equal(builder.text('x').length, 1);
  assert.equal(builder.start().length, 0);
});
