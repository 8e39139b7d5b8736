/**
 * Reasoning through the Cohere adapter: `reasoning_effort` as Cohere's `thinking` for its
 * reasoning models (which think unless told not to), and their thinking blocks read back as
 * `reasoning_content`, whole and streamed, against the mock's Cohere dialect over a real socket.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigInput } from '../../../src/config/schema.js';
import { convertToCohereRequest } from '../../../src/providers/cohere/convert-to-cohere-request.js';
import type { ChatBody, JsonObject } from '../../../src/providers/types.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const REASONING_MODEL = 'command-a-reasoning-08-2025';

function thinkingOf(body: JsonObject, model = REASONING_MODEL): unknown {
  return convertToCohereRequest({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], ...body } as ChatBody, model, { stream: false }).thinking;
}

describe('reasoning_effort as Cohere thinking', () => {
  test('a reasoning model: an effort is a token budget (under the client cap), "none" turns thinking off, nothing asked sends nothing', () => {
    assert.deepEqual(thinkingOf({ reasoning_effort: 'low' }), { type: 'enabled', token_budget: 4096 });
    assert.deepEqual(thinkingOf({ reasoning_effort: 'high', max_tokens: 2000 }), { type: 'enabled', token_budget: 1999 });
    assert.deepEqual(thinkingOf({ reasoning_effort: 'none' }), { type: 'disabled' });
    assert.equal(thinkingOf({}), undefined);
  });

  test('another model gets no thinking field, whatever the effort', () => {
    assert.equal(thinkingOf({ reasoning_effort: 'high' }, 'command-a-03-2025'), undefined);
    assert.equal(thinkingOf({ reasoning_effort: 'none' }, 'command-r-plus'), undefined);
  });
});

describe('a Cohere reasoning model through the gateway (mock, wire: cohere)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      providers: { cohere: { type: 'mock', wire: 'cohere', api_key: 'cohere-mock-key-reasoning' } },
      deployments: { reasoning: { provider: 'cohere', model: REASONING_MODEL }, plain: { provider: 'cohere', model: 'command-a-03-2025' } },
      routes: { reasoning: { chain: ['reasoning'] }, plain: { chain: ['plain'] } },
    } as ConfigInput);
  });
  after(() => gw.close());

  test('its thinking comes back as reasoning_content, whole and streamed, before the text', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'reasoning', messages: [{ role: 'user', content: 'why is the sea salty' }], reasoning_effort: 'medium' });
    const message = completion.choices[0]?.message as { content: string | null; reasoning_content?: string };
    assert.equal(message.reasoning_content, 'Considering: why is the sea salty');
    assert.match(message.content ?? '', /why is the sea salty/);
    assert.doesNotMatch(message.content ?? '', /Considering/);

    const stream = await gw.client.chat.completions.create({ model: 'reasoning', messages: [{ role: 'user', content: 'why is the sea salty' }], stream: true });
    let reasoning = '';
    let text = '';
    let reasoningAfterText = false;
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as { content?: string | null; reasoning_content?: string };
      if (delta.reasoning_content) {
        reasoning += delta.reasoning_content;
        if (text !== '') reasoningAfterText = true;
      }
      text += delta.content ?? '';
    }
    assert.equal(reasoning, 'Considering: why is the sea salty');
    assert.match(text, /why is the sea salty/);
    assert.equal(reasoningAfterText, false);
  });

  test('"none" turns its thinking off; a model without reasoning answers as before when an effort is asked', async () => {
    const off = await gw.client.chat.completions.create({ model: 'reasoning', messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'none' });
    assert.equal((off.choices[0]?.message as { reasoning_content?: string }).reasoning_content, undefined);
    const plain = await gw.client.chat.completions.create({ model: 'plain', messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'high' });
    assert.equal((plain.choices[0]?.message as { reasoning_content?: string }).reasoning_content, undefined);
    assert.match(plain.choices[0]?.message.content ?? '', /hi/);
  });
});
