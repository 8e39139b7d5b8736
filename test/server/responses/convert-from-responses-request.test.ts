/** Responses input items as chat messages: consecutive function calls and the reasoning items between them joined to one assistant turn, in order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertFromResponsesRequest } from '../../../src/server/responses/convert-from-responses-request.js';
import { encodeReasoning } from '../../../src/server/responses/reasoning-envelope.js';

const reasoningItem = (thinking: string) => ({ type: 'reasoning', summary: [], encrypted_content: encodeReasoning([{ type: 'thinking', thinking, signature: `sig-${thinking}` }]) });
const call = (id: string) => ({ type: 'function_call', call_id: id, name: 'lookup', arguments: `{"q":"${id}"}` });

test('function calls and the reasoning items between them make one assistant turn: every call, every block, the reasoning text joined in order', () => {
  const { body } = convertFromResponsesRequest({
    model: 'chat',
    input: [{ role: 'user', content: 'look three things up' }, reasoningItem('first'), call('c1'), reasoningItem('second'), call('c2'), call('c3'), reasoningItem('third'), call('c4')],
  });
  assert.equal(body.messages.length, 2);
  const turn = body.messages[1] as { role: string; tool_calls: { id: string }[]; thinking_blocks: { thinking: string; signature: string }[]; reasoning_content: string };
  assert.equal(turn.role, 'assistant');
  assert.deepEqual(
    turn.tool_calls.map((c) => c.id),
    ['c1', 'c2', 'c3', 'c4'],
  );
  assert.deepEqual(
    turn.thinking_blocks.map((b) => [b.thinking, b.signature]),
    [
      ['first', 'sig-first'],
      ['second', 'sig-second'],
      ['third', 'sig-third'],
    ],
  );
  assert.equal(turn.reasoning_content, 'first\n\nsecond\n\nthird');
});

test('twenty thousand calls in one turn all arrive, in order', () => {
  const calls = Array.from({ length: 20_000 }, (_, i) => call(`c${i}`));
  const { body } = convertFromResponsesRequest({ model: 'chat', input: [{ role: 'user', content: 'hi' }, ...calls] });
  const turn = body.messages[1] as { tool_calls: { id: string }[] };
  assert.equal(turn.tool_calls.length, 20_000);
  assert.equal(turn.tool_calls[19_999]?.id, 'c19999');
});
