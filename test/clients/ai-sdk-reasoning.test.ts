/**
 * The Vercel AI SDK's OpenAI-compatible provider, pointed at the gateway unchanged, asks a Claude
 * route to reason (`providerOptions.<name>.reasoningEffort`, which it sends as `reasoning_effort`)
 * and reads the gateway's `reasoning_content` as the SDK's own reasoning, whole and streamed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText } from 'ai';
import type { ConfigInput } from '../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

const THOUGHT = 'The user asks: "why is the sky blue". I will answer briefly and plainly.';

describe('the Vercel AI SDK reads reasoning from a Claude route', () => {
  let gw: GatewayFixture;
  let compatible: ReturnType<typeof createOpenAICompatible>;
  before(async () => {
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' } },
      providers: { claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-key-ai-sdk' } },
      deployments: { claude: { provider: 'claude', model: 'claude-sonnet-4-5' } },
      routes: { claude: { chain: ['claude'] } },
    } as ConfigInput);
    compatible = createOpenAICompatible({ name: 'switchyard', baseURL: `${gw.url}/v1`, apiKey: 'client-key', includeUsage: true });
  });
  after(() => gw.close());

  const options = { providerOptions: { switchyard: { reasoningEffort: 'high' } }, maxRetries: 0 };

  test('generateText: reasoningText is the thinking, text the answer', async () => {
    const result = await generateText({ model: compatible.chatModel('claude'), prompt: 'why is the sky blue', ...options });
    assert.equal(result.reasoningText, THOUGHT);
    assert.match(result.text, /why is the sky blue/);
  });

  test('streamText: the reasoning parts come before the text parts and join to the same thinking', async () => {
    const result = streamText({ model: compatible.chatModel('claude'), prompt: 'why is the sky blue', ...options });
    const kinds: string[] = [];
    let reasoning = '';
    for await (const part of result.fullStream) {
      if (part.type === 'reasoning-delta') reasoning += part.text;
      if (part.type === 'reasoning-delta' || part.type === 'text-delta') kinds.push(part.type);
    }
    assert.equal(reasoning, THOUGHT);
    assert.ok(kinds.indexOf('text-delta') > kinds.lastIndexOf('reasoning-delta'), 'reasoning first');
    assert.match(await result.text, /why is the sky blue/);
  });
});
