/**
 * Claude Opus 4.7's rules end to end, with the real `openai` and `@anthropic-ai/sdk` clients
 * against the mock's Anthropic dialect, which refuses what Opus 4.7 refuses (a temperature, top_p
 * or top_k; a thinking budget; `xhigh` on a model before it) and leaves the thinking text out
 * unless asked; and a thinking block signed on Anthropic's API replayed to Claude on Bedrock after
 * a failover, as Claude's signatures hold across platforms.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { setFaults } from '../../helpers/mock-gateway.js';

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };
const CLIENT_KEY = 'client-key-opus-4-7';

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

type Block = { type: string; thinking?: string; signature?: string };

/** What the gateway adds to an assistant message, beyond the openai client's types. */
type ReasoningMessage = OpenAI.ChatCompletionMessage & { reasoning_content?: string; thinking_blocks?: Block[] };

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    telemetry: { request_log: { store: 'off' } },
    providers: {
      claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-key-opus-4-7' },
      bedrock: { type: 'mock', wire: 'bedrock', api_key: 'bedrock-mock-secret-opus-4-7' },
    },
    deployments: {
      opus47: { provider: 'claude', model: 'claude-opus-4-7' },
      sonnet46: { provider: 'claude', model: 'claude-sonnet-4-6' },
      opus46: { provider: 'claude', model: 'claude-opus-4-6' },
      sonnet45: { provider: 'claude', model: 'claude-sonnet-4-5' },
      'opus46-bedrock': { provider: 'bedrock', model: 'us.anthropic.claude-opus-4-6-v1' },
    },
    routes: {
      opus47: { chain: ['opus47'], timeouts: TIMEOUTS },
      sonnet46: { chain: ['sonnet46'], timeouts: TIMEOUTS },
      sonnet45: { chain: ['sonnet45'], timeouts: TIMEOUTS },
      anywhere: { chain: ['opus46', 'opus46-bedrock'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
    },
  } as ConfigInput;
}

