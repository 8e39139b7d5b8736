/**
 * The canonical provider-rotation chain, end to end: Anthropic answering 529, then Bedrock
 * throttling, then OpenAI serving, each a built-in mock speaking its provider's real wire format to
 * the gateway's real adapter. Both client APIs see a normal answer, streamed and not, with tools.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ConfigInput } from '../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

const WEATHER_TOOL = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

describe('a chain across providers: Anthropic 529 -> Bedrock throttled -> OpenAI', () => {
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  before(async () => {
    const config: ConfigInput = {
      log: { level: 'silent' },
      server: { admin_token: 'cross-provider-admin' },
      idempotency: { derive_key: false },
      health: { enabled: false },
      providers: {
        anthropic: { type: 'mock', wire: 'anthropic', faults: [{ kind: 'error', status: 529 }] },
        bedrock: { type: 'mock', wire: 'bedrock', api_key: 'bedrock-mock-secret-0123456789', faults: [{ kind: 'rate_limit', retry_after_s: 30 }] },
        openai: { type: 'mock' },
      },
      deployments: {
        claude: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
        nova: { provider: 'bedrock', model: 'us.amazon.nova-pro-v1:0' },
        gpt: { provider: 'openai', model: 'gpt-4o-mini' },
      },
      routes: { chat: { chain: ['claude', 'nova', 'gpt'], policy: { upstream_5xx: 'next', rate_limit_429: 'next' } } },
    } as ConfigInput;
    gw = await startGateway(config);
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
  });
  after(() => gw.close());

  async function walkOf(requestId: string | null): Promise<string[]> {
    const res = await fetch(`${gw.url}/admin/requests/${requestId}`, { headers: { authorization: 'Bearer cross-provider-admin' } });
    const log = (await res.json()) as { attempts: Array<{ deployment: string; outcome: string; shape?: string }> };
    return log.attempts.map((a) => `${a.deployment}:${a.outcome}${a.shape ? `:${a.shape}` : ''}`);
  }

  const EXPECTED_WALK = ['claude:failed:upstream_5xx', 'nova:failed:rate_limit_429', 'gpt:served'];

  test('the openai client gets a completion and a stream with a tool call, served by the third provider', async () => {
    const { data, response } = await gw.client.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'Call get_weather for Oslo' }], tools: [WEATHER_TOOL] })
      .withResponse();
    assert.equal(data.choices[0]?.message.tool_calls?.[0]?.type === 'function' && data.choices[0].message.tool_calls[0].function.name, 'get_weather');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'gpt');
    assert.deepEqual(await walkOf(response.headers.get('x-request-id')), EXPECTED_WALK);

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Call get_weather please' }], tools: [WEATHER_TOOL], stream: true });
    let name = '';
    let args = '';
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name += call.function.name;
      if (call?.function?.arguments) args += call.function.arguments;
    }
    assert.equal(name, 'get_weather');
    assert.deepEqual(JSON.parse(args), { city: 'mock' });
  });

  test('the @anthropic-ai/sdk client on /v1/messages gets a message and a stream with tool use, whatever served it', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } }];
    const { data: message, response } = await anthropic.messages
      .create({ model: 'chat', max_tokens: 200, messages: [{ role: 'user', content: 'Call get_weather for Oslo' }], tools })
      .withResponse();
    assert.equal(message.type, 'message');
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.equal(use?.type === 'tool_use' && use.name, 'get_weather');
    assert.deepEqual(await walkOf(response.headers.get('x-request-id')), EXPECTED_WALK);

    const streamed = await anthropic.messages.stream({ model: 'chat', max_tokens: 200, messages: [{ role: 'user', content: 'Just say hello' }] }).finalMessage();
    assert.equal(streamed.stop_reason, 'end_turn');
    const text = streamed.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    assert.match(text, /Mock answer from openai/);
  });
});
