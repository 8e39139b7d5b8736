/** The prompt count behind the proactive context_overflow check, for history that carries the gateway's own reasoning fields. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countPromptTokens } from '../../src/gateway/count-prompt-tokens.js';
import type { ChatBody, JsonObject } from '../../src/providers/types.js';

const LONG_THOUGHT = 'Weigh every option before answering. '.repeat(200);

function body(messages: JsonObject[]): ChatBody {
  return { model: 'chat', messages };
}

test("an earlier turn's reasoning is not counted (providers drop it); the last assistant turn's is", async () => {
  const thought = { reasoning_content: LONG_THOUGHT, thinking_blocks: [{ type: 'thinking', thinking: LONG_THOUGHT, signature: 'c2ln' }] };
  const plain = [
    { role: 'user', content: 'a' },
    { role: 'assistant', content: 'b' },
    { role: 'user', content: 'c' },
    { role: 'assistant', content: 'd' },
    { role: 'user', content: 'e' },
  ];
  const base = await countPromptTokens(body(plain));
  const earlier = plain.map((message, index) => (index === 1 ? { ...message, ...thought } : message));
  assert.equal(await countPromptTokens(body(earlier)), base);
  const last = plain.map((message, index) => (index === 3 ? { ...message, ...thought } : message));
  assert.ok((await countPromptTokens(body(last))) > base + 400, 'the last assistant turn carries its reasoning on (a tool loop)');
});