describe('Claude Opus 4.7 and Claude across platforms, through the gateway (mock, wire: anthropic and bedrock)', () => {
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  before(async () => {
    gw = await startGateway(config());
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  });
  after(() => gw.close());

  const stats = (provider: string): MockStats => gw.gateway.faults(provider)?.stats() as MockStats;

  test('an OpenAI client that sets temperature and top_p is served by Opus 4.7, which refuses both', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'opus47', messages: [{ role: 'user', content: 'hello' }], temperature: 0.3, top_p: 0.5 });
    assert.match(completion.choices[0]?.message.content ?? '', /hello/);
  });

  test('reasoning_effort on Opus 4.7 gets the thinking text as reasoning_content, whole and streamed, at effort xhigh', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'opus47', messages: [{ role: 'user', content: 'why is the sky blue' }], reasoning_effort: 'xhigh' as never });
    const message = completion.choices[0]?.message as ReasoningMessage;
    assert.equal(message.reasoning_content, 'The user asks: "why is the sky blue". I will answer briefly and plainly.');
    assert.equal(message.thinking_blocks?.[0]?.thinking, message.reasoning_content);

    const stream = await gw.client.chat.completions.create({ model: 'opus47', messages: [{ role: 'user', content: 'stream it' }], reasoning_effort: 'high', stream: true });
    let reasoning = '';
    for await (const chunk of stream) reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    assert.equal(reasoning, 'The user asks: "stream it". I will answer briefly and plainly.');
  });

  test("a Messages client on Opus 4.7 gets the model's default, the text left out, and the block it sends back in a tool loop is taken", async () => {
    const params = {
      model: 'opus47',
      max_tokens: 4096,
      thinking: { type: 'adaptive' as const },
      tools: [{ name: 'get_weather', description: 'Current weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user' as const, content: 'please call get_weather for Oslo' }],
    };
    const first = await anthropic.messages.create(params);
    const thinking = first.content[0];
    assert.equal(thinking?.type, 'thinking');
    assert.equal(thinking.type === 'thinking' ? thinking.thinking : undefined, '', 'Opus 4.7 leaves the text out unasked');
    assert.ok(thinking.type === 'thinking' && thinking.signature !== '', 'the signature still carries it');
    const call = first.content.find((block) => block.type === 'tool_use');
    assert.ok(call && call.type === 'tool_use');

    const second = await anthropic.messages.create({
      ...params,
      messages: [...params.messages, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '4°C' }] }],
    });
    assert.equal(second.stop_reason, 'end_turn');

    const events: string[] = [];
    const stream = anthropic.messages.stream({ ...params, tools: undefined, messages: [{ role: 'user', content: 'think quietly' }] });
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') events.push(event.delta.type);
    });
    const streamed = await stream.finalMessage();
    assert.equal(events.includes('thinking_delta'), false, 'no thinking text streamed');
    assert.ok(events.includes('signature_delta'));
    assert.equal(streamed.content[0]?.type, 'thinking');

    const shown = await anthropic.messages.create({ ...params, tools: undefined, thinking: { type: 'adaptive', display: 'summarized' }, messages: [{ role: 'user', content: 'think aloud' }] });
    assert.equal(shown.content[0]?.type === 'thinking' ? shown.content[0].thinking : undefined, 'The user asks: "think aloud". I will answer briefly and plainly.');
  });

  test("a Messages client's effort goes as asked: max to Opus 4.7, and xhigh as max to Sonnet 4.6, which has no xhigh", async () => {
    for (const [model, effort] of [['opus47', 'max'], ['opus47', 'xhigh'], ['sonnet46', 'xhigh']] as const) {
      const message = await anthropic.messages.create({ model, max_tokens: 4096, thinking: { type: 'adaptive' }, output_config: { effort }, messages: [{ role: 'user', content: 'Think hard.' }] });
      assert.equal(message.content[0]?.type, 'thinking', `${model} at ${effort}`);
    }
  });

  test('a Messages effort without thinking goes to a model that takes an effort (the mock refuses xhigh on Sonnet 4.6), and not to one that takes none', async () => {
    for (const model of ['opus47', 'sonnet46', 'sonnet45']) {
      const message = await anthropic.messages.create({ model, max_tokens: 1024, output_config: { effort: 'xhigh' }, messages: [{ role: 'user', content: 'Be brief.' }] });
      assert.equal(message.content[0]?.type, 'text', model);
    }
  });

  test("a tool loop begun on Anthropic's API goes on on Bedrock after a failover, with the thinking Anthropic signed", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'please call get_weather for Oslo' }];
    const first = await gw.client.chat.completions.create({ model: 'anywhere', messages, tools: [weatherTool], reasoning_effort: 'medium' }).withResponse();
    assert.equal(first.response.headers.get('x-switchyard-deployment'), 'opus46');
    const assistant = first.data.choices[0]?.message as ReasoningMessage;
    const call = assistant.tool_calls?.[0];
    assert.ok(call && assistant.thinking_blocks?.[0]?.signature);

    setFaults(gw, 'claude', [{ kind: 'error', status: 503 }]);
    try {
      const before = stats('bedrock');
      const followUp = await gw.client.chat.completions
        .create({ model: 'anywhere', tools: [weatherTool], reasoning_effort: 'medium', messages: [...messages, assistant, { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' }] })
        .withResponse();
      assert.equal(followUp.response.headers.get('x-switchyard-deployment'), 'opus46-bedrock');
      assert.equal(followUp.response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
      assert.ok((followUp.data.choices[0]?.message as ReasoningMessage).reasoning_content, 'thinking stayed on: the Bedrock mock thought again');
      assert.equal(stats('bedrock').requests, before.requests + 1);
      assert.equal(stats('bedrock').invalid, before.invalid, 'the Bedrock mock took the block Anthropic signed');
    } finally {
      setFaults(gw, 'claude', []);
    }
  });
});
