/**
 * Reasoning end to end: the `openai` client asks the gateway with `reasoning_effort`; the real
 * Bedrock adapter asks Converse for Claude's thinking (a budget, or adaptive by model); the mock's
 * Bedrock dialect checks the request as Claude would and answers with signed reasoning, which the
 * client gets as `reasoning_content` and `thinking_blocks`, whole and streamed, and sends back in a
 * tool loop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const BEDROCK_SECRET = 'bedrock-thinking-secret-5e21';
/** Takes a thinking budget. */
const SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
/** Takes adaptive thinking, here as a cross-region inference profile. */
const OPUS_46 = 'us.anthropic.claude-opus-4-6-v1';
const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };
const REASONING = /^Mock reasoning about "/;

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** What the gateway adds to an assistant message (not in the openai package's types). */
interface ThinkingMessage {
  content: string | null;
  reasoning_content?: string;
  thinking_blocks?: Array<{ type: string; thinking?: string; signature?: string; data?: string }>;
  tool_calls?: OpenAI.ChatCompletionMessageToolCall[];
}

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: { bedrock: { type: 'mock', wire: 'bedrock', api_key: BEDROCK_SECRET } },
    deployments: {
      sonnet: { provider: 'bedrock', model: SONNET_45 },
      opus: { provider: 'bedrock', model: OPUS_46 },
      nova2: { provider: 'bedrock', model: 'us.amazon.nova-2-lite-v1:0' },
      novapro: { provider: 'bedrock', model: 'amazon.nova-pro-v1:0' },
    },
    routes: {
      budget: { chain: ['sonnet'], timeouts: TIMEOUTS },
      adaptive: { chain: ['opus'], timeouts: TIMEOUTS },
      nova2: { chain: ['nova2'], timeouts: TIMEOUTS },
      novapro: { chain: ['novapro'], timeouts: TIMEOUTS },
    },
  } as ConfigInput;
}

