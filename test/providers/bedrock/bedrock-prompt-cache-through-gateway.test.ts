/**
 * Prompt caching end to end on Bedrock: the `openai` client marks a long system prompt with
 * `cache_control`; the real Bedrock adapter sends a cache point after it to Claude; the mock's
 * Bedrock dialect writes the prompt to its cache on the first request and reads it on the next,
 * and the client sees the counts (`cache_write_tokens`, then `cached_tokens`), whole and
 * streamed. A Llama deployment, which refuses cache points, answers the same marked request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };
const MARK = { type: 'ephemeral' as const };

/** A system prompt long enough to be cached (over 1,024 tokens, at about four characters a token). */
const LONG_RULES = `You are a careful coding agent. ${'Read the code before you change it; keep every change small and tested. '.repeat(80)}`;

/** Usage as the openai client sees it, with the gateway's count of cache writes. */
type CachedUsage = { prompt_tokens: number; prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } };

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    telemetry: { request_log: { store: 'off' } },
    providers: { bedrock: { type: 'mock', wire: 'bedrock', api_key: 'bedrock-prompt-cache-secret-8f40' } },
    deployments: {
      sonnet: { provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      llama: { provider: 'bedrock', model: 'meta.llama3-3-70b-instruct-v1:0' },
    },
    routes: {
      claude: { chain: ['sonnet'], timeouts: TIMEOUTS },
      llama: { chain: ['llama'], timeouts: TIMEOUTS },
    },
  } as ConfigInput;
}

/** A request whose long system prompt is marked (a LiteLLM-style part mark), then a question. */
function markedRequest(model: string, rules: string, question: string) {
  return {
    model,
    messages: [
      { role: 'system' as const, content: [{ type: 'text' as const, text: rules, cache_control: MARK }] },
      { role: 'user' as const, content: question },
    ],
  };
}

describe('prompt caching through a Bedrock deployment (mock, wire: bedrock)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());

  function stats(): MockStats {
    return gw.gateway.faults('bedrock')?.stats() as MockStats;
  }

  async function streamedUsage(params: ReturnType<typeof markedRequest>): Promise<CachedUsage> {
    const stream = await gw.client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } } as OpenAI.ChatCompletionCreateParamsStreaming);
    let usage: CachedUsage | undefined;
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage as CachedUsage;
    }
    assert.match(text, /^Mock answer/);
    assert.ok(usage, 'the last chunk carries the usage');
    return usage;
  }

  test('Claude: a marked long system prompt is written on the first request and read on the second, whole', async () => {
    const first = await gw.client.chat.completions.create(markedRequest('claude', LONG_RULES, 'What does main.ts do?') as never);
    const written = (first.usage as CachedUsage).prompt_tokens_details?.cache_write_tokens ?? 0;
    assert.ok(written > 1024, JSON.stringify(first.usage));
    assert.equal((first.usage as CachedUsage).prompt_tokens_details?.cached_tokens, 0);

    const second = await gw.client.chat.completions.create(markedRequest('claude', LONG_RULES, 'And util.ts?') as never);
    const usage = second.usage as CachedUsage;
    assert.equal(usage.prompt_tokens_details?.cached_tokens, written, 'what was written, read back');
    assert.equal(usage.prompt_tokens_details?.cache_write_tokens, undefined, 'nothing written: no such field');
    assert.ok(usage.prompt_tokens >= written, 'prompt_tokens counts the cached tokens too');
  });

  test('Claude: the same, streamed: the usage chunk carries the write, then the read', async () => {
    const rules = `${LONG_RULES} Answer in English.`;
    const first = await streamedUsage(markedRequest('claude', rules, 'What does main.ts do?'));
    const written = first.prompt_tokens_details?.cache_write_tokens ?? 0;
    assert.ok(written > 1024, JSON.stringify(first));
    const second = await streamedUsage(markedRequest('claude', rules, 'And util.ts?'));
    assert.equal(second.prompt_tokens_details?.cached_tokens, written);
    assert.equal(second.prompt_tokens_details?.cache_write_tokens, undefined);
  });

  test('Llama refuses cache points, so none is sent: a marked request is answered as an unmarked one', async () => {
    const before = stats();
    const answer = await gw.client.chat.completions.create({ ...markedRequest('llama', LONG_RULES, 'What does main.ts do?'), cache_control: MARK } as never);
    assert.match(answer.choices[0]?.message.content ?? '', /^Mock answer/);
    const usage = answer.usage as CachedUsage;
    assert.equal(usage.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(usage.prompt_tokens_details?.cache_write_tokens, undefined);
    assert.equal(stats().invalid, before.invalid, 'the mock refused nothing');
    const streamed = await streamedUsage(markedRequest('llama', LONG_RULES, 'And util.ts?'));
    assert.equal(streamed.prompt_tokens_details?.cached_tokens, 0);
  });
});
