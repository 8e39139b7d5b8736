/**
 * Reasoning through the Gemini adapter end to end: an `openai` client sends `reasoning_effort` to
 * the gateway, whose Gemini adapter asks the mock's Gemini dialect (which refuses a thinkingConfig
 * the model would refuse) and reads its thought summaries back as `reasoning_content`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const KEY = 'AIzaSyD-mockGeminiKey_0123456789abcdefg';
const PROMPT = 'why do leaves change colour in autumn';
const THOUGHT = 'Thinking about: why do leaves change colour in';

type Effort = OpenAI.ReasoningEffort;
type WithReasoning = { reasoning_content?: string };

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: { gemini: { type: 'mock', wire: 'gemini', api_key: KEY } },
    deployments: {
      flash: { provider: 'gemini', model: 'gemini-2.5-flash' },
      pro25: { provider: 'gemini', model: 'gemini-2.5-pro' },
      pro3: { provider: 'gemini', model: 'gemini-3-pro-preview' },
    },
    routes: { chat: { chain: ['flash'] }, chat25pro: { chain: ['pro25'] }, chat3: { chain: ['pro3'] } },
  } as ConfigInput;
}

/** Route and the model the mock names in its answer. */
const DEPLOYMENTS = [
  { route: 'chat', model: 'gemini-2.5-flash' },
  { route: 'chat3', model: 'gemini-3-pro-preview' },
];

describe('reasoning through the gateway to Gemini (mock wire: gemini)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());

  async function complete(route: string, effort: Effort | undefined) {
    const completion = await gw.client.chat.completions.create({ model: route, messages: [{ role: 'user', content: PROMPT }], ...(effort === undefined ? {} : { reasoning_effort: effort }) });
    return { completion, message: completion.choices[0]?.message as (OpenAI.ChatCompletionMessage & WithReasoning) | undefined };
  }

  async function stream(route: string, effort: Effort | undefined) {
    const chunks = await gw.client.chat.completions.create({
      model: route,
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      ...(effort === undefined ? {} : { reasoning_effort: effort }),
    });
    /** Each delta in order, as `r` (reasoning) or `c` (content), with its text. */
    const order: Array<{ kind: 'r' | 'c'; text: string }> = [];
    for await (const chunk of chunks) {
      const delta = chunk.choices[0]?.delta as (OpenAI.ChatCompletionChunk.Choice.Delta & WithReasoning) | undefined;
      if (delta?.reasoning_content) order.push({ kind: 'r', text: delta.reasoning_content });
      if (delta?.content) order.push({ kind: 'c', text: delta.content });
    }
    const join = (kind: 'r' | 'c') =>
      order
        .filter((item) => item.kind === kind)
        .map((item) => item.text)
        .join('');
    return { order, reasoning: join('r'), content: join('c') };
  }

  for (const { route, model } of DEPLOYMENTS) {
    test(`${model}: reasoning_effort "high" brings the thought summary back as reasoning_content; the answer text is unchanged`, async () => {
      const plain = await complete(route, undefined);
      const { completion, message } = await complete(route, 'high');
      assert.equal(message?.reasoning_content, THOUGHT);
      assert.equal(message?.content, plain.message?.content);
      assert.match(message?.content ?? '', new RegExp(`^Mock answer from gemini \\(${model.replaceAll('.', '\\.')}\\): ${PROMPT}`));
      // The thinking tokens are billed as output.
      assert.ok((completion.usage?.completion_tokens ?? 0) > (plain.completion.usage?.completion_tokens ?? 0));
      // ...and counted apart, as OpenAI counts a reasoning model's.
      const reasoningTokens = completion.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
      assert.equal(reasoningTokens, (completion.usage?.completion_tokens ?? 0) - (plain.completion.usage?.completion_tokens ?? 0));
    });

    test(`${model}: streamed, the reasoning_content deltas come before the content deltas, which join to the same answer`, async () => {
      const plain = await stream(route, undefined);
      const { order, reasoning, content } = await stream(route, 'high');
      assert.equal(reasoning, THOUGHT);
      assert.equal(content, plain.content);
      const firstContent = order.findIndex((item) => item.kind === 'c');
      assert.ok(firstContent > 0, 'reasoning first');
      assert.ok(order.slice(firstContent).every((item) => item.kind === 'c'), 'no reasoning after the content began');
    });

    test(`${model}: without reasoning_effort there is no reasoning_content, whole or streamed`, async () => {
      const { message } = await complete(route, undefined);
      assert.equal(message !== undefined && 'reasoning_content' in message, false);
      const streamed = await stream(route, undefined);
      assert.equal(streamed.reasoning, '');
      assert.ok(streamed.content.length > 0);
    });
  }

  test('every effort is accepted by each model (a level or budget it would refuse fails here), and "none" gives no reasoning_content', async () => {
    for (const route of ['chat', 'chat25pro', 'chat3']) {
      for (const effort of ['minimal', 'low', 'medium', 'high', 'xhigh'] as const) {
        const { message } = await complete(route, effort);
        assert.equal(message?.reasoning_content, THOUGHT, `${route} ${effort}`);
      }
      const { message } = await complete(route, 'none');
      assert.equal(message !== undefined && 'reasoning_content' in message, false, `${route} none`);
      assert.ok((message?.content ?? '').length > 0);
    }
  });

  test('an unknown reasoning_effort is the client’s 400', async () => {
    await assert.rejects(complete('chat', 'max'), (err: unknown) => err instanceof Error && 'status' in err && err.status === 400);
  });
});