describe('reasoning through a Bedrock deployment (mock, wire: bedrock)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());

  function stats(): MockStats {
    return gw.gateway.faults('bedrock')?.stats() as MockStats;
  }

  async function post(body: object): Promise<{ status: number; json: { choices?: Array<{ message: ThinkingMessage; finish_reason: string }>; error?: { message: string } } }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as never };
  }

  async function complete(body: object): Promise<ThinkingMessage> {
    const res = await post(body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const message = res.json.choices?.[0]?.message;
    assert.ok(message);
    return message;
  }

  test('a whole answer carries reasoning_content and a signed thinking block beside the unchanged answer text', async () => {
    for (const route of ['budget', 'adaptive']) {
      const completion = await gw.client.chat.completions.create({ model: route, messages: [{ role: 'user', content: 'is 7 prime?' }], reasoning_effort: 'medium' });
      const message = completion.choices[0]?.message as unknown as ThinkingMessage;
      assert.match(message.reasoning_content ?? '', REASONING, route);
      assert.deepEqual(
        message.thinking_blocks?.map((block) => ({ ...block, signature: typeof block.signature })),
        [{ type: 'thinking', thinking: message.reasoning_content, signature: 'string' }],
        route,
      );
      assert.match(message.content ?? '', /^Mock answer from bedrock \(.*\): is 7 prime\?/, route);
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
    }
  });

  test('a streamed answer carries the reasoning as reasoning_content deltas, then one signed thinking block, then the answer', async () => {
    const stream = await gw.client.chat.completions.create({ model: 'budget', messages: [{ role: 'user', content: 'is 9 prime?' }], reasoning_effort: 'low', stream: true });
    let reasoning = '';
    let content = '';
    let reasoningDeltas = 0;
    const blocks: NonNullable<ThinkingMessage['thinking_blocks']> = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (OpenAI.ChatCompletionChunk.Choice.Delta & Omit<ThinkingMessage, 'content' | 'tool_calls'>) | undefined;
      if (delta?.reasoning_content) {
        assert.equal(content, '', 'reasoning comes before the answer');
        reasoning += delta.reasoning_content;
        reasoningDeltas++;
      }
      blocks.push(...(delta?.thinking_blocks ?? []));
      content += delta?.content ?? '';
    }
    assert.match(reasoning, REASONING);
    assert.ok(reasoningDeltas >= 3, `several reasoning deltas (${reasoningDeltas})`);
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]?.thinking, reasoning);
    assert.ok(blocks[0]?.signature);
    assert.match(content, /^Mock answer from bedrock \(anthropic\.claude-sonnet-4-5-20250929-v1:0\): is 9 prime\?/);
  });

  test('thinking is asked as Claude takes it: a temperature, a tight max_tokens and no max_tokens at all each still answer with reasoning', async () => {
    // The mock refuses what Claude refuses: temperature 0.2 with thinking, a budget not under maxTokens.
    for (const extra of [{ temperature: 0.2 }, { max_tokens: 2000 }, {}]) {
      const message = await complete({ model: 'budget', messages: [{ role: 'user', content: 'think hard' }], reasoning_effort: 'high', ...extra });
      assert.match(message.reasoning_content ?? '', REASONING, JSON.stringify(extra));
    }
  });

  test('a two-step tool loop: the assistant message sent back with its thinking_blocks keeps thinking on, and the mock verifies the signature', async () => {
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'please call get_weather for Oslo' };
    const first = await complete({ model: 'budget', messages: [question], tools: [weatherTool], reasoning_effort: 'medium' });
    const call = first.tool_calls?.[0];
    assert.ok(call && first.thinking_blocks?.length === 1, 'a tool call, reasoned');
    const result = { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' };

    const before = stats().invalid;
    const second = await complete({ model: 'budget', messages: [question, first, result], tools: [weatherTool], reasoning_effort: 'medium' });
    assert.match(second.reasoning_content ?? '', REASONING, 'thinking stayed on for the second step');
    assert.equal(stats().invalid, before, 'the mock accepted the replayed reasoning');

    const forged = { ...first, thinking_blocks: [{ ...first.thinking_blocks?.[0], thinking: 'I never thought this.' }] };
    const refused = await post({ model: 'budget', messages: [question, forged, result], tools: [weatherTool], reasoning_effort: 'medium' });
    assert.equal(refused.status, 400, 'a forged block reaches the mock, which refuses it as Bedrock would');
    assert.match(refused.json.error?.message ?? '', /signature of the reasoningText block does not match/);
  });

  test('Amazon Nova 2 reasons when asked, at high only without a cap (which Nova refuses beside it), and its reasoning comes back redacted', async () => {
    // The mock refuses reasoningConfig on any other Nova, and maxTokens beside high effort.
    for (const extra of [{}, { max_tokens: 900 }, { temperature: 0.4 }]) {
      const message = await complete({ model: 'nova2', messages: [{ role: 'user', content: 'plan a route' }], reasoning_effort: 'high', ...extra });
      assert.equal(message.reasoning_content, '[REDACTED]', JSON.stringify(extra));
      assert.match(message.content ?? '', /plan a route/);
    }
    const stream = await gw.client.chat.completions.create({ model: 'nova2', messages: [{ role: 'user', content: 'plan a route' }], reasoning_effort: 'low', stream: true });
    let reasoning = '';
    for await (const chunk of stream) reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    assert.equal(reasoning, '[REDACTED]');
    const plain = await complete({ model: 'nova2', messages: [{ role: 'user', content: 'plan a route' }] });
    assert.equal(plain.reasoning_content, undefined, 'Nova 2 reasons only when asked');
    const pro = await complete({ model: 'novapro', messages: [{ role: 'user', content: 'plan a route' }], reasoning_effort: 'high' });
    assert.equal(pro.reasoning_content, undefined, 'Nova Pro is not asked: it would refuse reasoningConfig');
  });

  test('the same tool loop sent back without its thinking_blocks still answers: thinking is dropped rather than refused', async () => {
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'please call get_weather for Bergen' };
    const first = await complete({ model: 'budget', messages: [question], tools: [weatherTool], reasoning_effort: 'medium' });
    const call = first.tool_calls?.[0];
    assert.ok(call);
    const stripped = { role: 'assistant', content: first.content, tool_calls: first.tool_calls };
    const before = stats().invalid;
    const second = await complete({ model: 'budget', messages: [question, stripped, { role: 'tool', tool_call_id: call.id, content: '2°C' }], tools: [weatherTool], reasoning_effort: 'medium' });
    assert.equal(second.reasoning_content, undefined, 'no thinking asked, none given');
    assert.equal(stats().invalid, before, 'nothing the mock had to refuse');
  });
});
