/**
 * `reasoning_effort` end to end: the `openai` client asks the gateway, whose Anthropic adapter asks
 * the mock's Anthropic dialect for extended thinking over a real socket. The mock refuses what
 * Anthropic refuses (a budget over max_tokens, temperature with thinking, a tool loop whose
 * thinking was not sent back, a signature that does not match its text), so a wrong translation
 * fails here as it would against Anthropic.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** What the gateway adds to an assistant message, beyond the openai client's types. */
type ReasoningMessage = OpenAI.ChatCompletionMessage & { reasoning_content?: string; thinking_blocks?: { type: string; thinking?: string; signature?: string }[] };

type ReasoningDelta = { content?: string | null; reasoning_content?: string; thinking_blocks?: { type: string; thinking?: string; signature?: string }[] };

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: { claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-key-thinking' } },
    deployments: {
      budget: { provider: 'claude', model: 'claude-sonnet-4-5-20250929' },
      adaptive: { provider: 'claude', model: 'claude-opus-4-6' },
    },
    routes: {
      budget: { chain: ['budget'], timeouts: TIMEOUTS },
      adaptive: { chain: ['adaptive'], timeouts: TIMEOUTS },
    },
  } as ConfigInput;
}

describe('reasoning_effort through an Anthropic deployment (mock, wire: anthropic)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());

  function requests(): number {
    return (gw.gateway.faults('claude')?.stats() as MockStats).requests;
  }

  for (const route of ['budget', 'adaptive']) {
    test(`${route} model: the answer carries the thinking as reasoning_content and a signed thinking block, then the text`, async () => {
      const completion = await gw.client.chat.completions.create({ model: route, messages: [{ role: 'user', content: 'why is the sky blue' }], reasoning_effort: 'high', temperature: 0.3 });
      const message = completion.choices[0]?.message as ReasoningMessage;
      assert.equal(message.reasoning_content, 'The user asks: "why is the sky blue". I will answer briefly and plainly.');
      assert.equal(message.thinking_blocks?.length, 1);
      assert.equal(message.thinking_blocks?.[0]?.thinking, message.reasoning_content);
      assert.ok(message.thinking_blocks?.[0]?.signature, 'signed');
      assert.match(message.content ?? '', /why is the sky blue/);
      assert.ok((completion.usage?.completion_tokens ?? 0) > 0);
    });
  }

  test('without reasoning_effort (or with "none") the answer has no reasoning', async () => {
    for (const effort of [undefined, 'none' as const]) {
      const completion = await gw.client.chat.completions.create({ model: 'budget', messages: [{ role: 'user', content: 'hello' }], ...(effort ? { reasoning_effort: effort } : {}) });
      const message = completion.choices[0]?.message as ReasoningMessage;
      assert.equal(message.reasoning_content, undefined);
      assert.equal(message.thinking_blocks, undefined);
    }
  });

  test('streamed: reasoning_content deltas, then the signed block, before any text', async () => {
    const stream = await gw.client.chat.completions.create({ model: 'budget', messages: [{ role: 'user', content: 'stream your thoughts' }], reasoning_effort: 'low', max_completion_tokens: 3000, stream: true });
    const order: string[] = [];
    let reasoning = '';
    let text = '';
    const blocks: ReasoningDelta['thinking_blocks'] = [];
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as ReasoningDelta;
      if (delta.reasoning_content) {
        reasoning += delta.reasoning_content;
        order.push('reasoning');
      }
      if (delta.thinking_blocks) {
        blocks.push(...delta.thinking_blocks);
        order.push('block');
      }
      if (delta.content) {
        text += delta.content;
        order.push('text');
      }
    }
    assert.equal(reasoning, 'The user asks: "stream your thoughts". I will answer briefly and plainly.');
    assert.ok(order.filter((kind) => kind === 'reasoning').length >= 2, 'the thinking arrives in pieces');
    assert.equal(order.indexOf('block'), order.lastIndexOf('reasoning') + 1, 'the block comes once its text is complete');
    assert.ok(order.indexOf('text') > order.indexOf('block'));
    assert.deepEqual(blocks.map((block) => block.thinking), [reasoning]);
    assert.match(text, /stream your thoughts/);
  });

  test('a tool loop: the assistant message sent back with its thinking_blocks keeps thinking on, and the mock checks the signature', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'please call get_weather for Oslo' }];
    const first = await gw.client.chat.completions.create({ model: 'budget', messages, tools: [weatherTool], reasoning_effort: 'medium' });
    const assistant = first.choices[0]?.message as ReasoningMessage;
    const call = assistant.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.ok(assistant.thinking_blocks?.[0]?.signature);

    const followUp = await gw.client.chat.completions.create({
      model: 'budget',
      tools: [weatherTool],
      reasoning_effort: 'medium',
      messages: [...messages, assistant, { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' }],
    });
    assert.equal(followUp.choices[0]?.finish_reason, 'stop');
    // Thinking stayed on: the answer thinks again.
    assert.ok((followUp.choices[0]?.message as ReasoningMessage).reasoning_content);

    // Sent back without its thinking, the loop is answered without thinking rather than refused.
    const { thinking_blocks: _blocks, reasoning_content: _text, ...bare } = assistant;
    const withoutBlocks = await gw.client.chat.completions.create({
      model: 'budget',
      tools: [weatherTool],
      reasoning_effort: 'medium',
      messages: [...messages, bare, { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' }],
    });
    assert.equal(withoutBlocks.choices[0]?.finish_reason, 'stop');
    assert.equal((withoutBlocks.choices[0]?.message as ReasoningMessage).reasoning_content, undefined);

    // A block altered by the client is refused by the provider, as Anthropic refuses it.
    const before = requests();
    const altered = { ...assistant, thinking_blocks: [{ ...assistant.thinking_blocks![0]!, thinking: 'something else' }] };
    await assert.rejects(
      gw.client.chat.completions.create({ model: 'budget', tools: [weatherTool], reasoning_effort: 'medium', messages: [...messages, altered, { role: 'tool', tool_call_id: call.id, content: '4°C' }] }),
      (err: unknown) => err instanceof OpenAI.APIError && err.status === 400 && /signature/.test(err.message),
    );
    assert.equal(requests(), before + 1);
  });
});
